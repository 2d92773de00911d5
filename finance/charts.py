"""The finance plan's forecast chart as accessible SVG: the cumulative deficit each year, unmitigated beside planned.

A pure function of the summary's years; every text is escaped here. Bars are told apart by pattern (solid and
outlined) and a key, as well as by colour, and each bar carries its amount.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from finance.money import money_short

FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
INK = "#0b0c0c"
UNMITIGATED = "#505a5f"
PLANNED = "#1d70b8"
LABEL_LINE = 12  # the height of a bar's label, in pixels


def _text(x: float, y: float, content: str, *, size: float = 12, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size:g}" '
        f'text-anchor="{anchor}" fill="{INK}">{escape(content)}</text>'
    )


def forecast_chart_svg(years, *, width: int = 680, height: int = 300) -> str:
    """`years` are YearRows (finance.reads): each year's unmitigated and planned cumulative deficit forecast."""
    shown = [y for y in years if y.unmitigated is not None]
    listed = "; ".join(
        f"{y.label}: {money_short(y.unmitigated)} unmitigated, {money_short(y.planned_forecast)} with planned savings" for y in shown
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        "<title>Deficit forecast by year: unmitigated and with the planned savings</title>",
        f"<desc>{escape(listed or 'No forecasts entered yet.')}</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if not shown:
        return "".join([*parts, "</svg>"])
    left, right, top, bottom = 16, 16, 44, 40
    plot_h = height - top - bottom
    most = max(max(y.unmitigated, y.planned_forecast or Decimal("0")) for y in shown) or Decimal("1")
    slot = (width - left - right) / len(shown)
    bar, gap = slot * 0.4, slot * 0.04
    # Each amount no wider than its bar and half the gap either side (Arial's characters about 0.6 of their size), so a
    # label never runs over the next bar or into its label.
    widest = max(len(money_short(amount)) for y in shown for amount in (y.unmitigated, y.planned_forecast) if amount is not None)
    size = max(6.0, min(10.0, int((bar + gap) / (0.6 * widest) * 2) / 2))
    parts.append(f'<rect x="{left}" y="8" width="14" height="14" fill="{UNMITIGATED}"/>')
    parts.append(_text(left + 20, 20, "Unmitigated", anchor="start"))
    parts.append(f'<rect x="{left + 130}" y="8" width="14" height="14" fill="#ffffff" stroke="{PLANNED}" stroke-width="3"/>')
    parts.append(_text(left + 150, 20, "With planned savings", anchor="start"))
    base = top + plot_h
    for i, y in enumerate(shown):
        x = left + slot * i + slot * 0.08
        label_above = None  # the planned bar's label: the unmitigated one sits a line higher when they would touch
        for offset, amount, solid in ((bar + gap, y.planned_forecast, False), (0, y.unmitigated, True)):
            if amount is None:
                continue
            h = max(float(max(amount, Decimal("0")) / most) * plot_h, 1.0)
            style = f'fill="{UNMITIGATED}"' if solid else f'fill="#ffffff" stroke="{PLANNED}" stroke-width="3"'
            parts.append(f'<rect x="{x + offset:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" {style}/>')
            label_y = base - h - 4
            if label_above is not None and abs(label_y - label_above) < LABEL_LINE:
                label_y = min(label_y, label_above - LABEL_LINE)
            parts.append(_text(x + offset + bar / 2, label_y, money_short(amount), size=size))
            label_above = label_y
        parts.append(_text(left + slot * i + slot / 2, base + 16, y.label))
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{INK}"/>')
    parts.append("</svg>")
    return "".join(parts)
