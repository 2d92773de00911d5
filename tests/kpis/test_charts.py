"""Charts are standalone, accessible SVG with the numbers in their description."""

from __future__ import annotations

import re
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
    assert "Lower is better" in desc and "February 2025: 26.5 weeks" in desc and "Target ≤ 23 weeks" in desc
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
    """With a benchmark, the legend's first line ("England") sat over the first period ("Jan 2025")."""
    svg = kpi_small_chart_svg(make(), values("30", "26.5", "22", england="25"))
    texts = {t.text: float(t.get("y")) for t in ET.fromstring(svg).iter(f"{SVG}text")}
    axis = max(float(line.get("y1")) for line in ET.fromstring(svg).iter(f"{SVG}line") if line.get("stroke") == "#0b0c0c")
    first, last, legend = texts["Jan 2025"], texts["Mar 2025"], texts["England"]
    assert first == last and axis < first - 8  # the periods' 9-point text just under the axis
    assert legend - 9 >= first  # the legend's line starts below the periods' baseline


def _boxes(svg: str) -> list[tuple[str, float, float, float, float]]:
    """Each text's box, roughly: Arial's average character is about 0.6 of its size wide."""
    found = []
    for t in ET.fromstring(svg).iter(f"{SVG}text"):
        size, x, y, text = float(t.get("font-size")), float(t.get("x")), float(t.get("y")), t.text or ""
        width = 0.6 * size * len(text)
        left = {"start": x, "middle": x - width / 2, "end": x - width}[t.get("text-anchor")]
        found.append((text, left, left + width, y - size, y))
    return found


def test_a_long_trend_labels_few_enough_periods_and_values_that_none_runs_into_another():
    """Thirty-two months labelled each month and each value ran together into one smear of text, and the target's label
    sat on the latest value's: now evenly spaced periods, the first and latest values, and the target in the legend."""
    months = [KpiValue(period=f"{2024 + (i + 3) // 12}-{(i + 3) % 12 + 1:02d}", value=Decimal(31 - i * Decimal("0.27"))) for i in range(32)]
    svg = kpi_chart_svg(make(name="Average number of weeks taken for EHC Plans to be issued"), months)
    texts = _boxes(svg)
    periods = [t for t in texts if re.fullmatch(r"[A-Z][a-z]{2} \d{4}", t[0])]
    assert 5 <= len(periods) <= 8 and periods[0][0] == "Apr 2024" and periods[-1][0] == "Nov 2026"
    points = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("font-weight") == "bold" and t.text.endswith(" weeks")]
    assert points == ["31 weeks", "22.63 weeks"]  # the first and the latest
    assert "Target ≤ 23 weeks" in [t[0] for t in texts]
    for i, (a, a_left, a_right, a_top, a_bottom) in enumerate(texts):
        for b, b_left, b_right, b_top, b_bottom in texts[i + 1 :]:
            assert not (a_left < b_right and b_left < a_right and a_top < b_bottom and b_top < a_bottom), f"{a!r} runs into {b!r}"
    # Every value is still in the chart's description, for a screen reader, and on the page's table.
    desc = ET.fromstring(svg).find(f"{SVG}desc").text
    assert all(f"{v.period_label}: " in desc for v in months)


def test_a_short_trend_labels_every_period_and_value_without_overlap():
    svg = kpi_chart_svg(make(), values("30", "26.5", "22", england="25"))
    texts = _boxes(svg)
    assert {"Jan 2025", "Feb 2025", "Mar 2025", "30 weeks", "26.5 weeks", "22 weeks"} <= {t[0] for t in texts}


def test_values_stand_as_far_apart_as_their_periods_and_close_labels_never_meet():
    """Three values of 2020-09, 2024-09 and 2024-12 were drawn evenly spaced, as if a quarter apart each."""
    import datetime as dt

    when = {"2020-09": dt.date(2020, 9, 1), "2024-09": dt.date(2024, 9, 1), "2024-12": dt.date(2024, 12, 1)}
    numbers = ("2800", "4820", "4854")
    series = [KpiValue(period=p, period_start=d, value=Decimal(n)) for (p, d), n in zip(when.items(), numbers, strict=True)]
    for chart in (kpi_chart_svg, kpi_small_chart_svg, sparkline_svg):
        svg = chart(make(name="Children and young people with an EHC plan", target=None), series)
        if chart is sparkline_svg:  # its line and the latest point: the line's corners are the values
            corners = re.findall(r"[ML]([\d.]+),", ET.fromstring(svg).find(f"{SVG}path").get("d"))
            xs = [float(x) for x in corners]
            assert 14 < (xs[1] - xs[0]) / (xs[2] - xs[1]) < 18, xs
            continue
        xs = [float(c.get("cx")) for c in ET.fromstring(svg).iter(f"{SVG}circle")]
        first_gap, second_gap = xs[1] - xs[0], xs[2] - xs[1]
        assert 14 < first_gap / second_gap < 18, (chart.__name__, xs)  # four years against one quarter
        texts = _boxes(svg)
        for i, (a, a_left, a_right, a_top, a_bottom) in enumerate(texts):
            for b, b_left, b_right, b_top, b_bottom in texts[i + 1 :]:
                assert not (a_left < b_right and b_left < a_right and a_top < b_bottom and b_top < a_bottom), f"{a!r} runs into {b!r}"
    labels = [t.text for t in ET.fromstring(kpi_chart_svg(make(target=None), series)).iter(f"{SVG}text")]
    assert "Sep 2020" in labels and "Dec 2024" in labels and "Sep 2024" not in labels  # beside the latest: left out


def test_a_value_label_the_target_line_would_cross_sits_under_its_point():
    """The latest value, 22.6 weeks just under a target of 23, had the target's dashed line through its letters."""
    root = ET.fromstring(kpi_chart_svg(make(), values("31", "27", "22.6")))
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray") == "8 4"]
    target = max(dashed, key=lambda line: float(line.get("x2")) - float(line.get("x1")))  # the line, not the legend's sample
    [label] = [t for t in root.iter(f"{SVG}text") if t.text == "22.6 weeks"]
    baseline, size = float(label.get("y")), float(label.get("font-size"))
    assert not (baseline - size <= float(target.get("y1")) <= baseline + 3)
    latest = list(root.iter(f"{SVG}circle"))[-1]
    assert baseline > float(latest.get("cy"))  # under its point


def test_a_chart_laid_out_for_a_phone_keeps_every_word_inside_it_and_apart():
    """Drawn 680 units wide and shrunk onto a phone, a chart's words were 7 px high: one 320 wide wraps its title and its
    legend onto more lines instead, and labels fewer periods and values, so nothing runs off it or into anything else."""
    months = [KpiValue(period=f"{2024 + (i + 3) // 12}-{(i + 3) % 12 + 1:02d}", value=Decimal(31 - i * Decimal("0.27"))) for i in range(32)]
    benchmarked = values("51", "42", "66.6", "38", "67.8", "47", "23.9", england="58")
    for indicator, series in (
        (make(name="Average number of weeks taken for EHC Plans to be issued, excluding exceptions"), months),
        (make(name="EHC plans issued within 20 weeks (excluding exceptions)", target="85"), benchmarked),
    ):
        svg = kpi_chart_svg(indicator, series, region_name="North West", width=320, height=300)
        root = ET.fromstring(svg)
        assert root.get("viewBox") == "0 0 320 300"
        texts = _boxes(svg)
        for text, left, right, top, bottom in texts:
            assert 0 <= left and right <= 320 and 0 <= top and bottom <= 300, f"{text!r} runs off the chart"
        for i, (a, a_left, a_right, a_top, a_bottom) in enumerate(texts):
            for b, b_left, b_right, b_top, b_bottom in texts[i + 1 :]:
                assert not (a_left < b_right and b_left < a_right and a_top < b_bottom and b_top < a_bottom), f"{a!r} runs into {b!r}"
        headings = [t.text for t in root.iter(f"{SVG}text") if t.get("font-size") == "15"]
        assert len(headings) > 1 and " ".join(headings).startswith(f"W1: {indicator.name[:30]}")
    # Every legend entry is drawn, on as many rows as it takes.
    legend = {
        t.text
        for t in ET.fromstring(kpi_chart_svg(make(), benchmarked, region_name="North West", width=320, height=300)).iter(f"{SVG}text")
    }
    assert {"Weeks to issue", "Target ≤ 23 weeks", "England"} <= legend


def test_the_label_over_the_highest_value_stays_clear_of_the_title():
    """A title on two lines ran into the label over a value at the top of the plot ("76%" under "them about their plan")."""
    series = [KpiValue(period="2023", value=Decimal("76")), KpiValue(period="2025", value=Decimal("64"))]
    name = "Children and young people who said someone talked to them about their plan when it was being written"
    share = Indicator(code="W1", name=name, unit="percentage", direction="higher", frequency="annual")  # drawn from 0: 76 at the top
    for width, height in ((680, 340), (320, 300)):
        texts = _boxes(kpi_chart_svg(share, series, width=width, height=height))
        [label] = [t for t in texts if t[0] == "76%" and t[1] > 58]  # the value's, not the axis's
        for title in [t for t in texts if t[0].startswith("W1") or name.endswith(t[0])]:
            assert label[3] >= title[4], f"{label[0]!r} runs into the title's line {title[0]!r} at {width} wide"


def _axis_numbers(svg: str) -> list[str]:
    """The value axis's numbers: the texts drawn right-aligned that are not a value's bold label."""
    return [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("text-anchor") == "end" and t.get("font-weight") != "bold"]


def test_the_trend_chart_s_value_axis_is_marked_at_round_numbers_that_span_every_value():
    """Counts such as 2,827 to 4,854 read against 2,000, 3,000 ... not 2,422, 3,131 ...; none outside the gridlines."""
    indicator = Indicator(code="C1", name="EHC plans", unit="count", direction="lower", frequency="monthly")
    ticks = _axis_numbers(kpi_chart_svg(indicator, values("2827", "4812", "4854")))
    numbers = [int(tick.replace(",", "")) for tick in ticks]
    assert numbers == sorted(numbers) and len(numbers) >= 3
    assert all(n % 1000 == 0 for n in numbers), ticks
    assert numbers[0] <= 2827 and numbers[-1] >= 4854
    assert len({b - a for a, b in zip(numbers, numbers[1:], strict=False)}) == 1  # evenly spaced
    # Percentages start at 0% and stop at 100% or below.
    rate = Indicator(code="P1", name="Within 20 weeks", unit="percentage", direction="higher", frequency="monthly")
    percent = _axis_numbers(kpi_chart_svg(rate, values("38.5", "79.6")))
    assert percent[0] == "0%" and 79.6 <= float(percent[-1].rstrip("%")) <= 100
