"""Inspection readiness: each finding with the actions and KPIs that answer it, and its progress since the inspection.

A finding's progress follows from its linked actions by the rule book
(`actions.rules`, through `ActionRow.status`) and from its KPIs' direction of
travel since the inspection. The findings page reads live rows; the board
pack passes the rows and KPI values its snapshot froze, so both say the same
thing in the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from actions import rules
from actions.models import Action, Progress, Strategy
from actions.rows import ActionRow, ref_order, rows_from_actions
from governance.models import Finding, Inspection, finding_order
from kpis.models import Indicator, KpiValue, Travel
from kpis.scorecard import ScorecardRow, indicators_with_values, scorecard_rows
from send_tracker.words import of_them_overdue

# How a finding's linked actions stand: each action counted once, in its class by the rule book,
# in the order a board reads them; then how many of them are overdue, a flag beside the class.
PROGRESS_KINDS: dict[str, str] = {
    Progress.AT_RISK: "At risk",
    Progress.ON_TRACK: "On track",
    Progress.NOT_STARTED: "Not started",
    Progress.COMPLETE: "Complete",
    "overdue": "Of which overdue",
}


@dataclass
class KpiSinceInspection:
    """A KPI linked to a finding: where it stood at the inspection and where it stands now."""

    row: ScorecardRow
    at_inspection: KpiValue | None
    travel: Travel

    @property
    def indicator(self) -> Indicator:
        return self.row.indicator

    @property
    def since_label(self) -> str:
        """Its movement since the inspection in words; when there is none, why: nothing before it, or nothing since."""
        if self.travel != Travel.NONE:
            return self.travel.label
        if self.at_inspection is None:
            return "No value before the inspection"
        return "No value since the inspection"


@dataclass
class FindingProgress:
    finding: Finding
    rows: list[ActionRow]
    kpis: list[KpiSinceInspection]
    counts: dict[str, int] = field(default_factory=dict)
    updated_since: int = 0  # linked actions with an update recorded after the inspection

    @property
    def is_unaddressed(self) -> bool:
        return not self.rows

    def count_items(self) -> list[tuple[str, str, int]]:
        return [(key, label, self.counts.get(key, 0)) for key, label in PROGRESS_KINDS.items()]

    def summary(self) -> str:
        """The progress in words, e.g. "4 actions: 2 on track, 1 at risk, 1 complete; 1 of them is overdue"."""
        if not self.rows:
            return "No action answers this finding yet"
        parts = [f"{count} {label.lower()}" for key, label, count in self.count_items() if count and key != "overdue"]
        said = f"{len(self.rows)} action{'s' if len(self.rows) != 1 else ''}: " + ", ".join(parts)
        if overdue := of_them_overdue(self.counts.get("overdue", 0)):
            said += f"; {overdue}"
        return said

    def kpi_travel_summary(self) -> str:
        if not self.kpis:
            return "No KPI linked"
        better = sum(1 for k in self.kpis if k.travel == Travel.BETTER)
        worse = sum(1 for k in self.kpis if k.travel == Travel.WORSE)
        same = sum(1 for k in self.kpis if k.travel == Travel.SAME)
        unknown = sum(1 for k in self.kpis if k.travel == Travel.NONE)
        said = f"{len(self.kpis)} KPI{'s' if len(self.kpis) != 1 else ''} since the inspection: {better} better, {worse} worse"
        # Every KPI is accounted for: "0 better, 0 worse" alone read as if each had been measured and held steady.
        if same:
            said += f", {same} the same"
        if unknown:
            said += f"; {unknown} with no value to compare yet"
        return said


@dataclass
class InspectionFindings:
    inspection: Inspection
    findings: list[FindingProgress]


def _since(row: ScorecardRow, inspection: Inspection) -> KpiSinceInspection:
    before = [v for v in row.values if v.period_start <= inspection.ended_on]
    at_inspection = before[-1] if before else None
    latest: Decimal | None = row.latest.value if row.latest else None
    travel = row.indicator.travel(latest, at_inspection.value) if at_inspection and row.latest is not at_inspection else Travel.NONE
    return KpiSinceInspection(row=row, at_inspection=at_inspection, travel=travel)


def finding_progress(
    finding: Finding, inspection: Inspection, rows_by_action: dict[int, ActionRow], kpis_by_indicator: dict[int, ScorecardRow]
) -> FindingProgress:
    """One finding's progress from rows already read (live or frozen): no queries of its own."""
    rows = [rows_by_action[pk] for pk in finding.linked_action_ids if pk in rows_by_action]
    rows.sort(key=lambda row: ref_order(row.ref))
    counts = dict.fromkeys(PROGRESS_KINDS, 0)
    for row in rows:
        counts[rules.classify(row.rating)] += 1
        counts["overdue"] += row.status.overdue
    kpis = [_since(kpis_by_indicator[pk], inspection) for pk in finding.linked_indicator_ids if pk in kpis_by_indicator]
    updated = sum(1 for row in rows if row.last_updated_at and row.last_updated_at.date() > inspection.ended_on)
    return FindingProgress(finding=finding, rows=rows, kpis=kpis, counts=counts, updated_since=updated)


def inspections_with_findings(strategy: Strategy | int, finding_ids: Iterable[int] | None = None) -> list[Inspection]:
    """The strategy's inspections, newest first, each with `.finding_list` carrying its linked action and KPI ids.

    Three queries whatever the number of findings and links.
    """
    findings = Finding.objects.order_by(*finding_order()).prefetch_related(
        Prefetch("actions", queryset=Action.objects.only("id"), to_attr="linked_actions"),
        Prefetch("indicators", queryset=Indicator.objects.only("id"), to_attr="linked_indicators"),
    )
    if finding_ids is not None:
        findings = findings.filter(pk__in=list(finding_ids))
    inspections = list(
        Inspection.objects.filter(strategy=strategy).prefetch_related(Prefetch("findings", queryset=findings, to_attr="finding_list"))
    )
    for inspection in inspections:
        for finding in inspection.finding_list:
            finding.inspection = inspection
            finding.linked_action_ids = [a.pk for a in finding.linked_actions]
            finding.linked_indicator_ids = [i.pk for i in finding.linked_indicators]
    return inspections


def findings_progress(
    inspections: list[Inspection], rows: Iterable[ActionRow], kpi_rows: Iterable[ScorecardRow]
) -> list[InspectionFindings]:
    """Each inspection's findings with their progress, from rows and KPI rows already read."""
    rows_by_action = {row.action_id: row for row in rows}
    kpis_by_indicator = {row.indicator.pk: row for row in kpi_rows}
    return [
        InspectionFindings(
            inspection, [finding_progress(f, inspection, rows_by_action, kpis_by_indicator) for f in inspection.finding_list]
        )
        for inspection in inspections
    ]


def findings_for(strategy: Strategy, finding_ids: Iterable[int] | None = None) -> list[InspectionFindings]:
    """The findings page's read: live actions and KPI values, a fixed number of queries whatever the plan size."""
    inspections = inspections_with_findings(strategy, finding_ids)
    findings = [f for inspection in inspections for f in inspection.finding_list]
    action_ids = {pk for f in findings for pk in f.linked_action_ids}
    indicator_ids = {pk for f in findings for pk in f.linked_indicator_ids}
    rows = rows_from_actions(Action.objects.filter(strategy=strategy, pk__in=action_ids)) if action_ids else []
    kpi_rows = (
        scorecard_rows(indicators_with_values(Indicator.objects.filter(strategy=strategy, pk__in=indicator_ids).order_by("position", "id")))
        if indicator_ids
        else []
    )
    return findings_progress(inspections, rows, kpi_rows)


def findings_unaddressed(strategy: Strategy) -> list[Finding]:
    """Findings that no action answers yet: an exception a board wants to see."""
    return list(
        Finding.objects.filter(inspection__strategy=strategy, actions__isnull=True)
        .select_related("inspection")
        .order_by("-inspection__ended_on", *finding_order())
    )
