"""The scorecard: each KPI's latest value, RAG, direction of travel and benchmark, from prefetched rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from actions.models import DeliveryGroup, Strategy
from kpis.charts import sparkline_svg
from kpis.models import Indicator, KpiValue, Rag, Travel


@dataclass
class ScorecardRow:
    indicator: Indicator
    values: list[KpiValue]
    latest: KpiValue | None = field(init=False)
    previous: KpiValue | None = field(init=False)

    def __post_init__(self) -> None:
        self.latest = self.values[-1] if self.values else None
        self.previous = self.values[-2] if len(self.values) > 1 else None

    @property
    def rag(self) -> Rag:
        return self.indicator.rag(self.latest.value if self.latest else None)

    @property
    def travel(self) -> Travel:
        return self.indicator.travel(self.latest.value if self.latest else None, self.previous.value if self.previous else None)

    @property
    def benchmark(self) -> str:
        """The latest value against England's figure for the same period, by the KPI's direction."""
        if self.latest is None or self.latest.england is None:
            return ""
        england = self.indicator.format(self.latest.england)
        if self.latest.value == self.latest.england:
            return f"Same as England ({england})"
        word = "Better" if self.indicator.is_better(self.latest.value, self.latest.england) else "Worse"
        return f"{word} than England ({england})"

    @property
    def sparkline(self) -> SafeString:
        # sparkline_svg escapes every piece of text it writes.
        return mark_safe(sparkline_svg(self.indicator, self.values))


def indicators_with_values(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """Indicators with their groups, owners and current values in period order: a fixed number of queries."""
    return indicators.prefetch_related(
        Prefetch(
            "values",
            queryset=KpiValue.objects.current().select_related("entered_by").order_by("period_start", "id"),
            to_attr="current_values",
        ),
        Prefetch("delivery_groups", queryset=DeliveryGroup.objects.select_related("parent").order_by("position", "id")),
        "owners",
    )


def scorecard_rows(indicators) -> list[ScorecardRow]:
    return [ScorecardRow(indicator, list(indicator.current_values)) for indicator in indicators]


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
