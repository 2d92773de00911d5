"""The demo's risk register and DSG management plan: the One Plan's own figures, illustrative the rest, and never seeded over."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from finance.models import FinancePlan, FinanceYear, MitigationSaving
from finance.reads import finance_summary
from risks.models import Risk, RiskScore
from risks.services import risk_reopen, risk_rescore

pytestmark = pytest.mark.django_db


def seed(name: str) -> str:
    out = io.StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def test_the_demo_register_has_ten_open_illustrative_risks_and_one_closed_linked_to_the_plans_actions(one_plan):
    seed("seed_risks_demo")
    risks = Risk.objects.filter(strategy=one_plan)
    assert risks.count() == 11 and not risks.filter(is_illustrative=False).exists()
    closed = risks.get(closed_at__isnull=False)  # a register keeps a risk that no longer applies, with why
    assert closed.ref == "R11" and "the cause has gone" in closed.closed_reason
    assert risks.filter(restricted=True).count() == 1
    sufficiency = risks.get(ref="R1")
    assert set(sufficiency.mitigating_actions.values_list("ref", flat=True)) == {"EPS1", "EPS4", "EPS5"}
    assert RiskScore.objects.filter(risk=sufficiency).count() == 2  # its first scoring and a re-score, each with a reason


def test_the_demo_finance_plan_carries_the_one_plans_dsg_figures_and_its_savings_add_up(one_plan):
    seed("seed_finance_demo")
    plan = FinancePlan.objects.get(strategy=one_plan)
    final = FinanceYear.objects.get(plan=plan, year=2030)
    assert (final.unmitigated_forecast, final.target_forecast) == (Decimal("1070000000"), Decimal("236700000"))
    assert sum(MitigationSaving.objects.filter(mitigation__plan=plan).values_list("planned", flat=True)) == Decimal("833300000")
    summary = finance_summary(one_plan, today=plan.strategy.ratings_as_at)
    assert summary.years[-1].planned_forecast == Decimal("236700000")
    assert summary.illustrative and summary.totals["achieved"] > 0


def test_seeding_again_changes_nothing_people_have_changed(one_plan, officer):
    seed("seed_risks_demo")
    seed("seed_finance_demo")
    risk = Risk.objects.get(strategy=one_plan, ref="R2")
    risk_rescore(risk=risk, version=None, scores={"residual_likelihood": 2}, reason="Backlog cleared.", by=officer)
    out = seed("seed_risks_demo") + seed("seed_finance_demo")
    assert "left as it is" in out and out.count("left as it is") == 2
    risk.refresh_from_db()
    assert risk.residual_likelihood == 2 and Risk.objects.filter(strategy=one_plan).count() == 11


def test_seeding_again_never_closes_or_reopens_a_risk_people_keep(one_plan, officer):
    seed("seed_risks_demo")
    reopened = Risk.objects.get(strategy=one_plan, ref="R11")
    risk_reopen(risk=reopened, version=None)
    assert "left as it is" in seed("seed_risks_demo")
    assert not Risk.objects.filter(strategy=one_plan, closed_at__isnull=False).exists()


def test_the_demo_budget_has_each_outturn_known_by_today_and_this_years_latest_position(one_plan):
    import datetime as dt

    from django.utils import timezone

    from finance.management.commands.seed_finance_demo import actuals_known
    from finance.models import FinanceActual

    seed("seed_finance_demo")
    today = timezone.localdate()
    actuals = FinanceActual.objects.filter(mitigation__plan__strategy=one_plan)
    this_year = today.year if today.month >= 4 else today.year - 1
    known = {year for year in range(2024, min(this_year, 2030) + 1) if dt.date(year + 1, 5, 30) < today}
    assert set(actuals.filter(note__startswith="Year-end outturn").values_list("year", flat=True)) == known
    latest = actuals.latest("entered_at")  # entered in the cycle in progress: the budget moved since the last board
    assert today - dt.timedelta(days=31) <= timezone.localdate(latest.entered_at) < today
    # On 5 December 2026, say: 2024-25's and 2025-26's outturns, and 2026-27 at June, September and November.
    assert [
        (year, as_at.isoformat(), entered.isoformat()) for year, as_at, entered, _share, _note in actuals_known(dt.date(2026, 12, 5))
    ] == [
        (2024, "2025-03-31", "2025-05-30"),
        (2025, "2026-03-31", "2026-05-30"),
        (2026, "2026-06-30", "2026-07-07"),
        (2026, "2026-09-30", "2026-10-07"),
        (2026, "2026-11-30", "2026-12-04"),
    ]
