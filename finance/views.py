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
from finance import reads
from finance.access import can_change_finance, finance_required, get_mitigation_for_user
from finance.exports import mitigations_table
from finance.forms import ActualForm, ActualsUploadForm, FiguresForm, FinancePlanForm, MitigationForm
from finance.importers import actuals_import
from finance.models import ActualsImport, FinancePlan, Mitigation
from finance.money import money_full, year_label
from finance.services import actual_record, figures_save, mitigation_save
from intake.tables import xlsx_bytes
from people.access import member_object
from send_tracker.security import rate_limited, security_event

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _summary(loaded) -> dict:
    return {
        "rows": loaded.rows[:500],
        "count": len(loaded.rows),
        "created": loaded.created,
        "problems": [{"row": p.row, "column": p.column, "value": p.value, "message": p.message} for p in loaded.problems[:500]],
    }


@login_required
def actuals_upload(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """Upload a spreadsheet of actual figures; nothing is added until the preview is confirmed."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    finance_required(membership, "upload actual figures")
    finance_plan = _plan_of(strategy)
    form = ActualsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        loaded = actuals_import(content, upload.name, finance_plan, apply=False)
        kept = ActualsImport.objects.create(
            plan=finance_plan,
            uploaded_by=request.user,
            filename=upload.name[:255],
            content=content,
            status=ActualsImport.Status.REJECTED if loaded.problems else ActualsImport.Status.PREVIEWED,
            summary=_summary(loaded),
        )
        return redirect("finance:actuals_preview", import_id=kept.pk)
    return _page(request, "finance/actuals_upload.html", {"strategy": strategy, "finance_plan": finance_plan}, form)


def _finance_import(request: HttpRequest, import_id: int) -> ActualsImport:
    found = ActualsImport.objects.select_related("plan__strategy__partnership")
    kept, membership = member_object(request.user, found, import_id, "plan.strategy.partnership_id", "No such upload.")
    finance_required(membership, "upload actual figures")
    return kept


@login_required
def actuals_preview(request: HttpRequest, import_id: int) -> HttpResponse:
    kept = _finance_import(request, import_id)
    return render(request, "finance/actuals_preview.html", {"kept": kept, "strategy": kept.plan.strategy})


@login_required
@require_POST
def actuals_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    kept = _finance_import(request, import_id)
    with transaction.atomic():
        locked = ActualsImport.objects.select_for_update().get(pk=kept.pk)
        if locked.status != ActualsImport.Status.PREVIEWED:
            messages.error(request, "This file has already been added, or had problems: upload it again.")
            return redirect("finance:actuals_preview", import_id=kept.pk)
        # The same bytes again: a mitigation may have been renamed since the preview.
        loaded = actuals_import(bytes(locked.content), locked.filename, kept.plan, by=request.user)
        locked.status = ActualsImport.Status.REJECTED if loaded.problems else ActualsImport.Status.APPLIED
        locked.summary = _summary(loaded)
        locked.save(update_fields=["status", "summary"])
    if loaded.problems:
        return redirect("finance:actuals_preview", import_id=kept.pk)
    messages.success(request, f"Added {loaded.created} actual figure{'s' if loaded.created != 1 else ''} from {kept.filename}.")
    return redirect(_plan_url(kept.plan.strategy_id))


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
