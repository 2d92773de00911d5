"""KPI fixtures: a percentage KPI owned by the owner persona's post, in the shared test strategy's group."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpis.models import Indicator, KpiValue, period_start


@pytest.fixture
def indicator(strategy, group, owner_post) -> Indicator:
    indicator = Indicator.objects.create(
        strategy=strategy,
        code="EHC-20WK",
        name="EHC needs assessments completed within 20 weeks",
        unit=Indicator.Unit.PERCENTAGE,
        direction=Indicator.Direction.HIGHER,
        frequency=Indicator.Frequency.MONTHLY,
        target=Decimal("85"),
        tolerance=Decimal("5"),
        stretch_aim=Decimal("100"),
    )
    indicator.delivery_groups.add(group)
    indicator.owners.add(owner_post)
    return indicator


def add_value(indicator: Indicator, period: str, value: str, **extra) -> KpiValue:
    return KpiValue.objects.create(
        indicator=indicator, period=period, period_start=period_start(indicator.frequency, period), value=Decimal(value), **extra
    )


@pytest.fixture
def west_plan(db):
    """The Cheshire West SEND Strategy, imported from its fixture as `seed_demo` does."""
    import json
    import os

    from django.core.management import call_command

    from actions.models import Strategy
    from tests.conftest import FIXTURES

    folder = FIXTURES / "cheshire-west-strategy"
    meta = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    call_command(
        "import_plan",
        str(folder / "actions.csv"),
        strategy=meta["strategy"],
        partnership=meta["partnership"],
        scheme=meta.get("scheme", "rag"),
        details=str(folder / "plan.json"),
        stdout=open(os.devnull, "w"),
    )
    return Strategy.objects.get(name=meta["strategy"])
