"""The dashboard counts the live plan in SQL; every figure agrees with the same rows judged in Python (as the pack judges them)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate, DeliveryGroup
from actions.rows import rows_from_actions
from governance.services import snapshot_take
from people.models import Membership, Post
from reporting.dashboard import Filters, dashboard_for, exception_list_for
from reporting.summaries import (
    EXCEPTION_KINDS,
    actions_alike_counts,
    alike_counts,
    by_urgency,
    exception_counts,
    exceptions,
    headline_counts,
    headline_counts_of,
    rating_counts,
    rating_counts_of,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied_plan(one_plan):
    """The One Plan with a board met on a snapshot, some actions updated since, one without owners, one without a date."""
    snapshot_take(strategy=one_plan, as_at=timezone.localdate() - dt.timedelta(days=40))
    actions = list(Action.objects.filter(strategy=one_plan).order_by("position")[:30])
    ActionUpdate.objects.bulk_create([ActionUpdate(action=a, rating_after=a.rating, narrative="Moving.") for a in actions[::3]])
    actions[1].owners.clear()
    Action.objects.filter(pk=actions[2].pk).update(due_date=None, due_precision=Action.DuePrecision.NONE)
    return one_plan


@pytest.mark.parametrize("days", [0, -400, 400])
def test_the_grouped_query_counts_each_action_as_its_row_is_judged(varied_plan, days):
    today = timezone.localdate() + dt.timedelta(days=days)
    actions = Action.objects.filter(strategy=varied_plan)
    rows = rows_from_actions(actions, today)
    everything, shown = actions_alike_counts(actions, today)
    assert everything == shown == alike_counts(rows)
    assert sum(everything.values()) == 186
    levels = list(varied_plan.scheme.levels.all())
    assert rating_counts_of(everything, levels) == rating_counts(rows, levels)
    assert headline_counts_of(everything) == headline_counts(rows)
    assert exception_counts(everything) == {key: len(found) for key, _, found in exceptions(rows).kinds()}


@pytest.mark.parametrize("kind", list(EXCEPTION_KINDS))
def test_each_filter_chooses_in_sql_the_rows_it_chooses_in_python(varied_plan, kind):
    today = timezone.localdate()
    actions = Action.objects.filter(strategy=varied_plan)
    rows = rows_from_actions(actions, today)
    groups = {g.pk: g for g in DeliveryGroup.objects.filter(strategy=varied_plan)}
    parent = next(g for g in groups.values() if g.parent_id).parent_id
    titles = set(Post.objects.filter(actions__strategy=varied_plan).values_list("title", flat=True)[:5])
    for filters in (
        Filters(exception=kind),
        Filters(owner_titles=titles, exception=kind),
        Filters(group_id=parent),
        Filters(rating_id=rows[0].rating.pk),
    ):
        _, shown = actions_alike_counts(actions, today, shown=filters.q(today))
        assert shown == alike_counts(filters.rows(rows, groups)), filters


def test_an_exception_list_reads_a_page_most_urgent_first_as_the_rows_sort(client, varied_plan):
    rows = rows_from_actions(Action.objects.filter(strategy=varied_plan))
    for kind, _, found in exceptions(rows).kinds():
        section = exception_list_for(varied_plan, QueryDict("needs_update_page=2" if kind == "needs_update" else ""), kind)
        assert section.count == len(found)
        if found:
            start = 10 if kind == "needs_update" else 0
            assert [r.action_id for r in section.page.object_list] == [r.action_id for r in by_urgency(found)[start : start + 10]]


def test_the_headline_change_since_the_last_board_counts_the_rows_the_snapshot_froze(varied_plan):
    board = dashboard_for(varied_plan, QueryDict())
    assert board.total == board.shown == 186
    assert {h.key: h.count for h in board.headlines} == {
        key: headline_counts(rows_from_actions(Action.objects.filter(strategy=varied_plan)))[key]
        for key in {h.key for h in board.headlines}
    }


def test_an_unknown_exception_list_is_not_found_and_without_htmx_a_list_opens_in_the_dashboard(client, one_plan):
    client.force_login(make_user("reader@example.org", one_plan.partnership, Membership.Role.BOARD_MEMBER))
    base = reverse("reporting:dashboard", args=[one_plan.pk])
    assert client.get(f"{base}exceptions/nothing/", HTTP_HX_REQUEST="true").status_code == 404
    response = client.get(f"{base}exceptions/overdue/?rating=red&overdue_page=1")
    assert response.status_code == 302 and response["Location"] == f"{base}?rating=red&overdue_page=1#exception-overdue"
    page = client.get(response["Location"]).content.decode()
    assert '<details class="govuk-details app-exception" id="exception-overdue" open>' in page


def test_the_grouped_query_kept_for_the_day_counts_the_plan_as_it_is_now(varied_plan):
    # The statement is built once per day and set of filters; the figures are still read afresh each time.
    red = varied_plan.scheme.levels.get(code="red")
    before = dashboard_for(varied_plan, QueryDict("rating=red"))
    action = Action.objects.filter(strategy=varied_plan).exclude(rating=red).order_by("position").first()
    Action.objects.filter(pk=action.pk).update(rating=red)
    after = dashboard_for(varied_plan, QueryDict("rating=red"))
    assert (after.total, after.shown) == (before.total, before.shown + 1)
