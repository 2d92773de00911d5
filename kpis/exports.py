"""A strategy's KPI definitions and current values as tables in the formats `load_kpis` and `import_kpi_values` read."""

from __future__ import annotations

from decimal import Decimal

from actions.models import Strategy
from intake.tables import cell_escape
from kpis.importers import INDICATOR_COLUMNS, VALUE_COLUMNS
from kpis.models import Indicator, KpiValue


def number_cell(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")  # 85.5000 -> "85.5", 4854.0000 -> "4854"


def indicators_table(strategy: Strategy) -> list[list[str]]:
    table = [list(INDICATOR_COLUMNS)]
    for indicator in Indicator.objects.filter(strategy=strategy).prefetch_related("delivery_groups").order_by("position", "id"):
        groups = sorted(indicator.delivery_groups.all(), key=lambda g: (g.position, g.pk))
        cells = []
        for column in INDICATOR_COLUMNS:
            value = "; ".join(g.name for g in groups) if column == "delivery_groups" else getattr(indicator, column)
            cells.append(number_cell(value) if isinstance(value, Decimal) or value is None else str(value))
        table.append([cell_escape(c) for c in cells])
    return table


def kpi_values_table(strategy: Strategy) -> list[list[str]]:
    """The value standing for each period (a corrected value's earlier versions are not included)."""
    table = [list(VALUE_COLUMNS)]
    values = KpiValue.objects.current().filter(indicator__strategy=strategy).select_related("indicator")
    for value in values.order_by("indicator__position", "indicator_id", "period_start", "id"):
        cells = [value.indicator.code, value.period, number_cell(value.value)]
        cells += [number_cell(getattr(value, column)) for column in ["england", "region", "statistical_neighbours"]]
        cells.append(value.note)
        table.append([cell_escape(c) for c in cells])
    return table
