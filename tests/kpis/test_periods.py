"""Periods are written the way each frequency is reported, and sort by their start date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kpis.models import PeriodError, format_number, period_start, period_words


@pytest.mark.parametrize(
    ("frequency", "text", "start"),
    [
        ("monthly", "2024-12", dt.date(2024, 12, 1)),
        ("termly", "2024/25 T1", dt.date(2024, 9, 1)),
        ("termly", "2024/25 T2", dt.date(2025, 1, 1)),
        ("termly", "2024/25 T3", dt.date(2025, 4, 1)),
        ("termly", "1999/00 T1", dt.date(1999, 9, 1)),
        ("annual", "2025", dt.date(2025, 1, 1)),
        ("survey", "2023", dt.date(2023, 1, 1)),
    ],
)
def test_it_reads_each_frequencys_period_style(frequency, text, start):
    assert period_start(frequency, text) == start


@pytest.mark.parametrize(
    ("frequency", "text"),
    [
        ("monthly", "2024-13"),
        ("monthly", "Dec 2024"),
        ("monthly", "2025"),
        ("termly", "2024/26 T1"),
        ("termly", "2024/25 T4"),
        ("termly", "2024-12"),
        ("annual", "2024/25"),
        ("survey", ""),
    ],
)
def test_it_rejects_a_period_in_the_wrong_style_with_an_example(frequency, text):
    with pytest.raises(PeriodError, match="Enter the period as"):
        period_start(frequency, text)


def test_numbers_read_as_people_write_them():
    assert format_number(Decimal("4854.0000"), "count") == "4,854"
    assert format_number(Decimal("72.5000"), "percentage") == "72.5%"
    assert format_number(Decimal("21.0000"), "weeks") == "21 weeks"
    assert format_number(Decimal("-0.5"), "score") == "-0.5"
    assert format_number(None, "count") == ""


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-11", "November 2026"),
        ("2025-01", "January 2025"),
        ("2024/25 T1", "Autumn term 2024/25"),
        ("2024/25 T2", "Spring term 2024/25"),
        ("2024/25 T3", "Summer term 2024/25"),
        ("2025", "2025"),
        # What is not a period of a known style (a benchmark's own label, an old import) reads as it was written.
        ("2026-13", "2026-13"),
        ("2022/23", "2022/23"),
        ("", ""),
    ],
)
def test_a_period_reads_in_words_where_people_read_it(text, words):
    """Pages, packs and emails say "November 2026", as people write a month, not the code "2026-11" a file holds."""
    assert period_words(text) == words


@pytest.mark.parametrize(("text", "words"), [("2026-11", "Nov 2026"), ("2024/25 T1", "2024/25 T1"), ("2025", "2025")])
def test_a_charts_axis_reads_a_month_in_short_words(text, words):
    """The trend chart's axis has room for "Nov 2026" under a point, as the table beside it says "November 2026"."""
    assert period_words(text, short=True) == words
