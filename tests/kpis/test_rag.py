"""KPI RAG is worked out from the value, target and tolerance, in the KPI's direction: never typed, never stored."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpis.models import Indicator, Rag, Travel


def kpi(direction: str, target: str | None = "85", tolerance: str | None = "5") -> Indicator:
    return Indicator(
        code="K",
        name="K",
        unit=Indicator.Unit.PERCENTAGE,
        frequency=Indicator.Frequency.MONTHLY,
        direction=direction,
        target=Decimal(target) if target is not None else None,
        tolerance=Decimal(tolerance) if tolerance is not None else None,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("85", Rag.ON_TARGET),  # exactly on target
        ("85.0001", Rag.ON_TARGET),
        ("99", Rag.ON_TARGET),
        ("84.9999", Rag.WITHIN_TOLERANCE),
        ("80", Rag.WITHIN_TOLERANCE),  # exactly at the tolerance edge
        ("79.9999", Rag.OFF_TARGET),  # just beyond it
        ("0", Rag.OFF_TARGET),
    ],
)
def test_it_rates_a_higher_is_better_kpi(value, expected):
    assert kpi(Indicator.Direction.HIGHER).rag(Decimal(value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("23", Rag.ON_TARGET),  # exactly on target
        ("20", Rag.ON_TARGET),
        ("23.0001", Rag.WITHIN_TOLERANCE),
        ("25", Rag.WITHIN_TOLERANCE),  # exactly at the tolerance edge
        ("25.0001", Rag.OFF_TARGET),  # just beyond it
        ("52", Rag.OFF_TARGET),
    ],
)
def test_it_rates_a_lower_is_better_kpi(value, expected):
    assert kpi(Indicator.Direction.LOWER, target="23", tolerance="2").rag(Decimal(value)) == expected


def test_no_value_is_no_data_never_green_or_zero():
    for direction in Indicator.Direction.values:
        assert kpi(direction).rag(None) == Rag.NO_DATA
        assert kpi(direction).rag(None).label == "No data"


def test_a_kpi_without_a_target_says_so():
    assert kpi(Indicator.Direction.HIGHER, target=None).rag(Decimal("50")) == Rag.NO_TARGET


def test_a_blank_or_zero_tolerance_has_no_amber_band():
    for tolerance in (None, "0"):
        assert kpi(Indicator.Direction.HIGHER, tolerance=tolerance).rag(Decimal("84.99")) == Rag.OFF_TARGET
        assert kpi(Indicator.Direction.LOWER, target="23", tolerance=tolerance).rag(Decimal("23.01")) == Rag.OFF_TARGET


def test_labels_and_colours_are_the_tag_text_and_rating_colours():
    assert [(r.label, r.colour) for r in (Rag.ON_TARGET, Rag.WITHIN_TOLERANCE, Rag.OFF_TARGET, Rag.NO_DATA)] == [
        ("On target", "green"),
        ("Within tolerance", "amber"),
        ("Off target", "red"),
        ("No data", "grey"),
    ]


def test_direction_of_travel_follows_what_better_means():
    higher, lower = kpi(Indicator.Direction.HIGHER), kpi(Indicator.Direction.LOWER)
    assert higher.travel(Decimal("60"), Decimal("55")) == Travel.BETTER
    assert higher.travel(Decimal("50"), Decimal("55")) == Travel.WORSE
    assert lower.travel(Decimal("20"), Decimal("23")) == Travel.BETTER
    assert lower.travel(Decimal("24"), Decimal("23")) == Travel.WORSE
    assert lower.travel(Decimal("23.0"), Decimal("23")) == Travel.SAME
    assert lower.travel(Decimal("23"), None) == Travel.NONE
