"""What goes into a board pack: everything is read from snapshots, so a pack can be reproduced."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from actions.models import DeliveryGroup, RatingLevel, Snapshot
from actions.rows import rows_from_snapshot
from governance.models import Meeting
from governance.summaries import exceptions, movement, rating_counts
from kpis.charts import kpi_chart_svg
from kpis.models import Benchmark, Indicator, KpiValue, Rag
from kpis.scorecard import ScorecardRow


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
        # kpi_chart_svg escapes every piece of text it writes.
        row.chart = mark_safe(kpi_chart_svg(row.indicator, row.values, region_name=row.region_name)) if row.values else ""
    return rows


def board_pack_context(snapshot: Snapshot, meeting: Meeting | None = None) -> dict:
    strategy = snapshot.strategy
    levels = list(RatingLevel.objects.filter(scheme_id=strategy.scheme_id).order_by("position"))
    rows = rows_from_snapshot(snapshot)
    previous = snapshot.previous()
    groups = list(DeliveryGroup.objects.filter(strategy=strategy).select_related("priority", "parent").order_by("position", "id"))
    rows_by_group: dict[int, list] = {}
    for row in rows:
        rows_by_group.setdefault(row.group_id, []).append(row)
    priorities: dict[int, dict] = {}
    for group in groups:
        entry = priorities.setdefault(group.priority_id, {"priority": group.priority, "groups": []})
        entry["groups"].append({"group": group, "items": rows_by_group.get(group.pk, [])})
    counts = rating_counts(rows, levels)
    for entry in priorities.values():
        entry["tally"] = counts.by_priority.get(entry["priority"].pk)
    kpis = board_pack_kpis(snapshot)
    kpi_counts = {rag: sum(1 for row in kpis if row.rag == rag) for rag in Rag}
    return {
        "strategy": strategy,
        "partnership": strategy.partnership,
        "snapshot": snapshot,
        "previous": previous,
        "meeting": meeting,
        "board": meeting.board if meeting else None,
        "levels": levels,
        "items": rows,
        "counts": counts,
        "exceptions": exceptions(rows),
        "movement": movement(rows_from_snapshot(previous), rows) if previous else None,
        "kpis": kpis,
        "kpi_counts": [(rag, kpi_counts[rag]) for rag in Rag],
        "priorities": list(priorities.values()),
        "generated_at": timezone.now(),
    }


def board_pack_html(snapshot: Snapshot, meeting: Meeting | None = None, *, for_print: bool = True) -> str:
    context = board_pack_context(snapshot, meeting)
    context["for_print"] = for_print
    return render_to_string("governance/pdf/board_pack.html", context)
