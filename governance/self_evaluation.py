"""The self-evaluation: a draft per strand written from the tracker, officers' own words, and immutable numbered versions.

Every change is a new version (drafted, edited in the product, or uploaded
from Word), so nothing written is ever lost and any two versions can be
compared. A save names the version it was edited from: if another has been
saved since, it is refused rather than silently overwriting it.
"""

from __future__ import annotations

import difflib
import textwrap
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from accounts.models import User
from actions.models import Snapshot, Strategy
from governance import framework
from governance.coverage import StrandCoverage, coverage_for, kpi_position
from governance.models import SelfEvaluation, SelfEvaluationSection, SelfEvaluationVersion
from send_tracker.words import as_sentence, of_them_overdue

# The officers' own words, in the order the document sets them out, with their headings (the Word copy's anchors).
FIELDS: dict[str, str] = {
    "strengths": "Strengths",
    "improve": "What we know we must improve",
    "evidence": "Evidence",
}
# The most a field may hold: a document stays readable and an export stays bounded however long a narrative is pasted.
FIELD_MAX_CHARS = 20_000
# The most items of a kind a draft lists by name; the rest are counted.
DRAFT_LIST_MAX = 8


class StaleVersionError(Exception):
    """Someone saved another version since this edit began."""


def _short(text: str, width: int = 120) -> str:
    return textwrap.shorten(text, width, placeholder="…")


def _listed(items: list[str]) -> str:
    shown = "; ".join(items[:DRAFT_LIST_MAX])
    if len(items) > DRAFT_LIST_MAX:
        shown += f"; and {len(items) - DRAFT_LIST_MAX} more"
    return shown


def strand_draft(cover: StrandCoverage) -> str:
    """What the tracker knows about a strand, in sentences: actions by class, KPIs against benchmarks, families, findings."""
    lines = []
    if cover.rows:
        counts = ", ".join(f"{count} {label.lower()}" for label, count in cover.counts() if count)
        overdue = of_them_overdue(cover.overdue_count)
        lines.append(f"Actions: {len(cover.rows)} tagged ({counts}{'; ' + overdue if overdue else ''}).")
        on_track = cover.on_track
        if on_track:
            lines.append(as_sentence("On track or complete: " + _listed([f"{row.ref} {_short(row.text)}" for row in on_track])))
        if cover.at_risk:
            lines.append(as_sentence("At risk: " + _listed([f"{row.ref} {_short(row.text)}" for row in cover.at_risk])))
    else:
        lines.append("No action is tagged to this strand.")
    if cover.kpis:
        measures = [f"{row.indicator.code} {row.indicator.name}: {kpi_position(row)}" for row in cover.kpis]
        lines.append(as_sentence("Measures: " + _listed(measures)))
    else:
        lines.append("No measure is tagged to this strand.")
    if cover.families:
        # What families said, in brackets without its own full stop: the sentence ends after the brackets.
        said = [f"{view.group}: {view.get_level_display()} ({_short(view.narrative, 200).rstrip('.')})" for view in cover.families]
        lines.append(as_sentence("What families say: " + _listed(said)))
    if cover.findings:
        # Each finding with its inspection's name: two reports both have a "Priority action 1".
        found = [f"{f.finding.label()} ({f.finding.inspection}): {f.summary()}" for f in cover.findings]
        lines.append(as_sentence("Open inspection findings: " + _listed(found)))
    return "\n".join(lines)


def latest_version(strategy: Strategy) -> SelfEvaluationVersion | None:
    return (
        SelfEvaluationVersion.objects.filter(self_evaluation__strategy=strategy)
        .select_related("snapshot", "created_by")
        .order_by("-number")
        .first()
    )


def sections_by_strand(version: SelfEvaluationVersion | None) -> dict[str, SelfEvaluationSection]:
    return {s.strand: s for s in version.sections.all()} if version else {}


@transaction.atomic
def _version_add(
    strategy: Strategy, *, user: User | None, source: str, snapshot: Snapshot | None, sections: dict[str, dict[str, str]], base: int | None
) -> SelfEvaluationVersion:
    evaluation, _ = SelfEvaluation.objects.get_or_create(strategy=strategy)
    evaluation = SelfEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    latest = evaluation.versions.aggregate(n=Max("number"))["n"] or 0
    if base is not None and base != latest:
        raise StaleVersionError(f"Version {latest} was saved since you began: your changes were not saved over it.")
    version = SelfEvaluationVersion.objects.create(
        self_evaluation=evaluation, number=latest + 1, source=source, snapshot=snapshot, edition=framework.EDITION, created_by=user
    )
    SelfEvaluationSection.objects.bulk_create(
        [
            SelfEvaluationSection(
                version=version,
                strand=strand.code,
                draft=sections.get(strand.code, {}).get("draft", ""),
                **{name: sections.get(strand.code, {}).get(name, "")[:FIELD_MAX_CHARS] for name in FIELDS},
            )
            for strand in framework.STRANDS
        ]
    )
    return version


def _carried(version: SelfEvaluationVersion | None) -> dict[str, dict[str, str]]:
    return {code: {"draft": s.draft, **{name: getattr(s, name) for name in FIELDS}} for code, s in sections_by_strand(version).items()}


def self_evaluation_draft(strategy: Strategy, *, user: User, snapshot: Snapshot | None) -> SelfEvaluationVersion:
    """A new version whose drafts are written from the tracker (as at the snapshot), keeping every officer's words."""
    coverage = coverage_for(strategy, snapshot=snapshot)
    sections = _carried(latest_version(strategy))
    for cover in coverage.strands:
        sections.setdefault(cover.strand.code, {})["draft"] = strand_draft(cover)
    return _version_add(strategy, user=user, source=SelfEvaluationVersion.Source.DRAFTED, snapshot=snapshot, sections=sections, base=None)


def self_evaluation_save(
    strategy: Strategy, *, user: User, base: int, texts: dict[str, dict[str, str]], source: str = SelfEvaluationVersion.Source.EDITED
) -> SelfEvaluationVersion:
    """A new version with the officers' words for the strands given (others kept), edited from version `base`."""
    previous = latest_version(strategy)
    sections = _carried(previous)
    for code, fields in texts.items():
        if code in framework.STRANDS_BY_CODE:
            sections.setdefault(code, {}).update({name: one_line_ending(fields[name]).strip() for name in FIELDS if name in fields})
    return _version_add(strategy, user=user, source=source, snapshot=previous.snapshot if previous else None, sections=sections, base=base)


@dataclass
class FieldChange:
    strand: framework.Strand
    field: str
    label: str
    before: str
    after: str

    def lines(self) -> list[tuple[str, str]]:
        """The change line by line: ("removed" | "added" | "same", text)."""
        kinds = {"- ": "removed", "+ ": "added", "  ": "same"}
        return [
            (kinds[line[:2]], line[2:]) for line in difflib.ndiff(self.before.splitlines(), self.after.splitlines()) if line[:2] in kinds
        ]


def one_line_ending(text: str) -> str:
    """The text with each line ending as a newline alone: a browser sends a textarea's lines ending CR LF, Word LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def changes_between(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> list[FieldChange]:
    """Every field, strand by strand, whose text differs (the draft included); how its lines end is no difference."""
    found = []
    labels = {"draft": "Draft from the tracker", **FIELDS}
    for strand in framework.STRANDS:
        old, new = before.get(strand.code, {}), after.get(strand.code, {})
        for name, label in labels.items():
            if name in new and one_line_ending(old.get(name, "")) != one_line_ending(new.get(name, "")):
                found.append(FieldChange(strand, name, label, old.get(name, ""), new.get(name, "")))
    return found


def version_texts(version: SelfEvaluationVersion | None) -> dict[str, dict[str, str]]:
    return _carried(version)
