"""The forecast chart's labels: each bar's amount readable, never printed over its neighbour's or its neighbour bar."""

from __future__ import annotations

import re
from decimal import Decimal

from finance.charts import LABEL_LINE, forecast_chart_svg
from finance.reads import YearRow

AMOUNT = re.compile(r'<text x="([^"]+)" y="([^"]+)"[^>]*font-size="([^"]+)"[^>]*>(£[^<]+)</text>')
BAR = re.compile(r'<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)" (?:fill="#505a5f"|fill="#ffffff" stroke)')


def labels(svg: str) -> dict[str, float]:
    return {text: float(y) for _x, y, _size, text in AMOUNT.findall(svg)}


def boxes(svg: str) -> list[tuple[str, float, float, float, float]]:
    """Each amount's box, roughly (Arial's characters are about 0.6 of their size wide): text, left, right, top, bottom."""
    found = []
    for x, y, size, text in AMOUNT.findall(svg):
        width = 0.6 * float(size) * len(text)
        found.append((text, float(x) - width / 2, float(x) + width / 2, float(y) - float(size), float(y)))
    return found


def test_close_amounts_have_their_labels_a_line_apart_and_far_ones_stay_on_their_bars():
    years = [
        YearRow(year=2024, grant=None, unmitigated=Decimal("150000000"), target=None, planned_forecast=Decimal("133300000")),
        YearRow(year=2030, grant=None, unmitigated=Decimal("1070000000"), target=None, planned_forecast=Decimal("235000000")),
    ]
    found = labels(forecast_chart_svg(years))
    assert set(found) == {"£150.0m", "£133.3m", "£1.07bn", "£235.0m"}
    assert found["£133.3m"] - found["£150.0m"] >= LABEL_LINE
    assert found["£235.0m"] - found["£1.07bn"] > 100  # far apart already: each sits on its own bar


def test_a_seven_year_plan_s_amounts_touch_neither_each_other_nor_the_bar_beside_them():
    """At seven years (2024-25 to 2030-31) "£250.0m" ran into "£183.3m", and "£235.0m" was printed over the dark bar."""
    pairs = [(150, "133.3"), (250, "183.3"), (370, 220), (510, 235), (670, "236.7"), (860, 235), (1070, "236.7")]
    years = [
        YearRow(year=2024 + i, grant=None, unmitigated=Decimal(a) * 10**6, target=None, planned_forecast=Decimal(p) * 10**6)
        for i, (a, p) in enumerate(pairs)
    ]
    svg = forecast_chart_svg(years)
    found = boxes(svg)
    assert len(found) == 14
    for i, (text, left, right, top, bottom) in enumerate(found):
        for other, o_left, o_right, o_top, o_bottom in found[i + 1 :]:
            apart = right + 1 <= o_left or o_right + 1 <= left or bottom + 1 <= o_top or o_bottom + 1 <= top
            assert apart, f"{text} runs into {other}"
        for x, y, width, height in BAR.findall(svg):
            x, y, width, height = float(x), float(y), float(width), float(height)
            over = left < x + width and x < right and bottom > y and top < y + height
            centre = (left + right) / 2
            assert not over or x <= centre <= x + width, f"{text} is printed over the bar beside it"
