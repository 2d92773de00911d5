"""The area SEND inspection framework as the product follows it: its edition, outcomes and evaluation strands.

Everything the product says about the framework is read from this one module,
so a later edition replaces this file (and, if codes change, a data migration
maps the old strand codes to the new). The outcomes and the statements are the
handbook's own words; the two group headings are the product's short labels.

Strand codes are stored on tags and self-evaluation sections: never reuse a
code for a different statement.
"""

from __future__ import annotations

from dataclasses import dataclass

EDITION = "Area SEND inspections: framework and handbook (Ofsted and CQC), updated 6 June 2025"
EDITION_SHORT = "June 2025 edition"
EDITION_URL = "https://www.gov.uk/government/publications/area-send-framework-and-handbook"

# The three inspection outcomes, best first (the keys are stored on Inspection.outcome).
OUTCOMES: dict[str, str] = {
    "positive": (
        "The local area partnership’s arrangements typically lead to positive experiences and outcomes for children and young "
        "people with special educational needs and/or disabilities (SEND). The local area partnership is taking action where "
        "improvements are needed."
    ),
    "inconsistent": (
        "The local area partnership’s arrangements lead to inconsistent experiences and outcomes for children and young people "
        "with special educational needs and/or disabilities (SEND). The local area partnership must work jointly to make "
        "improvements."
    ),
    "systemic": (
        "There are widespread and/or systemic failings leading to significant concerns about the experiences and outcomes of "
        "children and young people with special educational needs and/or disabilities (SEND), which the local area partnership "
        "must address urgently."
    ),
}

# Short names for the outcomes, where the whole sentence will not fit (calendar, dashboard).
OUTCOME_SHORT: dict[str, str] = {
    "positive": "Positive experiences and outcomes",
    "inconsistent": "Inconsistent experiences and outcomes",
    "systemic": "Widespread and/or systemic failings",
}


@dataclass(frozen=True)
class Strand:
    code: str
    group: str
    statement: str

    @property
    def label(self) -> str:
        return f"{self.code}: {self.statement}"


EXPERIENCES = "Children and young people’s experiences and outcomes"
LEADERSHIP = "Leadership, commissioning and improvement"

STRANDS: tuple[Strand, ...] = (
    Strand("E1", EXPERIENCES, "Children and young people’s needs are identified accurately and assessed in a timely and effective way."),
    Strand(
        "E2",
        EXPERIENCES,
        "Children, young people and their families participate in decision-making about their individual plans and support.",
    ),
    Strand("E3", EXPERIENCES, "Children and young people receive the right help and support at the right time."),
    Strand("E4", EXPERIENCES, "Children and young people are well prepared for their next steps and achieve strong outcomes."),
    Strand("E5", EXPERIENCES, "Children and young people with SEND are valued, visible and included in their communities."),
    Strand("L1", LEADERSHIP, "Leaders are ambitious for children and young people with SEND."),
    Strand("L2", LEADERSHIP, "Leaders actively engage and work with children, young people and families."),
    Strand(
        "L3", LEADERSHIP, "Leaders have an accurate, shared understanding of the needs of children and young people in their local area."
    ),
    Strand(
        "L4",
        LEADERSHIP,
        "Leaders commission services and provision to meet the needs and aspirations of children and young people, including "
        "commissioning arrangements for children and young people in alternative provision.",
    ),
    Strand("L5", LEADERSHIP, "Leaders evaluate services and make improvements."),
    Strand("L6", LEADERSHIP, "Leaders create an environment in which effective practice and multi-agency working can flourish."),
)

STRANDS_BY_CODE: dict[str, Strand] = {strand.code: strand for strand in STRANDS}
STRAND_CHOICES: list[tuple[str, str]] = [(strand.code, strand.label) for strand in STRANDS]


def strand(code: str) -> Strand | None:
    return STRANDS_BY_CODE.get(code)


# What follows each outcome (months from the final full inspection report): the next full inspection is
# usually within this many months, and after widespread or systemic failings a monitoring inspection usually
# comes about 18 months after the report. Engagement meetings with the inspectorates are annual.
NEXT_FULL_WITHIN_MONTHS: dict[str, int] = {"positive": 60, "inconsistent": 36, "systemic": 36}
MONITORING_AFTER_MONTHS: dict[str, int] = {"systemic": 18}
ENGAGEMENT_EVERY_MONTHS = 12
