"""Charts are standalone, accessible SVG with the numbers in their description."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from kpis.charts import kpi_chart_svg, kpi_small_chart_svg, sparkline_svg
from kpis.models import Indicator, KpiValue

SVG = "{http://www.w3.org/2000/svg}"


def make(name: str = "Weeks to issue", target: str | None = "23") -> Indicator:
    return Indicator(code="W1", name=name, unit="weeks", direction="lower", frequency="monthly", target=Decimal(target) if target else None)


def values(*numbers: str, england: str | None = None) -> list[KpiValue]:
    return [
        KpiValue(period=f"2025-0{i + 1}", value=Decimal(n), england=Decimal(england) if england else None) for i, n in enumerate(numbers)
    ]


def test_the_trend_chart_has_title_description_target_benchmarks_and_labelled_points():
    svg = kpi_chart_svg(make(), values("30", "26.5", "22", england="25"))
    root = ET.fromstring(svg)  # well-formed standalone XML
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "W1: Weeks to issue"
    desc = root.find(f"{SVG}desc").text
    assert "Lower is better" in desc and "2025-02: 26.5 weeks" in desc and "Target ≤ 23 weeks" in desc
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"30 weeks", "26.5 weeks", "22 weeks", "Target ≤ 23 weeks", "England"} <= set(texts)
    assert all(t.get("font-family", "").startswith("Arial") for t in root.iter(f"{SVG}text"))
    assert len(list(root.iter(f"{SVG}circle"))) == 3


def test_a_chart_with_no_values_says_no_data():
    root = ET.fromstring(kpi_chart_svg(make(target=None), []))
    assert "No data yet" in [t.text for t in root.iter(f"{SVG}text")]
    assert ET.fromstring(sparkline_svg(make(), [])).find(f"{SVG}title").text == "No values yet"


def test_user_text_is_escaped_in_charts():
    hostile = '</title><script>alert("x")</script>'
    for svg in (kpi_chart_svg(make(name=hostile), values("1")), sparkline_svg(make(name=hostile), values("1"))):
        assert "<script>" not in svg
        ET.fromstring(svg)


def test_a_single_value_and_a_flat_series_still_draw():
    for series in (values("5"), values("5", "5", "5")):
        root = ET.fromstring(kpi_chart_svg(make(target=None), series))
        assert root.find(f"{SVG}desc").text.count("5 weeks") == len(series)
        ET.fromstring(sparkline_svg(make(), series))


def test_the_pack_s_small_chart_puts_its_periods_under_the_axis_and_its_legend_below_them():
    """With a benchmark, the legend's first line ("England") sat over the first period ("2025-01")."""
    svg = kpi_small_chart_svg(make(), values("30", "26.5", "22", england="25"))
    texts = {t.text: float(t.get("y")) for t in ET.fromstring(svg).iter(f"{SVG}text")}
    axis = max(float(line.get("y1")) for line in ET.fromstring(svg).iter(f"{SVG}line") if line.get("stroke") == "#0b0c0c")
    first, last, legend = texts["2025-01"], texts["2025-03"], texts["England"]
    assert first == last and axis < first - 8  # the periods' 9-point text just under the axis
    assert legend - 9 >= first  # the legend's line starts below the periods' baseline
