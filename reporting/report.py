"""What goes into a board pack: everything is read from snapshots, so a pack can be reproduced.

The pack is built for a board that reads it in ten minutes: the headline figures
and the delivery-group matrix on one page, then what moved, then the exceptions
(each action once, with its latest narrative), the KPIs as small multiples, and
every action in a compact appendix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from actions.models import ActionUpdate, DeliveryGroup, RatingLevel, Snapshot
from actions.rows import ActionRow, rows_from_snapshot
from coproduction.services import (
    DELIVERED,
    Quarter,
    area_ratings,
    deliverables_of,
    disagreements_of,
    families_views_frozen,
    own_ratings,
    quarter_start,
    timeline,
)
from governance.cycle import priority_action_plan_due
from governance.inspections import findings_progress, inspections_with_findings
from governance.models import Meeting
from governance.reads import actions_arising_for, decisions_for, last_meeting_held
from governance.signoff import sign_offs_as_at, sign_offs_meeting
from kpis.alerts import kpi_crossings_between
from kpis.charts import kpi_small_chart_svg
from kpis.models import Benchmark, Indicator, KpiValue, Rag
from kpis.scorecard import ScorecardRow
from reporting import packs_beside  # noqa: F401  (the risk register's and the budget's pages and items register as it loads)
from reporting.for_decision import items_for_decision
from reporting.sections import pack_sections
from reporting.summaries import (
    Tally,
    alike_counts,
    exceptions,
    exceptions_once,
    headline_counts,
    headlines,
    movement,
    movement_once,
    overdue_by_group_of,
    overlap,
    rating_counts,
    tally_of,
)


@dataclass(frozen=True)
class MatrixRow:
    """One delivery group of the matrix: its actions at each level, and how many are overdue."""

    group: DeliveryGroup
    tally: Tally
    overdue: int
    families_view: object | None = None  # the group's families' view (coproduction), live or frozen
    disagrees: bool = False  # the families' view contradicts the officers' on-track ratings
    of_whole_group: bool = False  # the view is of the sub-group's parent as a whole (the sub-group has none of its own)

    @property
    def families_view_group_id(self) -> int:
        return self.group.parent_id if self.of_whole_group else self.group.pk


def _with_families(row: MatrixRow, views: dict, flagged: set[int]) -> MatrixRow:
    """A parent split into sub-groups has no row: a sub-group without a view of its own shows the parent's."""
    own = views.get(row.group.pk)
    if own is None and row.group.parent_id and (whole := views.get(row.group.parent_id)) is not None:
        return replace(row, families_view=whole, disagrees=row.group.parent_id in flagged, of_whole_group=True)
    return replace(row, families_view=own, disagrees=row.group.pk in flagged)


def matrix_with_families(matrix: list[MatrixSection], views: dict, flagged: set[int]) -> list[MatrixSection]:
    """The matrix with each group's families' view beside its ratings, and whether they disagree."""
    return [MatrixSection(section.priority_name, [_with_families(row, views, flagged) for row in section.rows]) for section in matrix]


@dataclass(frozen=True)
class MatrixSection:
    priority_name: str
    rows: list[MatrixRow]


def delivery_matrix(
    groups: list[DeliveryGroup], counts_by_group: dict[int, Tally], overdue_by_group: dict[int, int]
) -> list[MatrixSection]:
    """The delivery groups with actions, under their priorities, in plan order."""
    sections: dict[int, MatrixSection] = {}
    for group in groups:
        tally = counts_by_group.get(group.pk)
        if tally is None or not tally.total:
            continue
        section = sections.setdefault(group.priority_id, MatrixSection(group.priority.name, []))
        section.rows.append(MatrixRow(group, tally, overdue_by_group.get(group.pk, 0)))
    return list(sections.values())


def board_pack_kpis(snapshot: Snapshot) -> list[ScorecardRow]:
    """Each KPI of the strategy with the values the snapshot froze (none: "No data")."""
    frozen = KpiValue.objects.filter(snapshot_items__snapshot=snapshot).select_related("entered_by").order_by("period_start", "id")
    by_indicator: dict[int, list[KpiValue]] = {}
    for value in frozen:
        by_indicator.setdefault(value.indicator_id, []).append(value)
    # Benchmarks are never edited once read, so the pack shows the same ones each time it is rebuilt.
    benchmarks: dict[int, list[Benchmark]] = {}
    for benchmark in Benchmark.objects.filter(indicator__strategy_id=snapshot.strategy_id, period_start__lte=snapshot.as_at):
        benchmarks.setdefault(benchmark.indicator_id, []).append(benchmark)
    indicators = Indicator.objects.filter(strategy_id=snapshot.strategy_id).order_by("position", "id")
    rows = [ScorecardRow(indicator, by_indicator.get(indicator.pk, []), benchmarks.get(indicator.pk, [])) for indicator in indicators]
    for row in rows:
        # kpi_small_chart_svg escapes every piece of text it writes; one value needs no chart.
        row.chart = mark_safe(kpi_small_chart_svg(row.indicator, row.values, region_name=row.region_name)) if len(row.values) > 1 else ""
    return rows


def overdue_by_group(rows: list[ActionRow]) -> dict[int, int]:
    """How many of the rows are overdue (by the rule book, as at each row's date) in each delivery group."""
    return overdue_by_group_of(alike_counts(rows))


@dataclass(frozen=True)
class Listed:
    """An exception as the pack prints it: the action as frozen and its latest update written by a person."""

    row: ActionRow
    update: ActionUpdate | None


def latest_real_updates(action_ids: list[int], until: dt.datetime) -> dict[int, ActionUpdate]:
    """Each action's latest update written by a person up to a time: an import is not an update."""
    found = (
        ActionUpdate.objects.filter(action_id__in=action_ids, author__isnull=False, created_at__lte=until)
        .exclude(source=ActionUpdate.Source.IMPORT)
        .exclude(narrative="")
        .select_related("author")
        .order_by("action_id", "-created_at", "-id")
        .distinct("action_id")
    )
    return {update.action_id: update for update in found}


def movement_by_group(moves: list, groups_by_id: dict[int, DeliveryGroup]) -> list[dict]:
    """Each kind of movement counted, with its actions' refs under their delivery groups (not a row per action)."""
    found = []
    for key, label, kind_moves in moves:
        by_group: dict[int, list[str]] = {}
        for move in kind_moves:
            by_group.setdefault(move.row.group_id, []).append(move.row.ref)
        groups = [(groups_by_id[group_id], refs) for group_id, refs in by_group.items() if group_id in groups_by_id]
        groups.sort(key=lambda item: (item[0].position, item[0].pk))
        found.append({"key": key, "label": label, "count": len(kind_moves), "groups": groups})
    return found


TIMELINE_QUARTERS = 2  # the pack's timeline: the quarter of the ratings date and the next


def timeline_ahead(quarters: list[Quarter], as_at: dt.date) -> dict:
    """The pack's timeline: what is still owed from earlier quarters, then this quarter's and the next's deliverables.

    The rest (delivered earlier, or due later) is counted, not listed: the strategy's pages show every quarter.
    """
    until = quarter_start(as_at)
    for _ in range(TIMELINE_QUARTERS):
        until = quarter_start(until + dt.timedelta(days=100))
    shown, left_out = [], 0
    for quarter in quarters:
        owed = quarter.start < quarter_start(as_at)  # an earlier quarter: only what is not yet delivered
        items = [item for item in quarter.items if quarter.start < until and not (owed and item.status.code == DELIVERED.code)]
        left_out += len(quarter.items) - len(items)
        if items:
            shown.append(replace(quarter, items=items))
    return {"timeline": shown, "timeline_left_out": left_out}


def opening_arising(strategy_id: int, snapshot: Snapshot, meeting: Meeting | None) -> tuple[Meeting | None, list, list]:
    """The last meeting held before this pack's (or before the ratings' date), its decisions and its actions arising as they stand."""
    before = meeting.date if meeting else snapshot.as_at + dt.timedelta(days=1)
    last = last_meeting_held(strategy_id, before=before)
    if last is None or (meeting is not None and last.pk == meeting.pk):
        return None, [], []
    return last, decisions_for(last), actions_arising_for(last, today=snapshot.as_at)


def board_pack_context(
    snapshot: Snapshot, meeting: Meeting | None = None, officer_items: list[str] = (), sign_offs_at: dt.datetime | None = None
) -> dict:
    """What the pack says: the ratings and figures as the snapshot froze them, and the partners' sign-off for its
    meeting as it stood at `sign_offs_at` (when the pack was asked for; now unless given), from the sign-offs' history."""
    strategy = snapshot.strategy
    sign_offs_at = sign_offs_at or timezone.now()
    sign_off_meeting = meeting or sign_offs_meeting(snapshot)
    rows = rows_from_snapshot(snapshot)
    # A snapshot taken before the strategy moved to another scheme is read in the scheme it was rated in.
    levels = list(RatingLevel.objects.filter(scheme_id=rows[0].rating.scheme_id if rows else strategy.scheme_id).order_by("position"))
    previous = snapshot.previous()
    previous_rows = rows_from_snapshot(previous) if previous else []
    groups = list(DeliveryGroup.objects.filter(strategy=strategy).select_related("priority", "parent").order_by("position", "id"))
    groups_by_id = {group.pk: group for group in groups}

    counts = rating_counts(rows, levels)
    found = exceptions(rows)
    once = exceptions_once(found, [group.pk for group in groups])
    # An action in the previous snapshot and not in this one was retired in between.
    retired_ids = {row.action_id for row in previous_rows} - {row.action_id for row in rows}
    moved = movement(previous_rows, rows, retired_ids) if previous else None
    now = headline_counts(rows)
    before = headline_counts(previous_rows) if previous else None

    overdue = overdue_by_group(rows)
    appendix: dict[int, list[ActionRow]] = {}
    for row in rows:
        appendix.setdefault(row.group_id, []).append(row)

    views = families_views_frozen(snapshot)
    own = own_ratings(rows)
    disagreeing = disagreements_of(own, views, groups_by_id)
    flagged = {d.group.pk for d in disagreeing}
    # Each view beside the ratings it is judged against: a group's own actions' and its sub-groups'.
    area = area_ratings(own, groups_by_id)
    families = [
        {"group": g, "tally": tally_of(area.get(g.pk, []), levels), "families_view": views[g.pk], "disagrees": g.pk in flagged}
        for g in groups
        if g.pk in views
    ]

    kpis = board_pack_kpis(snapshot)
    kpi_counts = {rag: sum(1 for row in kpis if row.rag == rag) for rag in Rag}
    # Findings and their links are read as they are now; the actions' ratings and KPI values as the snapshot froze them.
    findings = [item for item in findings_progress(inspections_with_findings(strategy), rows, kpis) if item.findings]
    exception_ids = [row.action_id for row in once.risk] + [row.action_id for _, found_rows in once.overdue_by_group for row in found_rows]
    updates = latest_real_updates(exception_ids, snapshot.taken_at)
    last_meeting, last_decisions, arising = opening_arising(strategy.pk, snapshot, meeting)
    context = {
        "strategy": strategy,
        "partnership": strategy.partnership,
        "snapshot": snapshot,
        "previous": previous,
        "meeting": meeting,
        "board": meeting.board if meeting else None,
        "levels": levels,
        "items": rows,
        "counts": counts,
        "headlines": headlines(now, before),
        "headline_overlap": overlap(now),
        "matrix": delivery_matrix(groups, counts.by_group, overdue),
        "overdue_total": sum(overdue.values()),
        "exceptions": found,  # every kind, by the rule book
        "listed": once,  # what the pack prints: each action once
        "overdue_groups": [(groups_by_id[group_id], group_rows) for group_id, group_rows in once.overdue_by_group],
        "movement": moved,
        "moves": movement_once(moved) if moved else [],
        # Co-production: what the snapshot froze of the families' view; the partners' sign-off as at the pack's asking.
        "families_groups": families,
        "disagreements": disagreeing,
        "sign_off_meeting": sign_off_meeting,
        "sign_offs": sign_offs_as_at(sign_off_meeting, sign_offs_at) if sign_off_meeting else [],
        "sign_offs_at": sign_offs_at,
        **timeline_ahead(timeline(deliverables_of(strategy), rows, snapshot.as_at), snapshot.as_at),
        "kpis": kpis,
        "kpi_counts": [(rag, kpi_counts[rag]) for rag in Rag if kpi_counts[rag]],
        "appendix": [(group, appendix[group.pk]) for group in groups if group.pk in appendix],
        "findings": findings,
        # While a priority action plan is open, the findings section says when it is due, as at the snapshot.
        "plan_due": priority_action_plan_due(strategy, snapshot.as_at) if findings else None,
        "generated_at": timezone.now(),
        # What the pack prints: each exception once with its latest real update, movement counted by group.
        "risk_listed": [Listed(row, updates.get(row.action_id)) for row in once.risk],
        "overdue_listed": [
            (groups_by_id[group_id], [Listed(row, updates.get(row.action_id)) for row in group_rows])
            for group_id, group_rows in once.overdue_by_group
        ],
        "not_updated_groups": {
            group_id for group_id, group_rows in once.overdue_by_group if any(row.action_id not in updates for row in group_rows)
        },
        "movement_groups": movement_by_group(movement_once(moved), groups_by_id) if moved else [],
        # KPI values entered since the last board (up to the snapshot) that crossed their target or tolerance.
        "kpi_crossings": kpi_crossings_between(strategy.pk, previous.taken_at if previous else None, snapshot.taken_at),
        "last_meeting": last_meeting,
        "last_decisions": last_decisions,
        "arising": arising,
    }
    context["for_decision"] = items_for_decision(context, officer_items)
    for section in pack_sections():
        if section.filled and section.provider:
            context.update(section.provider(context))
    context["sections"] = [section for section in pack_sections() if section.shown(context)]
    return context


def pack_stylesheet() -> SafeString:
    """The pack's built stylesheet (static/css/pack.css), inlined so the PDF needs no fetch to style itself."""
    path = finders.find("css/pack.css")
    if not path:
        raise ImproperlyConfigured("static/css/pack.css is missing: build the stylesheets with `npm run build:css`.")
    with open(path, encoding="utf-8") as handle:
        # Our own compiled stylesheet, never user text.
        return mark_safe(handle.read())


def board_pack_html(
    snapshot: Snapshot,
    meeting: Meeting | None = None,
    *,
    for_print: bool = True,
    officer_items: list[str] = (),
    sign_offs_at: dt.datetime | None = None,
) -> str:
    context = board_pack_context(snapshot, meeting, officer_items, sign_offs_at)
    context["for_print"] = for_print
    if for_print:
        context["pack_css"] = pack_stylesheet()
    return render_to_string("reporting/pdf/board_pack.html", context)
