"""The scorecard: each KPI's latest value, RAG, direction of travel and benchmark, from prefetched rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from actions.models import DeliveryGroup, Strategy
from kpis.charts import sparkline_svg
from kpis.models import Benchmark, Indicator, KpiValue, Rag, Travel
from people.models import Post


@dataclass
class ScorecardRow:
    indicator: Indicator
    values: list[KpiValue]
    benchmarks: list[Benchmark] = field(default_factory=list)
    latest: KpiValue | None = field(init=False)
    previous: KpiValue | None = field(init=False)

    def __post_init__(self) -> None:
        self.latest = self.values[-1] if self.values else None
        self.previous = self.values[-2] if len(self.values) > 1 else None

    @property
    def benchmark_by_period(self) -> dict[str, Benchmark]:
        return {b.period: b for b in self.benchmarks}

    @property
    def latest_benchmark(self) -> Benchmark | None:
        return self.benchmark_by_period.get(self.latest.period) if self.latest else None

    @property
    def region_name(self) -> str:
        """The region the benchmarks are for, as the open-data file names it; "Region" when typed by hand."""
        named = [b.region_name for b in self.benchmarks if b.region_name]
        return named[-1] if named else "Region"

    def _against(self, figure, label: str) -> str:
        shown = self.indicator.format(figure)
        if self.latest.value == figure:
            return f"Same as {label} ({shown})"
        word = "Better" if self.indicator.is_better(self.latest.value, figure) else "Worse"
        return f"{word} than {label} ({shown})"

    @property
    def comparisons(self) -> list[str]:
        """The latest value against England, the region and the statistical neighbours, then its rank."""
        if self.latest is None:
            return []
        benchmark = self.latest_benchmark
        england = benchmark.england if benchmark else self.latest.england
        region = benchmark.region if benchmark else self.latest.region
        neighbours = benchmark.neighbours_average if benchmark else self.latest.statistical_neighbours
        found = []
        if england is not None:
            found.append(self._against(england, "England"))
        if region is not None:
            found.append(self._against(region, self.region_name if self.region_name != "Region" else "the region"))
        if neighbours is not None:
            found.append(self._against(neighbours, "statistical neighbours"))
        if benchmark and benchmark.rank_label():
            found.append(f"Ranked {benchmark.rank_label()}")
        return found

    @property
    def rag(self) -> Rag:
        return self.indicator.rag(self.latest.value if self.latest else None)

    @property
    def travel(self) -> Travel:
        return self.indicator.travel(self.latest.value if self.latest else None, self.previous.value if self.previous else None)

    @property
    def benchmark(self) -> str:
        """The comparisons in one line, for the pack."""
        return "; ".join(self.comparisons)

    @property
    def sparkline(self) -> SafeString:
        # sparkline_svg escapes every piece of text it writes.
        return mark_safe(sparkline_svg(self.indicator, self.values))


def indicators_with_values(indicators: QuerySet[Indicator], *, detail: bool = True) -> QuerySet[Indicator]:
    """Indicators with their groups, owners and current values in period order: a fixed number of queries.

    Without `detail`, only the values (enough for each KPI's RAG and latest figure, as headlines show).
    """
    values = KpiValue.objects.current().order_by("period_start", "id")
    if not detail:
        return indicators.prefetch_related(Prefetch("values", queryset=values, to_attr="current_values"))
    return indicators.prefetch_related(
        Prefetch("values", queryset=values.select_related("entered_by"), to_attr="current_values"),
        Prefetch("delivery_groups", queryset=DeliveryGroup.objects.select_related("parent").order_by("position", "id")),
        Prefetch("benchmarks", queryset=Benchmark.objects.order_by("period_start"), to_attr="benchmark_rows"),
        Prefetch("owners", queryset=Post.objects.select_related("organisation")),
    )


def scorecard_rows(indicators) -> list[ScorecardRow]:
    # Indicators read without detail have no benchmarks to show.
    return [ScorecardRow(i, list(i.current_values), list(getattr(i, "benchmark_rows", []))) for i in indicators]


@dataclass
class ScorecardSection:
    heading: str
    group: DeliveryGroup | None
    rows: list[ScorecardRow]


def strategy_scorecard(strategy: Strategy, rag: str = "") -> tuple[list[ScorecardSection], dict[str, int], int]:
    """The strategy's KPIs grouped by delivery group (a KPI evidencing two groups appears under both).

    Returns the sections (filtered to one RAG if given), the count of KPIs at
    each RAG, and the number of KPIs in the strategy.
    """
    rows = scorecard_rows(indicators_with_values(Indicator.objects.filter(strategy=strategy).order_by("position", "id")))
    counts = {choice.value: 0 for choice in Rag}
    for row in rows:
        counts[row.rag.value] += 1
    shown = [row for row in rows if row.rag.value == rag] if rag else rows
    sections: dict[int | None, ScorecardSection] = {}
    groups = list(DeliveryGroup.objects.filter(strategy=strategy).select_related("parent").order_by("position", "id"))
    for group in groups:
        sections[group.pk] = ScorecardSection(str(group), group, [])
    unlinked = ScorecardSection("Not linked to a delivery group", None, [])
    for row in shown:
        linked = list(row.indicator.delivery_groups.all())
        for group in linked:
            sections[group.pk].rows.append(row)
        if not linked:
            unlinked.rows.append(row)
    result = [section for section in sections.values() if section.rows]
    if unlinked.rows:
        result.append(unlinked)
    return result, counts, len(rows)


def group_kpi_rows(group: DeliveryGroup) -> list[ScorecardRow]:
    """The KPIs that evidence a delivery group or its sub-groups, for the group's page."""
    indicators = Indicator.objects.filter(Q(delivery_groups=group) | Q(delivery_groups__parent=group)).distinct()
    return scorecard_rows(indicators_with_values(indicators.order_by("position", "id")))
