"""Fixtures for the high-needs budget: a seven-year plan, two mitigations, and a finance lead."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finance.models import FinancePlan, FinanceYear, Mitigation
from finance.services import mitigation_save
from people.models import Membership
from tests.conftest import make_user


@pytest.fixture
def finance_lead(partnership):
    return make_user("finance@example.org", partnership, Membership.Role.FINANCE_LEAD)


@pytest.fixture
def finance_plan(strategy) -> FinancePlan:
    plan = FinancePlan.objects.create(strategy=strategy, first_year=2024, last_year=2030)
    FinanceYear.objects.bulk_create(
        [
            FinanceYear(plan=plan, year=2024, grant=Decimal("60000000"), unmitigated_forecast=Decimal("110000000")),
            FinanceYear(
                plan=plan,
                year=2030,
                grant=Decimal("70000000"),
                unmitigated_forecast=Decimal("1070000000"),
                target_forecast=Decimal("236700000"),
            ),
        ]
    )
    return plan


@pytest.fixture
def mitigation(finance_plan, action) -> Mitigation:
    return mitigation_save(
        mitigation=Mitigation(plan=finance_plan, ref="M1", title="More resourced provision in mainstream"),
        actions=[action],
        planned={2024: Decimal("5000000"), 2025: Decimal("12500000.50")},
    )
