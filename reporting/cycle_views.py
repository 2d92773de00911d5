"""This cycle: a person's first page while a board meeting's papers are being gathered."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from actions.access import get_strategy_for_user
from people.access import is_coproduction_partner, is_officer
from reporting.this_cycle import this_cycle_for


@login_required
def this_cycle(request: HttpRequest, strategy_id: int) -> HttpResponse:
    """What the cycle asks of this person: every member reads it, and each sees the parts that are theirs."""
    strategy, membership = get_strategy_for_user(request.user, strategy_id)
    cycle = this_cycle_for(strategy, request.user, membership, timezone.localdate())
    return render(
        request,
        "reporting/this_cycle.html",
        {
            "strategy": strategy,
            "cycle": cycle,
            "is_officer": is_officer(membership),
            "is_partner": is_coproduction_partner(membership),
            "nav_section": "this_cycle",
        },
    )
