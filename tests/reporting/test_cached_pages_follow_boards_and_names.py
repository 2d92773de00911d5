"""Cached pages follow the meetings that make a snapshot "the last board", and a person's new name.

The dashboard and My actions are cached under their strategies' revisions. Which
snapshot was the last board (a meeting built from it has been held) decides the
dashboard's comparisons and every "needs an update"; a person's name shows on the
updates they made. These tests commit for real (as test_dashboard_cache.py does):
each loads a page so it is cached, makes the change as an officer or the
administrator does, and expects the next page to show it.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions.models import Snapshot
from actions.services import action_update_record
from governance.calendar import board_create
from governance.models import Meeting
from governance.services import snapshot_take
from people.models import Membership
from people.services import person_deactivate
from send_tracker.cache import SAVED_COOKIE
from tests.conftest import date_boxes, make_user
from tests.reporting.test_dashboard_cache import dashboard_of, level_named, my_actions_of

pytestmark = pytest.mark.django_db(transaction=True)


def day(offset: int) -> dt.date:
    """Today moved by `offset` days (read when asked, so a run that crosses midnight stays right)."""
    return timezone.localdate() + dt.timedelta(days=offset)


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


class _FormFields(HTMLParser):
    """The values a browser would send with the page's main form, as the page fills them in."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data) -> None:
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def changed_in_the_admin(admin: Client, url: str, **changes: str) -> None:
    """Change a record as the administrator does: the admin's change form at `url`, sent back with `changes`."""
    page = admin.get(url)
    assert page.status_code == 200
    fields = _FormFields()
    fields.feed(page.content.decode())
    data = {name: values for name, values in fields.data.items() if values}
    data |= {name: [value] for name, value in changes.items()} | {"_save": ["Save"]}
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def renamed_in_the_admin(admin: Client, person, first_name: str, last_name: str) -> None:
    changed_in_the_admin(admin, reverse("admin:accounts_user_change", args=[person.pk]), first_name=first_name, last_name=last_name)


# Meetings: which snapshot was the last board -------------------------------------------------------


def test_a_cancelled_board_shows_on_the_cached_dashboard_for_everyone_and_the_officer_who_cancelled_it(action, board, officer):
    strategy = action.strategy
    first = snapshot_take(strategy=strategy, as_at=day(-60))
    second = snapshot_take(strategy=strategy, as_at=day(-10))
    meeting = held_board(strategy, first, day(-50))
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
    first = snapshot_take(strategy=strategy, as_at=day(-60))
    action_update_record(action=action, user=owner, rating=action.rating, narrative="Recruiting", expected_version=action.version)
    snapshot_take(strategy=strategy, as_at=day(-10))
    meeting = held_board(strategy, first, day(-50))
    mine = signed_in(owner)
    # Updated since the board met on the first snapshot.
    assert "<strong>1 of 1</strong> updated since the last board" in my_actions_of(mine)

    later = day(20)
    response = signed_in(officer).post(
        reverse("governance:meeting_move", args=[meeting.pk]),
        {**date_boxes("date", later), "start_time": "10:00", "end_time": "12:00"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.date == later

    # That board has not met yet: the cycle started at the newer snapshot, after the update.
    html = my_actions_of(mine)
    assert "<strong>0 of 1</strong> updated since the last board" in html
    assert "Needs an update" in html


def test_a_cancelled_board_shows_on_the_cached_dashboard_as_at_a_later_snapshot(action, owner, board, officer):
    strategy = action.strategy
    earliest = snapshot_take(strategy=strategy, as_at=day(-90))
    action_update_record(action=action, user=owner, rating=action.rating, narrative="Recruiting", expected_version=action.version)
    snapshot_take(strategy=strategy, as_at=day(-60))
    latest = snapshot_take(strategy=strategy, as_at=day(-10))
    meeting = held_board(strategy, earliest, day(-80))
    reader = signed_in(board)
    as_at_latest = f"snapshot={latest.pk}"
    # As at the latest snapshot, its cycle started at the board's snapshot, before the update.
    assert needs_update_count(dashboard_of(reader, strategy, as_at_latest)) == 0

    assert signed_in(officer).post(reverse("governance:meeting_cancel", args=[meeting.pk])).status_code == 302

    # Without that board, the cycle started at the snapshot before the latest, after the update.
    assert needs_update_count(dashboard_of(reader, strategy, as_at_latest)) == 1


# A person's new name -------------------------------------------------------------------------------


def test_a_renamed_person_shows_on_the_cached_dashboards_exception_list(action, owner, board, administrator):
    strategy = action.strategy
    action_update_record(
        action=action, user=owner, rating=level_named(strategy, "red"), narrative="Blocked by recruitment", expected_version=action.version
    )
    reader = signed_in(board)
    assert "owner@example.org, " in dashboard_of(reader, strategy, "risk_page=1")

    admin = signed_in(administrator)
    renamed_in_the_admin(admin, owner, "Olu", "Adeyemi")

    assert "Olu Adeyemi, " in dashboard_of(reader, strategy, "risk_page=1")
    # The administrator who saved it sees it on their next page too.
    assert SAVED_COOKIE in admin.cookies
    assert "Olu Adeyemi, " in dashboard_of(admin, strategy, "risk_page=1")


def test_a_renamed_person_shows_on_a_cached_my_actions(action, owner, officer, administrator):
    action_update_record(
        action=action, user=officer, rating=action.rating, narrative="Chased at the board", expected_version=action.version
    )
    mine = signed_in(owner)
    assert "by officer@example.org" in my_actions_of(mine)

    renamed_in_the_admin(signed_in(administrator), officer, "Priya", "Shah")

    assert "by Priya Shah" in my_actions_of(mine)


def test_a_renamed_person_shows_on_the_cached_dashboard_as_at_a_snapshot(action, owner, board, administrator):
    strategy = action.strategy
    action_update_record(
        action=action, user=owner, rating=level_named(strategy, "red"), narrative="Blocked by recruitment", expected_version=action.version
    )
    snapshot = snapshot_take(strategy=strategy, as_at=day(-1))
    reader = signed_in(board)
    as_at = f"snapshot={snapshot.pk}&risk_page=1"
    assert "owner@example.org, " in dashboard_of(reader, strategy, as_at)

    renamed_in_the_admin(signed_in(administrator), owner, "Olu", "Adeyemi")

    assert "Olu Adeyemi, " in dashboard_of(reader, strategy, as_at)


def test_a_persons_sign_in_leaves_their_strategies_cached(action, owner):
    from actions.revisions import revision_of

    before = revision_of(action.strategy.pk), revision_of(action.strategy.pk, beyond_actions=True)
    signed_in(owner)  # records their last sign-in: nothing any page shows
    owner.refresh_from_db()
    assert owner.last_login is not None
    assert (revision_of(action.strategy.pk), revision_of(action.strategy.pk, beyond_actions=True)) == before


def test_a_person_who_left_the_partnership_and_is_renamed_shows_on_a_cached_my_actions(
    action, owner, officer, administrator, partnership, other_partnership
):
    leaver = make_user("leaver@example.org", partnership, Membership.Role.DELIVERY_LEAD)
    Membership.objects.create(user=leaver, partnership=other_partnership, role=Membership.Role.DELIVERY_LEAD)
    action_update_record(action=action, user=leaver, rating=action.rating, narrative="Handed over", expected_version=action.version)
    mine = signed_in(owner)
    assert "by leaver@example.org" in my_actions_of(mine)
    # They belong to another partnership too: they leave this one, and their updates stay in its history.
    person_deactivate(actor=officer, membership=Membership.objects.get(user=leaver, partnership=partnership))
    assert "by leaver@example.org" in my_actions_of(mine)

    renamed_in_the_admin(signed_in(administrator), leaver, "Sam", "Okafor")

    assert "by Sam Okafor" in my_actions_of(mine)
