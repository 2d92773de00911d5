from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from actions.access import get_strategy_for_user, officer_strategy
from intake.tables import xlsx_bytes
from people.access import is_officer
from risks import reads, rules
from risks.access import can_change_risk, change_required, get_risk_for_user, risks_visible, sees_restricted
from risks.exports import risks_table
from risks.forms import CloseForm, ReopenForm, RescoreForm, RiskForm, RiskScaleForm
from risks.models import Risk, RiskScale
from risks.services import RiskClosedError, RiskRefusedError, risk_change, risk_close, risk_create, risk_reopen, risk_rescore
from send_tracker.forms import form_written
from send_tracker.security import rate_limited, security_event

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def register(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The strategy's risk register: the heat map, then every open risk the person may read, highest residual score first,
    then the closed ones kept on record."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    scale = RiskScale.for_partnership(strategy.partnership_id)
    visible = risks_visible(Risk.objects.filter(strategy=strategy), request.user, membership, scale)
    found = reads.register(visible, scale, timezone.localdate())
    return render(
        request,
        "risks/register.html",
        {"strategy": strategy, "rows": found.rows, "heat": found.heat, "closed": found.closed, "is_officer": is_officer(membership)},
    )


@login_required
def risk_detail(request: HttpRequest, risk_id: int) -> HttpResponse:
    """A risk, open or closed (then when, by whom and why), with its scores' history."""
    risk, membership = get_risk_for_user(request.user, risk_id)
    row = reads.risk_rows(Risk.objects.filter(pk=risk.pk).select_related("closed_by"), timezone.localdate())[0]
    return render(
        request,
        "risks/risk_detail.html",
        {
            "strategy": risk.strategy,
            "risk": row.risk,
            "row": row,
            "is_open": rules.is_open(risk.closed_at),
            "scale": RiskScale.for_partnership(risk.strategy.partnership_id),
            "history": risk.scores.select_related("by"),
            "closings": reads.closings_of(risk),
            "trend": reads.score_trend(risk),
            "can_change": can_change_risk(request.user, membership, risk),
        },
    )


def _form_page(request: HttpRequest, form, strategy, risk: Risk | None, template: str = "risks/risk_form.html") -> HttpResponse:
    return render(request, template, {"strategy": strategy, "form": form, "risk": risk}, status=422 if form.errors else 200)


def _changeable_risk(request: HttpRequest, risk_id: int) -> tuple[Risk, HttpResponse | None]:
    """The risk, if the person may change it; and, when it is closed, the way back to its page saying why nothing can change."""
    risk, membership = get_risk_for_user(request.user, risk_id)
    change_required(request.user, membership, risk)
    if rules.is_open(risk.closed_at):
        return risk, None
    messages.error(request, f"{RiskClosedError.said_of(f'Risk {risk.ref}')}.")
    return risk, redirect(risk)


@login_required
def risk_add(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, _membership = officer_strategy(request.user, strategy_id, "add risks to the register")
    scale = RiskScale.for_partnership(strategy.partnership_id)
    form = RiskForm(request.POST if request.method == "POST" else None, strategy=strategy, scale=scale)
    if request.method == "POST" and form.is_valid():
        risk = risk_create(risk=form.save(commit=False), actions=form.cleaned_data["action_refs"], by=request.user)
        messages.success(request, f"Risk {risk.ref} added to the register.")
        return redirect(risk)
    return _form_page(request, form, strategy, None)


@login_required
def risk_edit(request: HttpRequest, risk_id: int) -> HttpResponse:
    risk, closed = _changeable_risk(request, risk_id)
    if closed:
        return closed
    scale = RiskScale.for_partnership(risk.strategy.partnership_id)
    form = RiskForm(request.POST if request.method == "POST" else None, instance=risk, strategy=risk.strategy, scale=scale)

    def write(data: dict) -> Risk:
        fields = {name: value for name, value in data.items() if name not in ("version", "action_refs")}
        return risk_change(risk=risk, version=data["version"], fields=fields, actions=data["action_refs"])

    if request.method == "POST" and form_written(form, write, RiskRefusedError)[0]:
        messages.success(request, f"Risk {risk.ref} saved.")
        return redirect(risk)
    return _form_page(request, form, risk.strategy, risk)


@login_required
def risk_rescore_view(request: HttpRequest, risk_id: int) -> HttpResponse:
    risk, closed = _changeable_risk(request, risk_id)
    if closed:
        return closed
    scale = RiskScale.for_partnership(risk.strategy.partnership_id)
    form = RescoreForm(request.POST if request.method == "POST" else None, risk=risk, scale=scale)

    def write(data: dict) -> Risk:
        scores, reason, review_date = form.scores(), data["reason"], data["review_date"]
        return risk_rescore(risk=risk, version=data["version"], scores=scores, reason=reason, by=request.user, review_date=review_date)

    written, rescored = form_written(form, write, RiskRefusedError) if request.method == "POST" else (False, None)
    if written:
        messages.success(request, f"Risk {risk.ref} re-scored: {rescored.residual_score} now.")
        return redirect(risk)
    return _form_page(request, form, risk.strategy, risk, "risks/risk_rescore.html")


@login_required
def risk_close_view(request: HttpRequest, risk_id: int) -> HttpResponse:
    """Close a risk that no longer applies, with why: it leaves the live register and stays on record."""
    risk, closed = _changeable_risk(request, risk_id)
    if closed:
        return closed
    form = CloseForm(request.POST if request.method == "POST" else None, risk=risk)

    def write(data: dict) -> Risk:
        return risk_close(risk=risk, version=data["version"], reason=data["reason"], by=request.user)

    if request.method == "POST" and form_written(form, write, RiskRefusedError)[0]:
        messages.success(request, f"Risk {risk.ref} is closed. It has left the live register; its page and history stay.")
        return redirect(risk)
    return _form_page(request, form, risk.strategy, risk, "risks/risk_close.html")


@login_required
@require_POST
def risk_reopen_view(request: HttpRequest, risk_id: int) -> HttpResponse:
    """Put a closed risk back on the live register, from the button on its page."""
    risk, membership = get_risk_for_user(request.user, risk_id)
    change_required(request.user, membership, risk)
    form = ReopenForm(request.POST)
    written = form_written(form, lambda data: risk_reopen(risk=risk, version=data["version"]), RiskRefusedError)[0]
    if written:
        messages.success(request, f"Risk {risk.ref} is reopened and back on the live register.")
    else:
        messages.error(request, " ".join(form.non_field_errors()) or "The risk could not be reopened: try again from its page.")
    return redirect(risk)


@login_required
def risk_scale(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The partnership's words for the scale and who reads restricted risks: the officers'."""
    strategy, _membership = officer_strategy(request.user, strategy_id, "change the risk scale")
    scale = RiskScale.for_partnership(strategy.partnership_id)
    form = RiskScaleForm(request.POST if request.method == "POST" else None, instance=scale)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The risk scale is saved.")
        return redirect(reverse("risks:register", args=[strategy.pk]))
    return _form_page(request, form, strategy, None, "risks/risk_scale.html")


@login_required
def headline(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The dashboard's top risks and the risks for decision, as fragments the dashboard loads (its first screen's line with
    `?part=line`), and a page of its own without scripts."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    today = timezone.localdate()
    restricted = sees_restricted(membership, RiskScale.for_partnership(strategy.partnership_id))
    context = {
        "strategy": strategy,
        "top": reads.top_risks(strategy, limit=3, today=today, include_restricted=restricted),
        "decisions": reads.for_decision(strategy, today),
    }
    part = "#line" if request.GET.get("part") == "line" else "#figures"
    return render(request, "risks/headline.html" + (part if request.htmx else ""), context)


@login_required
@rate_limited("export", what="exports")
def register_export(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """The register as an Excel sheet: restricted risks only for those who may read them, marked not to be shared."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    table = risks_table(strategy, timezone.localdate(), user=request.user, membership=membership)
    response = HttpResponse(xlsx_bytes(table, title="Risks"), content_type=XLSX)
    name = f"{slugify(strategy.name)[:60] or 'plan'}-risks-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    security_event("export", request, strategy_id=strategy.pk, format="xlsx", rows=len(table) - 1)
    return response
