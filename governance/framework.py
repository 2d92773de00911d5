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

EDITION = "Area SEND inspections: framework and handbook (Ofsted and CQC), in force from 6 June 2025"
EDITION_SHORT = "June 2025 edition"
EDITION_URL = "https://www.gov.uk/government/publications/area-send-framework-and-handbook"
# How far the wording below was checked against the published edition, for the pages that show it.
# Checked: the edition (the handbook page says "Updated 6 June 2025 … came into force on 6 June 2025"; the
# summary of changes adds clarifications of 7 July 2025 to paragraphs 23 and 149, on monitoring visits and on
# feedback about a priority action plan, which change no outcome or strand), the three outcomes (as inspection
# reports and partnerships quote them), and the monitoring inspection about 18 months after the final report
# (paragraph 21). The eleven strand statements are as partnerships' self-evaluations quote the 2023 edition:
# the June 2025 summary of changes lists no change to the evaluation criteria, but their text in the June 2025
# handbook itself could not be read here, so they are marked for checking against it.
WORDING_CHECKED = (
    "The edition, the three outcomes and the timing of monitoring inspections are checked against the June 2025 "
    "edition and its summary of changes (which also lists clarifications of 7 July 2025 that change no outcome or "
    "strand). The summary lists no change to the evaluation criteria, but the strands' wording is as the 2023 edition "
    "published it and has not yet been checked word for word against the June 2025 text."
)

# The three inspection outcomes, best first (the keys are stored on Inspection.outcome).
OUTCOMES: dict[str, str] = {
    "positive": (
        "The local area partnership’s special educational needs and/or disabilities (SEND) arrangements typically lead to "
        "positive experiences and outcomes for children and young people with SEND. The local area partnership is taking "
        "action where improvements are needed."
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

# After a report with areas for priority action, the partnership's priority action plan is due this many working
# days (Monday to Friday) after the report is published. The handbook's June 2025 summary of changes says the
# process for priority action plans changed, but the count of days could not be confirmed from its text: this is
# the product's reckoning, and the pages that show the date say to check it against the report's covering letter.
PRIORITY_ACTION_PLAN_WORKING_DAYS = 35
PRIORITY_ACTION_PLAN_DUE_NOTE = (
    f"Reckoned as {PRIORITY_ACTION_PLAN_WORKING_DAYS} working days after the report was published; "
    "check it against the date the inspectorates' covering letter gives."
)
# Until the report's publication is recorded the date is reckoned from the inspection's last day, and says so.
PRIORITY_ACTION_PLAN_DUE_NOTE_UNPUBLISHED = (
    f"Reckoned as {PRIORITY_ACTION_PLAN_WORKING_DAYS} working days after the last day of the inspection, as the date "
    "the report was published is not recorded yet: record it on the inspection, and check the due date against the "
    "date the inspectorates' covering letter gives."
)
