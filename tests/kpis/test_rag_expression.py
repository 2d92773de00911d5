"""A KPI value's RAG in the database (the feed's Status) agrees with the scorecard's, for every kind of KPI."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from kpis.models import Indicator, KpiValue, Rag

pytestmark = pytest.mark.django_db

TARGETS = (None, Decimal("80"))
TOLERANCES = (None, Decimal("0"), Decimal("5"))
VALUES = [Decimal(v) for v in ("70", "74.9999", "75", "76", "79.9999", "80", "80.0001", "84", "85", "85.0001", "90")]


def test_the_database_gives_each_value_the_rag_the_scorecard_gives_it(strategy):
    expected = {}
    for number, (direction, target, tolerance) in enumerate(itertools.product(Indicator.Direction.values, TARGETS, TOLERANCES)):
        indicator = Indicator.objects.create(
            strategy=strategy,
            code=f"K{number}",
            name=f"KPI {number}",
            unit=Indicator.Unit.PERCENTAGE,
            direction=direction,
            frequency=Indicator.Frequency.MONTHLY,
            target=target,
            tolerance=tolerance,
        )
        for month, value in enumerate(VALUES, start=1):
            start = dt.date(2025, month, 1)
            kept = KpiValue.objects.create(indicator=indicator, period=f"{start:%Y-%m}", period_start=start, value=value)
            expected[kept.pk] = indicator.rag(value).value
    found = dict(KpiValue.objects.annotate(rag=Indicator.rag_expression()).values_list("pk", "rag"))
    assert found == expected
    # Every answer but "no data" (a stored value always has one) comes up, so the grid tests each branch.
    assert set(expected.values()) == set(Rag.values) - {Rag.NO_DATA}
