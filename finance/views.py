from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from actions.access import get_strategy_for_user
from finance import reads
from finance.access import can_change_finance, finance_required, get_mitigation_for_user
from finance.forms import ActualForm, FiguresForm, FinancePlanForm, MitigationForm
from finance.models import FinancePlan, Mitigation
from finance.money import money_full, year_label
from finance.services import actual_record, figures_save, mitigation_save


def _plan_url(strategy_id: int) -> str:
    return reverse("finance:plan", args=[strategy_id])


def _page(request: HttpRequest, template: str, context: dict, form) -> HttpResponse:
    return render(request, template, {**context, "form": form}, status=422 if form.errors else 200)


@login_required
def plan(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The high-needs budget year by year: unmitigated, planned and achieved, the savings at risk, and each mitigation."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    summary = reads.finance_summary(strategy, today=timezone.localdate())
    return render(
        request,
        "finance/plan.html",
        {
            "strategy": strategy,
            "summary": summary,
            "can_change": can_change_finance(membership),
            "actuals": reads.actuals_recent(summary.plan) if summary else [],
        },
    )


@login_required
def plan_edit(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    finance_required(membership, "set up the finance plan")
    instance = FinancePlan.objects.filter(strategy=strategy).first() or FinancePlan(strategy=strategy)
    form = FinancePlanForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if saved.pk:
                saved.version = F("version") + 1
            saved.save()
        messages.success(request, f"The finance plan runs from {year_label(saved.first_year)} to {year_label(saved.last_year)}.")
        return redirect(reverse("finance:figures_edit", args=[strategy.pk]))
    return _page(request, "finance/plan_form.html", {"strategy": strategy, "finance_plan": instance}, form)


def _plan_of(strategy) -> FinancePlan:
    found = FinancePlan.objects.filter(strategy=strategy).prefetch_related("figures").first()
    if found is None:
        raise Http404("This strategy has no finance plan yet.")
    return found


@login_required
def figures_edit(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    finance_required(membership, "change the finance plan's figures")
    finance_plan = _plan_of(strategy)
    form = FiguresForm(request.POST if request.method == "POST" else None, plan=finance_plan)
    if request.method == "POST" and form.is_valid():
        figures_save(plan=finance_plan, figures=form.figures())
        messages.success(request, "The grant and forecasts are saved.")
        return redirect(_plan_url(strategy.pk))
    return _page(request, "finance/figures_form.html", {"strategy": strategy, "finance_plan": finance_plan}, form)


def _mitigation_page(request: HttpRequest, strategy, finance_plan: FinancePlan, mitigation: Mitigation | None) -> HttpResponse:
    form = MitigationForm(request.POST if request.method == "POST" else None, instance=mitigation, plan=finance_plan)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if saved.pk:
                saved.version += 1
            mitigation_save(mitigation=saved, actions=form.cleaned_data["action_refs"], planned=form.planned())
        messages.success(request, f"Mitigation {saved.ref} saved.")
        return redirect(f"{_plan_url(strategy.pk)}#mitigation-{saved.pk}")
    context = {"strategy": strategy, "finance_plan": finance_plan, "mitigation": mitigation}
    return _page(request, "finance/mitigation_form.html", context, form)


@login_required
def mitigation_add(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    finance_required(membership, "add mitigations")
    return _mitigation_page(request, strategy, _plan_of(strategy), None)


@login_required
def mitigation_edit(request: HttpRequest, mitigation_id: int) -> HttpResponse:
    mitigation, membership = get_mitigation_for_user(request.user, mitigation_id)
    finance_required(membership, "change mitigations")
    return _mitigation_page(request, mitigation.plan.strategy, mitigation.plan, mitigation)


@login_required
def actual_add(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """A finance lead enters what a mitigation has achieved in a year so far; earlier entries stay in the history."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    finance_required(membership, "enter actual figures")
    finance_plan = _plan_of(strategy)
    form = ActualForm(request.POST if request.method == "POST" else None, plan=finance_plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actual = actual_record(
            mitigation=data["mitigation"],
            year=data["year"],
            as_at=data["as_at"],
            achieved=data["achieved"],
            note=data["note"],
            by=request.user,
        )
        messages.success(request, f"{actual.mitigation.ref}: {money_full(actual.achieved)} achieved in {year_label(actual.year)} recorded.")
        return redirect(_plan_url(strategy.pk))
    return _page(request, "finance/actual_form.html", {"strategy": strategy, "finance_plan": finance_plan}, form)


@login_required
def headline(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The dashboard's finance figures, as a fragment the dashboard loads (and a page of its own without scripts)."""
    strategy, _membership = get_strategy_for_user(request.user, strategy_id)
    context = {"strategy": strategy, "headline": reads.headline(strategy, timezone.localdate())}
    return render(request, "finance/headline.html" + ("#figures" if request.htmx else ""), context)
