"""Due-date warnings a person sees beside an action: Overdue, Due soon, On track but overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import rules
from actions.models import Action
from tests.conftest import page_read_through

DUE_SOON_DAYS = 14  # the default of settings.DUE_SOON_DAYS


@pytest.mark.parametrize(
    "days_ahead, rating, due_soon",
    [(0, "amber", True), (DUE_SOON_DAYS, "amber", True), (DUE_SOON_DAYS + 1, "amber", False), (-1, "amber", False), (3, "green", False)],
)
def test_due_soon_runs_from_today_to_fourteen_days_ahead_for_unfinished_actions(action, level, days_ahead, rating, due_soon):
    today = dt.date(2025, 9, 10)
    action.due_date, action.rating = today + dt.timedelta(days=days_ahead), level(rating)
    assert rules.is_due_soon(action.due_date, action.rating, today) is due_soon


def test_my_actions_and_the_dashboard_flag_due_soon_and_overdue_actions_in_words(client, owner, action, make_action):
    today = timezone.localdate()
    Action.objects.filter(pk=action.pk).update(due_date=today + dt.timedelta(days=3), due_precision=Action.DuePrecision.DAY)
    make_action(ref="LATE1", rating="red", due=today - dt.timedelta(days=2), due_precision=Action.DuePrecision.DAY)
    make_action(ref="LATE2", due=today - dt.timedelta(days=2), due_precision=Action.DuePrecision.DAY)
    client.force_login(owner)
    mine = client.get(reverse("actions:my_actions")).content.decode()
    assert ">Due soon</strong>" in mine and ">Overdue</strong>" in mine and ">On track but overdue</strong>" in mine
    dashboard = page_read_through(client, reverse("reporting:dashboard", args=[action.strategy_id]))
    assert ">Due soon</strong>" in dashboard and ">Overdue</strong>" in dashboard and "On track but overdue</strong>" in dashboard


def test_an_on_track_action_past_its_date_reads_once_as_on_track_but_overdue(client, owner, action, make_action):
    today = timezone.localdate()
    Action.objects.filter(pk=action.pk).update(due_date=today - dt.timedelta(days=2), due_precision=Action.DuePrecision.DAY)
    make_action(ref="LATE1", rating="red", due=today - dt.timedelta(days=2), due_precision=Action.DuePrecision.DAY)
    client.force_login(owner)
    mine = client.get(reverse("actions:my_actions")).content.decode()
    # The Amber (on track) action: its rating and one warning that says both, never a second bare "Overdue".
    assert mine.count(">On track but overdue</strong>") == 1 and mine.count(">Overdue</strong>") == 1  # the Red one
    page = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert ">On track but overdue</strong>" in page and ">Overdue</strong>" not in page
    # On a line of its own under the rating and its meaning, as in the tables, not run on after the meaning's words.
    assert '<br><strong class="govuk-tag govuk-tag--orange">On track but overdue</strong>' in page
