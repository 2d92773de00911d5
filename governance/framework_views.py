"""The framework's evaluation strands: tagging actions, KPIs and deliverables to them, and each strand's coverage."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from actions.access import get_action_for_user, get_strategy_for_user
from actions.models import Strategy
from coproduction.models import Deliverable
from governance import framework
from governance.coverage import coverage_for, strand_links_set
from governance.models import StrandLink
from kpis.access import get_indicator_for_user
from people.access import is_officer, member_object, officer_required


class StrandsForm(forms.Form):
    strands = forms.MultipleChoiceField(
        choices=framework.STRAND_CHOICES, required=False, widget=forms.CheckboxSelectMultiple, label="Evaluation strands"
    )


@login_required
def coverage(request: HttpRequest, strategy_id: int) -> HttpResponse:
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    return render(
        request,
        "governance/coverage.html",
        {"strategy": strategy, "coverage": coverage_for(strategy), "framework": framework, "is_officer": is_officer(membership)},
    )


def _strands_page(request: HttpRequest, *, strategy: Strategy, kind: str, obj_id: int, subject: str, back: str) -> HttpResponse:
    current = list(StrandLink.objects.filter(strategy=strategy, **{f"{kind}_id": obj_id}).values_list("strand", flat=True))
    form = StrandsForm(request.POST if request.method == "POST" else None, initial={"strands": current})
    if request.method == "POST" and form.is_valid():
        strand_links_set(strategy, kind=kind, obj_id=obj_id, codes=form.cleaned_data["strands"])
        messages.success(request, f"Evaluation strands of {subject} saved.")
        return redirect(back)
    return render(
        request,
        "governance/strands_form.html",
        {"strategy": strategy, "form": form, "subject": subject, "back": back, "edition": framework.EDITION},
    )


@login_required
def action_strands(request: HttpRequest, action_id: int) -> HttpResponse:
    action, membership = get_action_for_user(request.user, action_id)
    officer_required(membership, "tag actions to evaluation strands")
    return _strands_page(
        request, strategy=action.strategy, kind="action", obj_id=action.pk, subject=f"action {action.ref}", back=action.get_absolute_url()
    )


@login_required
def indicator_strands(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator, membership = get_indicator_for_user(request.user, indicator_id)
    officer_required(membership, "tag KPIs to evaluation strands")
    return _strands_page(
        request,
        strategy=indicator.strategy,
        kind="indicator",
        obj_id=indicator.pk,
        subject=f"KPI {indicator.code}",
        back=indicator.get_absolute_url(),
    )


@login_required
def deliverable_strands(request: HttpRequest, deliverable_id: int) -> HttpResponse:
    found = Deliverable.objects.select_related("strategy__partnership", "strategy__scheme")
    deliverable, membership = member_object(request.user, found, deliverable_id, "strategy.partnership_id", "No such deliverable.")
    officer_required(membership, "tag deliverables to evaluation strands")
    return _strands_page(
        request,
        strategy=deliverable.strategy,
        kind="deliverable",
        obj_id=deliverable.pk,
        subject="the deliverable",
        back=reverse("governance:coverage", args=[deliverable.strategy_id]),
    )
