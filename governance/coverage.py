"""Framework coverage: each evaluation strand with the actions, KPIs, deliverables, families' view and findings that evidence it.

A strand is flagged when nothing answers it: no action, no measure (KPI), or
no recent evidence (no update to a tagged action and no KPI value entered in
the last `RECENT_EVIDENCE_DAYS`). Actions are classed by the rule book
(`actions.rules.classify`), as every other page classes them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from actions import rules
from actions.models import Action, Progress, Snapshot, SnapshotAction, Strategy
from actions.rows import ActionRow, ref_order, rows_from_actions, rows_from_snapshot
from coproduction.models import Deliverable, FamiliesView
from governance import framework
from governance.inspections import FindingProgress, findings_for
from governance.models import StrandLink
from kpis.models import Benchmark, Indicator, KpiValue, Travel
from kpis.scorecard import ScorecardRow, indicators_with_values, scorecard_rows
from send_tracker.words import of_them_overdue

RECENT_EVIDENCE_DAYS = 92  # a quarter: two reporting cycles of a bi-monthly board, with a little slack

CLASS_ORDER = (Progress.AT_RISK, Progress.ON_TRACK, Progress.NOT_STARTED, Progress.COMPLETE)


@dataclass
class StrandCoverage:
    strand: framework.Strand
    rows: list[ActionRow] = field(default_factory=list)
    kpis: list[ScorecardRow] = field(default_factory=list)
    deliverables: list[Deliverable] = field(default_factory=list)
    families: list[FamiliesView] = field(default_factory=list)
    findings: list[FindingProgress] = field(default_factory=list)
    last_evidence_at: dt.datetime | None = None
    recent_since: dt.datetime | None = None

    def counts(self) -> list[tuple[str, int]]:
        """How the strand's actions stand, each in its one class, in the order a board reads them."""
        counted = rules.class_counts(rules.classify(row.rating) for row in self.rows)
        return [(Progress(kind).label, counted.get(kind, 0)) for kind in CLASS_ORDER]

    def rows_in(self, kind: Progress) -> list[ActionRow]:
        return [row for row in self.rows if rules.classify(row.rating) == kind]

    @property
    def at_risk(self) -> list[ActionRow]:
        return self.rows_in(Progress.AT_RISK)

    @property
    def on_track(self) -> list[ActionRow]:
        return self.rows_in(Progress.ON_TRACK) + self.rows_in(Progress.COMPLETE)

    @property
    def overdue_count(self) -> int:
        return sum(1 for row in self.rows if row.status.overdue)

    @property
    def overdue_words(self) -> str:
        """ "2 of them are overdue": among the actions counted by class, never a class beside them."""
        return of_them_overdue(self.overdue_count)

    @property
    def kpi_lines(self) -> list[tuple[ScorecardRow, str]]:
        return [(row, kpi_position(row)) for row in self.kpis]

    @property
    def gaps(self) -> list[str]:
        """What the strand lacks, in words; empty when it is evidenced."""
        found = []
        if not self.rows:
            found.append("No action")
        if not self.kpis:
            found.append("No measure")
        if self.last_evidence_at is None or (self.recent_since and self.last_evidence_at < self.recent_since):
            found.append("No recent evidence")
        return found


@dataclass
class Coverage:
    strategy: Strategy
    strands: list[StrandCoverage]
    snapshot: Snapshot | None = None
    edition: str = framework.EDITION

    @property
    def gap_count(self) -> int:
        return sum(1 for s in self.strands if s.gaps)


def strand_codes_by_object(strategy: Strategy) -> dict[str, dict[int, list[str]]]:
    """{"action": {id: [codes]}, "indicator": …, "deliverable": …}: one query."""
    found: dict[str, dict[int, list[str]]] = {"action": defaultdict(list), "indicator": defaultdict(list), "deliverable": defaultdict(list)}
    for link in StrandLink.objects.filter(strategy=strategy).values("strand", "action_id", "indicator_id", "deliverable_id"):
        for kind in found:
            if link[f"{kind}_id"]:
                found[kind][link[f"{kind}_id"]].append(link["strand"])
    return found


def _action_rows(strategy: Strategy, ids: list[int], snapshot: Snapshot | None) -> list[ActionRow]:
    if not ids:
        return []
    if snapshot is not None:
        return rows_from_snapshot(snapshot, SnapshotAction.objects.filter(action_id__in=ids))
    return rows_from_actions(Action.objects.filter(strategy=strategy, pk__in=ids))


def _kpi_rows(strategy: Strategy, ids: list[int], snapshot: Snapshot | None) -> list[ScorecardRow]:
    if not ids:
        return []
    indicators = Indicator.objects.filter(strategy=strategy, pk__in=ids).order_by("position", "id")
    if snapshot is None:
        return scorecard_rows(indicators_with_values(indicators))
    # The values the snapshot froze, and the benchmarks published by its date: the same figures however often it is read.
    values: dict[int, list[KpiValue]] = defaultdict(list)
    for value in KpiValue.objects.filter(snapshot_items__snapshot=snapshot, indicator_id__in=ids).order_by("period_start", "id"):
        values[value.indicator_id].append(value)
    benchmarks: dict[int, list[Benchmark]] = defaultdict(list)
    for benchmark in Benchmark.objects.filter(indicator_id__in=ids, period_start__lte=snapshot.as_at).order_by("period_start"):
        benchmarks[benchmark.indicator_id].append(benchmark)
    return [ScorecardRow(i, values[i.pk], benchmarks[i.pk]) for i in indicators]


def coverage_for(strategy: Strategy, now: dt.datetime | None = None, snapshot: Snapshot | None = None) -> Coverage:
    """Every strand of the framework with what evidences it: a fixed number of queries whatever the plan size.

    With a snapshot, the actions and KPI values are those it froze, judged as at its date.
    """
    now = now or (timezone.make_aware(dt.datetime.combine(snapshot.as_at, dt.time.max)) if snapshot else timezone.now())
    tagged = strand_codes_by_object(strategy)
    rows = _action_rows(strategy, list(tagged["action"]), snapshot)
    rows_by_id = {row.action_id: row for row in rows}
    kpi_rows = _kpi_rows(strategy, list(tagged["indicator"]), snapshot)
    kpis_by_id = {row.indicator.pk: row for row in kpi_rows}
    deliverables = {
        d.pk: d
        for d in Deliverable.objects.filter(strategy=strategy, pk__in=list(tagged["deliverable"])).prefetch_related(
            Prefetch("actions", queryset=Action.objects.only("id"))
        )
    }
    group_ids = {row.group_id for row in rows} | {d.group_id for d in deliverables.values()}
    families = {view.group_id: view for view in FamiliesView.objects.current().filter(group_id__in=group_ids).select_related("group")}
    findings = [f for inspection in findings_for(strategy) for f in inspection.findings]

    recent_since = now - dt.timedelta(days=RECENT_EVIDENCE_DAYS)
    strands = []
    for strand in framework.STRANDS:
        cover = StrandCoverage(strand=strand, recent_since=recent_since)
        cover.rows = sorted(
            (rows_by_id[pk] for pk, codes in tagged["action"].items() if strand.code in codes and pk in rows_by_id),
            key=lambda row: ref_order(row.ref),
        )
        cover.kpis = [kpis_by_id[pk] for pk, codes in tagged["indicator"].items() if strand.code in codes and pk in kpis_by_id]
        cover.deliverables = [
            deliverables[pk] for pk, codes in tagged["deliverable"].items() if strand.code in codes and pk in deliverables
        ]
        groups = {row.group_id for row in cover.rows} | {d.group_id for d in cover.deliverables}
        cover.families = [families[g] for g in sorted(groups) if g in families]
        action_ids = {row.action_id for row in cover.rows}
        indicator_ids = {row.indicator.pk for row in cover.kpis}
        cover.findings = [
            f
            for f in findings
            if _is_open(f) and (action_ids & set(f.finding.linked_action_ids) or indicator_ids & set(f.finding.linked_indicator_ids))
        ]
        moments = [row.last_updated_at for row in cover.rows if row.last_updated_at]
        moments += [k.latest.entered_at for k in cover.kpis if k.latest]
        cover.last_evidence_at = max(moments) if moments else None
        strands.append(cover)
    return Coverage(strategy=strategy, strands=strands, snapshot=snapshot)


def kpi_position(row: ScorecardRow) -> str:
    """A KPI's latest value against England, the region and statistical neighbours, and its trend, in one sentence."""
    if row.latest is None:
        return "no value yet"
    said = f"{row.indicator.format(row.latest.value)} in {row.latest.period_label}"
    if row.comparisons:
        said += " (" + "; ".join(text[0].lower() + text[1:] for text in row.comparisons) + ")"  # mid-sentence: "worse than England"
    if row.previous is not None and row.travel in (Travel.BETTER, Travel.WORSE):
        said += f"; {row.travel.label.lower()} than {row.previous.period_label} ({row.indicator.format(row.previous.value)})"
    elif row.previous is not None:
        said += f"; the same as {row.previous.period_label}"
    return said


def _is_open(progress: FindingProgress) -> bool:
    """A finding stays open until every action answering it is complete (one with no action is open)."""
    return not progress.rows or any(rules.classify(row.rating) != Progress.COMPLETE for row in progress.rows)


def strand_links_set(strategy: Strategy, *, kind: str, obj_id: int, codes: list[str]) -> None:
    """Tag one action, KPI or deliverable to exactly these strands (codes not in the framework are ignored)."""
    wanted = {code for code in codes if code in framework.STRANDS_BY_CODE}
    existing = StrandLink.objects.filter(strategy=strategy, **{f"{kind}_id": obj_id})
    existing.exclude(strand__in=wanted).delete()
    have = set(existing.values_list("strand", flat=True))
    StrandLink.objects.bulk_create([StrandLink(strategy=strategy, strand=code, **{f"{kind}_id": obj_id}) for code in sorted(wanted - have)])
