"""The risk register's and the high-needs budget's pages cost the same queries for a short register and plan as for a long one."""

# ruff: noqa: F811  (the fixtures imported below are the tests' arguments)

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finance.models import FinancePlan, Mitigation
from finance.services import actual_record, mitigation_save
from risks.services import risk_close, risk_rescore
from tests.actions.conftest import make_action  # noqa: F401  (fixture)
from tests.finance.conftest import finance_lead  # noqa: F401  (fixture)
from tests.risks.conftest import make_risk

pytestmark = pytest.mark.django_db
SMALL, LARGE = 2, 25


def grow(strategy, owner_post, lead_post, make_action, officer, finance_lead, count: int) -> None:
    """`count` risks (every third restricted, every fourth closed) and mitigations, each with its own action at risk, a re-score
    and an actual figure."""
    plan = FinancePlan.objects.get_or_create(strategy=strategy, defaults={"first_year": 2024, "last_year": 2030})[0]
    start = Mitigation.objects.filter(plan=plan).count()
    for n in range(start, start + count):
        action = make_action(rating="red")
        risk = make_risk(strategy, lead_post if n % 3 else owner_post, ref=f"R{n}", actions=[action], restricted=n % 3 == 0)
        risk_rescore(risk=risk, version=None, scores={"residual_likelihood": 3}, reason="Reviewed.", by=officer)
        if n % 4 == 3:  # some closed, with who and why: the register lists them apart
            risk_close(risk=risk, version=None, reason="No longer applies.", by=officer)
        mitigation = mitigation_save(
            mitigation=Mitigation(plan=plan, ref=f"M{n}", title=f"Mitigation {n}"), actions=[action], planned={2024: Decimal(1000 * n)}
        )
        actual_record(mitigation=mitigation, year=2024, as_at=dt.date(2025, 3, 31), achieved=Decimal(900 * n), by=finance_lead)


def pages(strategy, partnership) -> dict[str, tuple[str, dict]]:
    risk = strategy.risks.get(ref="R1")  # the same risk at both sizes: a restricted one costs a query more to check
    htmx = {"HTTP_HX_REQUEST": "true"}
    return {
        "register": (reverse("risks:register", args=[strategy.pk]), {}),
        "risk": (reverse("risks:risk_detail", args=[risk.pk]), {}),
        "close risk": (reverse("risks:risk_close", args=[risk.pk]), {}),
        "risks headline": (reverse("risks:headline", args=[strategy.pk]), htmx),
        "register export": (reverse("risks:register_export", args=[strategy.pk]), {}),
        "finance plan": (reverse("finance:plan", args=[strategy.pk]), {}),
        "finance headline": (reverse("finance:headline", args=[strategy.pk]), htmx),
        "mitigations export": (reverse("finance:mitigations_export", args=[strategy.pk]), {}),
        "workbook": (reverse("reporting:dashboard_export", args=[strategy.pk, "xlsx"]), {}),
        "change log": (reverse("reporting:change_log", args=[partnership.pk]) + "?what=risk", {}),
    }


def counts(client, strategy, partnership) -> dict[str, int]:
    # Each size built afresh: what a cache kept from the first pass must not make the second look cheaper or dearer.
    cache.clear()
    found = {}
    for name, (url, headers) in pages(strategy, partnership).items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, **headers).status_code == 200, name
        found[name] = len(queries)
    return found


def test_the_pages_cost_the_same_queries_at_two_sizes(
    client, strategy, partnership, owner_post, lead_post, make_action, officer, finance_lead
):
    client.force_login(officer)
    grow(strategy, owner_post, lead_post, make_action, officer, finance_lead, SMALL)
    small = counts(client, strategy, partnership)
    grow(strategy, owner_post, lead_post, make_action, officer, finance_lead, LARGE - SMALL)
    large = counts(client, strategy, partnership)
    assert large == small
    assert max(large.values()) <= 40
