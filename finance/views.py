from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from actions.access import get_strategy_for_user
from actions.models import Strategy
from finance import reads
from finance.access import can_change_finance, finance_required, get_mitigation_for_user
from finance.exports import mitigations_table
from finance.forms import ActualForm, FiguresForm, FinancePlanForm, MitigationForm
from finance.models import FinancePlan, Mitigation
from finance.money import money_full, year_label
from finance.readers import FinanceActualsReader
from finance.services import actual_record, figures_save, mitigation_save
from intake.models import Upload
from intake.readers import reader_named
from intake.services import upload_record
from intake.tables import xlsx_bytes
from intake.views import confirm, preview_page, upload_page, upload_request_limit
from send_tracker.security import rate_limited, request_size_limit, security_event

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACTUALS = reader_named(FinanceActualsReader.name)


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


def _plan_to_change(request: HttpRequest, strategy_id: int, what: str) -> tuple[Strategy, FinancePlan]:
    """A strategy's finance plan, for its officers and finance leads to change: 404 while it has none, 403 for other roles."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    finance_required(membership, what)
    found = FinancePlan.objects.filter(strategy=strategy).prefetch_related("figures").first()
    if found is None:
        raise Http404("This strategy has no finance plan yet.")
    return strategy, found


@login_required
def figures_edit(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, finance_plan = _plan_to_change(request, strategy_id, "change the finance plan's figures")
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
    strategy, finance_plan = _plan_to_change(request, strategy_id, "add mitigations")
    return _mitigation_page(request, strategy, finance_plan, None)


@login_required
def mitigation_edit(request: HttpRequest, mitigation_id: int) -> HttpResponse:
    mitigation, membership = get_mitigation_for_user(request.user, mitigation_id)
    finance_required(membership, "change mitigations")
    return _mitigation_page(request, mitigation.plan.strategy, mitigation.plan, mitigation)


@login_required
def actual_add(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """A finance lead enters what a mitigation has achieved in a year so far; earlier entries stay in the history."""
    strategy, finance_plan = _plan_to_change(request, strategy_id, "enter actual figures")
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
    """The dashboard's finance figures, as fragments the dashboard loads (its first screen's line with `?part=line`),
    and a page of its own without scripts."""
    strategy, _membership = get_strategy_for_user(request.user, strategy_id)
    context = {"strategy": strategy, "headline": reads.headline(strategy, timezone.localdate())}
    part = "#line" if request.GET.get("part") == "line" else "#figures"
    return render(request, "finance/headline.html" + (part if request.htmx else ""), context)


def _finance_strategy(request: HttpRequest, strategy_id: int) -> Strategy:
    strategy, _plan = _plan_to_change(request, strategy_id, "upload actual figures")
    return strategy


def _finance_upload(request: HttpRequest, import_id: int) -> Upload:
    uploads = upload_record(ACTUALS).objects.select_related("strategy__partnership", "uploaded_by")
    kept = uploads.filter(pk=import_id, source=ACTUALS.name).first()
    if kept is None:
        raise Http404("No such upload.")
    _finance_strategy(request, kept.strategy_id)
    return kept


@request_size_limit(upload_request_limit, by_url=True)
@login_required
def actuals_upload(request: HttpRequest, strategy_id: int, source: str) -> HttpResponse:
    """Upload a spreadsheet of actual figures; nothing is added until the preview is confirmed."""
    return upload_page(request, ACTUALS, _finance_strategy(request, strategy_id))


@login_required
def actuals_preview(request: HttpRequest, import_id: int, source: str) -> HttpResponse:
    return preview_page(request, ACTUALS, _finance_upload(request, import_id))


@login_required
@require_POST
def actuals_confirm(request: HttpRequest, import_id: int, source: str) -> HttpResponse:
    return confirm(request, ACTUALS, _finance_upload(request, import_id))


@login_required
@rate_limited("export", what="exports")
def mitigations_export(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The mitigations' planned and achieved savings per year as an Excel sheet, exact to the penny."""
    strategy, _membership = get_strategy_for_user(request.user, strategy_id)
    table = mitigations_table(strategy, timezone.localdate())
    response = HttpResponse(xlsx_bytes(table, title="Mitigations"), content_type=XLSX)
    name = f"{slugify(strategy.name)[:60] or 'plan'}-mitigations-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    security_event("export", request, strategy_id=strategy.pk, format="xlsx", rows=len(table) - 1)
    return response
