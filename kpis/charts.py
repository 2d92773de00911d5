"""KPI charts as standalone, accessible SVG: the same markup serves the page, the SVG download and the PDF report.

Pure functions of an indicator and its values (no database access). Every
piece of text is escaped here, so callers may mark the result safe. Text
sets its font family explicitly because WeasyPrint's SVG text otherwise
falls back to a serif face.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from kpis.models import Indicator, KpiValue, format_number, period_words

FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
INK = "#0b0c0c"
SECONDARY = "#484949"
VALUE_COLOUR = "#1d70b8"
TARGET_COLOUR = "#00703c"
# Benchmarks are told apart by dash pattern and marker as well as colour.
BENCHMARKS = [
    ("england", "England", "#6f72af", "6 3"),
    ("region", "Region", "#d4351c", "2 3"),
    ("statistical_neighbours", "Statistical neighbours' average", "#505a5f", "10 3 2 3"),
]


def _text(x: float, y: float, content: str, *, size: int = 14, anchor: str = "start", fill: str = INK, weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}" fill="{fill}">{escape(content)}</text>'
    )


# Beyond this many values, a trend labels only its first and latest values: every value is in the description and the table.
MOST_LABELS = 8


def along(values: Sequence[KpiValue]) -> list[float]:
    """Where each value falls along the time axis, from 0 (the first period) to 1 (the latest), by when its period starts:
    values three years apart stand three years apart, not beside each other. By order where a period has no start."""
    if len(values) < 2:
        return [0.5] * len(values)
    starts = [v.period_start for v in values]
    if all(starts) and starts[-1] > starts[0]:
        whole = (starts[-1] - starts[0]).days
        return [(start - starts[0]).days / whole for start in starts]
    return [i / (len(values) - 1) for i in range(len(values))]


def spaced(xs: Sequence[float], gap: float) -> set[int]:
    """Which of the points at `xs` (in order) carry a label at least `gap` apart: the first and the last, and between them
    each point far enough from the last one labelled and from the end."""
    if not xs:
        return set()
    chosen, previous = {0, len(xs) - 1}, xs[0]
    for i in range(1, len(xs) - 1):
        if xs[i] - previous >= gap and xs[-1] - xs[i] >= gap:
            chosen.add(i)
            previous = xs[i]
    if len(xs) > 1 and xs[-1] - xs[0] < gap:
        chosen.discard(0)  # two labels would meet: the latest wins
    return chosen


def _scales(values: Sequence[KpiValue], left: float, top: float, plot_w: float, plot_h: float, low: Decimal, span: Decimal):
    """A chart's two scales: where the i-th value stands across (by when its period starts), and a number's height."""
    positions = along(values)

    def x_at(i: int) -> float:
        return left + plot_w * positions[i]

    def y_at(n: Decimal) -> float:
        return top + plot_h - float((n - low) / span) * plot_h

    return x_at, y_at


def _describe(indicator: Indicator, values: Sequence[KpiValue]) -> str:
    if not values:
        return f"No values have been entered for {indicator.name}."
    listed = "; ".join(f"{v.period_label}: {indicator.format(v.value)}" for v in values)
    target = f" Target {indicator.target_label()}." if indicator.target is not None else " No target set."
    return f"{indicator.get_direction_display()}. Values by period: {listed}.{target}"


def _lines(text: str, most: int, *, at_most: int = 2) -> list[str]:
    """`text` in lines of at most `most` characters, broken between words; past `at_most` lines, cut with an ellipsis."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= most:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    if len(lines) > at_most:
        lines = lines[:at_most]
        lines[-1] = lines[-1][: most - 1].rstrip() + "…"
    return [line if len(line) <= most else line[: most - 1] + "…" for line in lines]


def _legend_rows(legend: list[tuple[str, str, str]], left: float, width: float) -> list[list[tuple[float, tuple[str, str, str]]]]:
    """The legend's entries placed in rows that fit the chart's width: each entry's x, in its row."""
    rows: list[list] = [[]]
    x = left
    for entry in legend:
        wide = 40 + 7 * len(entry[0])
        if rows[-1] and x + wide - 10 > width:
            rows.append([])
            x = left
        rows[-1].append((x, entry))
        x += wide
    return rows


def _value_axis(indicator: Indicator, numbers: Sequence[Decimal]) -> tuple[Decimal, Decimal, list[Decimal]]:
    """(bottom, top, the gridlines' values) of a trend chart: round numbers (2,000, 2,500 ...) reaching past every value;
    from zero unless the values sit close together far above it, and a percentage up to 100% at most."""
    low, high = min(numbers), max(numbers)
    if indicator.unit == Indicator.Unit.PERCENTAGE and high <= 100:
        low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if low > 0 and (high - low) < high / 2:
        pad = (high - low) / 5 or abs(high) / 10 or Decimal(1)
        low, high = low - pad, high + pad
    else:
        low = min(low, Decimal(0))
    low, high, step = nice_axis(low, high, from_zero=False)
    return low, high, [low + step * k for k in range(int((high - low) / step) + 1)]


def kpi_chart_svg(
    indicator: Indicator,
    values: Sequence[KpiValue],
    *,
    region_name: str = "Region",
    width: int = 680,
    height: int = 340,
    css_class: str = "app-kpi-chart",
) -> str:
    """A trend chart: the KPI's values as labelled points, its target line and any benchmark series
    (England, the region by its name, the statistical neighbours' average).

    Laid out for its width: a narrow chart (a phone's) wraps its title and legend onto more lines, and labels fewer
    periods and values, so that its text is drawn at the size it is written rather than shrunk with a wide one."""
    title = f"{indicator.code}: {indicator.name}"
    desc = _describe(indicator, values)
    numbers: list[Decimal] = [v.value for v in values]
    series = []
    for attr, label, colour, dash in BENCHMARKS:
        points = [(i, getattr(v, attr)) for i, v in enumerate(values) if getattr(v, attr) is not None]
        if points:
            series.append((region_name if attr == "region" else label, colour, dash, points))
            numbers += [n for _, n in points]
    for extra in (indicator.target, indicator.stretch_aim):
        if extra is not None:
            numbers.append(extra)
    legend = [(indicator.name if len(indicator.name) <= 40 else "Value", VALUE_COLOUR, "")]
    if indicator.target is not None:
        # Named in the legend, not on the line, where the latest value's label would sit on it.
        legend.append((f"Target {indicator.target_label()}", TARGET_COLOUR, "8 4"))
    legend += [(label, colour, dash) for label, colour, dash, _points in series]
    low, high, gridlines = _value_axis(indicator, numbers) if values else (Decimal(0), Decimal(1), [])
    # Wide enough for the longest of the axis's numbers (12-point: about 7.2 units a character), 64 at the least.
    left, right = max(64, 10 + round(7.2 * max((len(indicator.format(n)) for n in gridlines), default=0))), 40
    # The title's lines (15-point bold: about 8.5 units a character) and the legend's rows, each 18 units. A narrow
    # chart's title starts at its edge, not over the plot, and may take a third line.
    narrow = width < 480
    heading_x = 8 if narrow else left
    headings = _lines(title, int((width - heading_x - 8) / 8.5), at_most=3 if narrow else 2)
    rows = _legend_rows(legend, left, width)
    # The plot starts far enough below the title's last line for the label over a value at the very top to fit between.
    top, bottom = 50 + 18 * (len(headings) - 1), 70 + 18 * (len(rows) - 1)
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="{css_class}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc)}</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if not values:
        parts.append(_text(width / 2, height / 2, "No data yet", size=16, anchor="middle", fill=SECONDARY))
        parts.append("</svg>")
        return "".join(parts)
    span = high - low

    x_at, y_at = _scales(values, left, top, plot_w, plot_h, low, span)

    for n in gridlines:
        y = y_at(n)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#dddddd" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 4, indicator.format(n), size=12, anchor="end"))
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{INK}" stroke-width="1"/>')
    xs = [x_at(i) for i in range(len(values))]
    periods = spaced(xs, 0.6 * 12 * max(len(period_words(v.period, short=True)) for v in values) + 10)
    for i, v in enumerate(values):
        if i in periods:
            parts.append(_text(xs[i], top + plot_h + 18, period_words(v.period, short=True), size=12, anchor="middle"))
    target_y = None
    if indicator.target is not None:
        y = target_y = y_at(indicator.target)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="8 4"/>'
        )
    for _label, colour, dash, points in series:
        path = " ".join(f"{'M' if k == 0 else 'L'}{x_at(i):.1f},{y_at(n):.1f}" for k, (i, n) in enumerate(points))
        parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>')
        for i, n in points:
            parts.append(f'<rect x="{x_at(i) - 3:.1f}" y="{y_at(n) - 3:.1f}" width="6" height="6" fill="{colour}"/>')
    path = " ".join(f"{'M' if i == 0 else 'L'}{x_at(i):.1f},{y_at(v.value):.1f}" for i, v in enumerate(values))
    parts.append(f'<path d="{path}" fill="none" stroke="{VALUE_COLOUR}" stroke-width="3"/>')
    widest = max(len(indicator.format(v.value)) for v in values)
    values_labelled = spaced(xs, 0.6 * 13 * widest + 6) if len(values) <= MOST_LABELS else {0, len(values) - 1}
    for i, v in enumerate(values):
        x, y = xs[i], y_at(v.value)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{VALUE_COLOUR}"/>')
        if i in values_labelled:
            # At either end of the axis a label reaches inwards, clear of the axis's own numbers and of the edge.
            anchor = "start" if x <= left and len(values) > 1 else "end" if x >= left + plot_w else "middle"
            # Above its point, or below it where the target's line would run through the label's letters.
            baseline = y - 10 if target_y is None or not (y - 26 <= target_y <= y - 3) else y + 22
            parts.append(
                _text(
                    x - 4 if anchor == "start" else x + 4 if anchor == "end" else x,
                    baseline,
                    indicator.format(v.value),
                    size=13,
                    anchor=anchor,
                    weight="bold",
                )
            )
    for row, placed in enumerate(rows):
        y = height - 18 - 18 * (len(rows) - 1 - row)
        for x, (label, colour, dash) in placed:
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{colour}" stroke-width="3"{dashed}/>')
            parts.append(_text(x + 30, y + 5, label, size=12))
    for line, heading in enumerate(headings):
        parts.append(_text(heading_x, 22 + 18 * line, heading, size=15, weight="bold"))
    parts.append("</svg>")
    return "".join(parts)


def sparkline_svg(indicator: Indicator, values: Sequence[KpiValue], *, width: int = 96, height: int = 28) -> str:
    """A small trend line for a scorecard row, with the latest point marked."""
    if not values:
        label = "No values yet"
    else:
        label = "Trend: " + ", ".join(f"{v.period_label} {indicator.format(v.value)}" for v in values[-12:])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'class="app-kpi-sparkline">',
        f"<title>{escape(label)}</title>",
        f"<desc>{escape(indicator.get_direction_display())}</desc>",
    ]
    shown = list(values[-12:])
    if len(shown) >= 1:
        numbers = [v.value for v in shown] + ([indicator.target] if indicator.target is not None else [])
        low, high = min(numbers), max(numbers)
        span = (high - low) or Decimal(1)
        x_at, y_at = _scales(shown, 4, 4, width - 8, height - 8, low, span)  # 4 px clear of each edge

        if indicator.target is not None:
            y = y_at(indicator.target)
            parts.append(
                f'<line x1="0" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="{TARGET_COLOUR}" stroke-width="1" stroke-dasharray="3 2"/>'
            )
        path = " ".join(f"{'M' if i == 0 else 'L'}{x_at(i):.1f},{y_at(v.value):.1f}" for i, v in enumerate(shown))
        parts.append(f'<path d="{path}" fill="none" stroke="{VALUE_COLOUR}" stroke-width="2"/>')
        parts.append(f'<circle cx="{x_at(len(shown) - 1):.1f}" cy="{y_at(shown[-1].value):.1f}" r="3" fill="{VALUE_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)


# Units whose values are amounts from nothing up, so an axis that starts at zero tells the truth.
ZERO_BASED_UNITS = {Indicator.Unit.PERCENTAGE, Indicator.Unit.COUNT, Indicator.Unit.WEEKS, Indicator.Unit.RATE}


def nice_axis(low: Decimal, high: Decimal, *, from_zero: bool, ticks: int = 4) -> tuple[Decimal, Decimal, Decimal]:
    """(bottom, top, step) of an axis whose ticks are round numbers (1, 2, 2.5 or 5 times a power of ten)."""
    if from_zero:
        low = min(low, Decimal(0))
    span = (high - low) or abs(high) or Decimal(1)
    raw = span / ticks
    power = Decimal(10) ** (raw.adjusted())
    step = next(power * m for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)) if power * m >= raw)
    bottom = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    top = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    if top == bottom:
        top = bottom + step
    return bottom, top, step


def kpi_small_chart_svg(
    indicator: Indicator, values: Sequence[KpiValue], *, region_name: str = "Region", width: int = 230, height: int = 96
) -> str:
    """A small-multiple trend for the board pack: values, the target line, round ticks, zero-based where the unit allows,
    and any benchmark series (England, the region by its name, the neighbours' average), each named in a legend."""
    desc = _describe(indicator, values)
    series = []
    for attr, label, colour, dash in BENCHMARKS:
        points = [(i, getattr(v, attr)) for i, v in enumerate(values) if getattr(v, attr) is not None]
        if points:
            series.append((region_name if attr == "region" else label, colour, dash, points))
    legend_h = 12 * len(series)
    height += legend_h
    left, right, top, bottom = 34, 8, 10, 18 + legend_h
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [v.value for v in values] + ([indicator.target] if indicator.target is not None else [])
    numbers += [n for *_, points in series for _, n in points]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="app-kpi-small-chart">',
        f"<title>{escape(indicator.name)}</title>",
        f"<desc>{escape(desc)}</desc>",
    ]
    if not values:
        parts.append("</svg>")
        return "".join(parts)
    low, high, step = nice_axis(min(numbers), max(numbers), from_zero=indicator.unit in ZERO_BASED_UNITS)
    if indicator.unit == Indicator.Unit.PERCENTAGE and high > 100 >= max(numbers):
        high = Decimal(100)
    span = high - low

    x_at, y_at = _scales(values, left, top, plot_w, plot_h, low, span)

    n = low
    while n <= high:
        y = y_at(n)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#dddddd" stroke-width="1"/>')
        # Ticks carry the number (and % for percentages) only: the unit is in the KPI's name.
        tick = indicator.format(n) if indicator.unit == Indicator.Unit.PERCENTAGE else format_number(n)
        parts.append(_text(left - 4, y + 3, tick, size=9, anchor="end", fill=SECONDARY))
        n += step
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{INK}" stroke-width="1"/>')
    # The periods just under the axis, above the legend (were they at the foot, the legend's first line would cover them).
    period_y = top + plot_h + 13
    parts.append(_text(left, period_y, period_words(values[0].period, short=True), size=9, fill=SECONDARY))
    if len(values) > 1:
        parts.append(_text(left + plot_w, period_y, period_words(values[-1].period, short=True), size=9, anchor="end", fill=SECONDARY))
    if indicator.target is not None:
        y = y_at(indicator.target)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{TARGET_COLOUR}" stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
    for number, (label, colour, dash, points) in enumerate(series):
        line = " ".join(f"{'M' if k == 0 else 'L'}{x_at(i):.1f},{y_at(n):.1f}" for k, (i, n) in enumerate(points))
        parts.append(f'<path d="{line}" fill="none" stroke="{colour}" stroke-width="1.5" stroke-dasharray="{dash}"/>')
        y = height - legend_h + 12 * number + 6
        parts.append(
            f'<line x1="{left}" y1="{y - 3}" x2="{left + 18}" y2="{y - 3}" stroke="{colour}" stroke-width="1.5" stroke-dasharray="{dash}"/>'
        )
        parts.append(_text(left + 22, y, label, size=9, fill=SECONDARY))
    path = " ".join(f"{'M' if i == 0 else 'L'}{x_at(i):.1f},{y_at(v.value):.1f}" for i, v in enumerate(values))
    parts.append(f'<path d="{path}" fill="none" stroke="{VALUE_COLOUR}" stroke-width="2"/>')
    for i, v in enumerate(values):
        parts.append(f'<circle cx="{x_at(i):.1f}" cy="{y_at(v.value):.1f}" r="2.5" fill="{VALUE_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)
