"""The framework's evaluation strands: tagging actions, KPIs and deliverables to them, and each strand's coverage."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from actions.access import get_action_for_user, get_strategy_for_user
from actions.models import Action
from coproduction.models import Deliverable
from governance import framework
from governance.coverage import coverage_for, strand_links_set
from governance.models import StrandLink
from kpis.access import get_indicator_for_user
from kpis.models import Indicator
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


def _strands_page(request: HttpRequest, subject: Action | Indicator | Deliverable, kind: str, *, named: str, back: str) -> HttpResponse:
    """The evaluation strands an action, a KPI or a deliverable (its `kind`) is tagged to, ticked from its side."""
    strategy = subject.strategy
    current = list(StrandLink.objects.filter(strategy=strategy, **{f"{kind}_id": subject.pk}).values_list("strand", flat=True))
    form = StrandsForm(request.POST if request.method == "POST" else None, initial={"strands": current})
    if request.method == "POST" and form.is_valid():
        strand_links_set(strategy, kind=kind, obj_id=subject.pk, codes=form.cleaned_data["strands"])
        messages.success(request, f"Evaluation strands of {named} saved.")
        return redirect(back)
    context = {"strategy": strategy, "form": form, "subject": named, "back": back, "edition": framework.EDITION}
    return render(request, "governance/strands_form.html", context)


@login_required
def action_strands(request: HttpRequest, action_id: int) -> HttpResponse:
    action, membership = get_action_for_user(request.user, action_id)
    officer_required(membership, "tag actions to evaluation strands")
    return _strands_page(request, action, "action", named=f"action {action.ref}", back=action.get_absolute_url())


@login_required
def indicator_strands(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator, membership = get_indicator_for_user(request.user, indicator_id)
    officer_required(membership, "tag KPIs to evaluation strands")
    return _strands_page(request, indicator, "indicator", named=f"KPI {indicator.code}", back=indicator.get_absolute_url())


@login_required
def deliverable_strands(request: HttpRequest, deliverable_id: int) -> HttpResponse:
    found = Deliverable.objects.select_related("strategy__partnership", "strategy__scheme")
    deliverable, membership = member_object(request.user, found, deliverable_id, "strategy.partnership_id", "No such deliverable.")
    officer_required(membership, "tag deliverables to evaluation strands")
    return _strands_page(
        request, deliverable, "deliverable", named="the deliverable", back=reverse("governance:coverage", args=[deliverable.strategy_id])
    )
