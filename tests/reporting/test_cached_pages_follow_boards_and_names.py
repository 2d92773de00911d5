"""Cached pages follow the meetings that make a snapshot "the last board".

The dashboard and My actions are cached under their strategies' revisions. Which
snapshot was the last board (a meeting built from it has been held) decides the
dashboard's comparisons and every "needs an update". These tests commit for real
(as test_dashboard_cache.py does): each loads a page so it is cached, makes the
change as an officer does, and expects the next page to show it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions.models import Snapshot
from actions.services import action_update_record
from governance.calendar import board_create
from governance.models import Meeting
from governance.services import snapshot_take
from send_tracker.cache import SAVED_COOKIE
from tests.reporting.test_dashboard_cache import dashboard_of, my_actions_of

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def needs_update_count(html: str) -> int:
    match = re.search(r'app-figures__item--needs_update">.*?app-figures__count">(\d+)<', html, re.S)
    return int(match.group(1))


def held_board(strategy, snapshot: Snapshot, date: dt.date) -> Meeting:
    board = board_create(strategy=strategy, name="SEND Improvement Board")
    return Meeting.objects.create(board=board, strategy=strategy, date=date, snapshot=snapshot, status=Meeting.Status.HELD)


# Meetings: which snapshot was the last board -------------------------------------------------------


def test_a_cancelled_board_shows_on_the_cached_dashboard_for_everyone_and_the_officer_who_cancelled_it(action, board, officer):
    strategy = action.strategy
    first = snapshot_take(strategy=strategy, as_at=TODAY - dt.timedelta(days=60))
    second = snapshot_take(strategy=strategy, as_at=TODAY - dt.timedelta(days=10))
    meeting = held_board(strategy, first, TODAY - dt.timedelta(days=50))
    reader, officer_client = signed_in(board), signed_in(officer)
    since_first = f"the last board (the snapshot as at {first.as_at:%-d %B %Y})"
    assert since_first in dashboard_of(reader, strategy)
    assert since_first in dashboard_of(officer_client, strategy)

    response = officer_client.post(reverse("governance:meeting_cancel", args=[meeting.pk]))
    assert response.status_code == 302

    # No board has met on a snapshot now: the newest stands in.
    since_second = f"the last board (the snapshot as at {second.as_at:%-d %B %Y})"
    assert SAVED_COOKIE in officer_client.cookies
    assert since_second in dashboard_of(officer_client, strategy)
    assert since_second in dashboard_of(reader, strategy)


def test_a_board_moved_to_a_later_day_shows_on_a_cached_my_actions(action, owner, officer):
    strategy = action.strategy
    first = snapshot_take(strategy=strategy, as_at=TODAY - dt.timedelta(days=60))
    action_update_record(action=action, user=owner, rating=action.rating, narrative="Recruiting", expected_version=action.version)
    snapshot_take(strategy=strategy, as_at=TODAY - dt.timedelta(days=10))
    meeting = held_board(strategy, first, TODAY - dt.timedelta(days=50))
    mine = signed_in(owner)
    # Updated since the board met on the first snapshot.
    assert "<strong>1 of 1</strong> updated since the last board" in my_actions_of(mine)

    later = TODAY + dt.timedelta(days=20)
    response = signed_in(officer).post(
        reverse("governance:meeting_move", args=[meeting.pk]),
        {f"m{meeting.pk}-date": later.strftime("%d/%m/%Y"), f"m{meeting.pk}-start_time": "10:00", f"m{meeting.pk}-end_time": "12:00"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.date == later

    # That board has not met yet: the cycle started at the newer snapshot, after the update.
    html = my_actions_of(mine)
    assert "<strong>0 of 1</strong> updated since the last board" in html
    assert "Needs update" in html


def test_a_cancelled_board_shows_on_the_cached_dashboard_as_at_a_later_snapshot(action, owner, board, officer):
    strategy = action.strategy
    earliest = snapshot_take(strategy=strategy, as_at=TODAY - dt.timedelta(days=90))
    action_update_record(action=action, user=owner, rating=action.rating, narrative="Recruiting", expected_version=action.version)
    snapshot_take(strategy=strategy, as_at=TODAY - dt.timedelta(days=60))
    latest = snapshot_take(strategy=strategy, as_at=TODAY - dt.timedelta(days=10))
    meeting = held_board(strategy, earliest, TODAY - dt.timedelta(days=80))
    reader = signed_in(board)
    as_at_latest = f"snapshot={latest.pk}"
    # As at the latest snapshot, its cycle started at the board's snapshot, before the update.
    assert needs_update_count(dashboard_of(reader, strategy, as_at_latest)) == 0

    assert signed_in(officer).post(reverse("governance:meeting_cancel", args=[meeting.pk])).status_code == 302

    # Without that board, the cycle started at the snapshot before the latest, after the update.
    assert needs_update_count(dashboard_of(reader, strategy, as_at_latest)) == 1
