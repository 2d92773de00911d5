"""The forecast chart's labels: each bar's amount readable, never printed over its neighbour's."""

from __future__ import annotations

import re
from decimal import Decimal

from finance.charts import LABEL_LINE, forecast_chart_svg
from finance.reads import YearRow


def labels(svg: str) -> dict[str, float]:
    return {text: float(y) for y, text in re.findall(r'<text x="[^"]+" y="([^"]+)"[^>]*font-size="10"[^>]*>([^<]+)</text>', svg)}


def test_close_amounts_have_their_labels_a_line_apart_and_far_ones_stay_on_their_bars():
    years = [
        YearRow(year=2024, grant=None, unmitigated=Decimal("150000000"), target=None, planned_forecast=Decimal("133300000")),
        YearRow(year=2030, grant=None, unmitigated=Decimal("1070000000"), target=None, planned_forecast=Decimal("235000000")),
    ]
    found = labels(forecast_chart_svg(years))
    assert set(found) == {"£150.0m", "£133.3m", "£1.07bn", "£235.0m"}
    assert found["£133.3m"] - found["£150.0m"] >= LABEL_LINE
    assert found["£235.0m"] - found["£1.07bn"] > 100  # far apart already: each sits on its own bar
