"""Each person's private calendar address: meetings at UK times either side of the clock change, deadlines, sign-offs."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from governance.models import Board, Meeting
from governance.signoff import signatory_nominate
from people.models import Organisation

UTC = dt.UTC


@pytest.fixture
def meetings(strategy, partnership):
    board = Board.objects.create(partnership=partnership, name="SEND and AP Partnership Board")
    # British Summer Time begins on 29 March 2026 and ends on 25 October 2026.
    march = Meeting.objects.create(
        board=board,
        strategy=strategy,
        date=dt.date(2026, 3, 31),
        start_time=dt.time(10),
        end_time=dt.time(12),
        papers_deadline=dt.date(2026, 3, 24),
    )
    october = Meeting.objects.create(
        board=board, strategy=strategy, date=dt.date(2026, 10, 27), start_time=dt.time(10), end_time=dt.time(12, 30)
    )
    return march, october


def feed_url(client: Client, user) -> str:
    client.force_login(user)
    html = client.post(reverse("governance:calendar_feed_manage"), {"do": "issue"}).content.decode()
    return re.search(r'id="calendar-address" type="text" readonly value="([^"]+)"', html).group(1)


def read(url: str, *, client: Client | None = None):
    response = (client or Client()).get(url)
    return response, (Calendar.from_ical(response.content) if response.status_code == 200 else None)


def test_meetings_keep_their_uk_time_either_side_of_the_clock_change(client, board, meetings):
    url = feed_url(client, board)
    response, calendar = read(url)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    march, october = meetings
    start = events[next(uid for uid in events if uid.startswith(f"meeting-{march.pk}@"))]
    end_of_october = events[next(uid for uid in events if uid.startswith(f"meeting-{october.pk}@"))]
    assert start.decoded("dtstart") == dt.datetime(2026, 3, 31, 10, tzinfo=ZoneInfo("Europe/London"))
    assert start.decoded("dtstart").astimezone(UTC).hour == 9  # BST: an hour ahead of UTC
    assert end_of_october.decoded("dtstart").astimezone(UTC).hour == 10  # GMT again
    assert end_of_october.decoded("dtend").astimezone(UTC) == dt.datetime(2026, 10, 27, 12, 30, tzinfo=UTC)
    assert start["dtstart"].params["TZID"] == "Europe/London"
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["tzid"] == "Europe/London" and {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert str(start["summary"]) == "SEND and AP Partnership Board"


def test_papers_deadlines_and_the_signatory_s_sign_off_dates_are_all_day_events(client, owner, officer, meetings, partnership):
    organisation = Organisation.objects.create(partnership=partnership, name="Northshire Council")
    signatory_nominate(organisation=organisation, user=owner, by=officer)
    _response, calendar = read(feed_url(client, owner))
    summaries = {str(e["summary"]): e.decoded("dtstart") for e in calendar.walk("VEVENT")}
    assert summaries["Papers deadline: SEND and AP Partnership Board – 31 March 2026"] == dt.date(2026, 3, 24)
    assert summaries["Sign off Northshire Council's updates: SEND and AP Partnership Board – 31 March 2026"] == dt.date(2026, 3, 24)
    assert summaries["Sign off Northshire Council's updates: SEND and AP Partnership Board – 27 October 2026"] == dt.date(2026, 10, 27)
    _response, theirs = read(feed_url(Client(), officer))
    assert not any("Sign off" in str(e["summary"]) for e in theirs.walk("VEVENT"))  # only the signatory signs


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled(client, board, meetings):
    Meeting.objects.filter(pk=meetings[1].pk).update(status=Meeting.Status.CANCELLED)
    _response, calendar = read(feed_url(client, board))
    cancelled = [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith(f"meeting-{meetings[1].pk}@")]
    assert [str(e["status"]) for e in cancelled] == ["CANCELLED"]


def test_another_partnership_s_meetings_never_appear(client, outsider, meetings):
    _response, calendar = read(feed_url(client, outsider))
    assert calendar.walk("VEVENT") == []


def test_a_new_address_ends_the_old_one_and_stopping_ends_both(client, board, meetings):
    first = feed_url(client, board)
    second = feed_url(client, board)
    assert read(first)[0].status_code == 404 and read(second)[0].status_code == 200
    client.post(reverse("governance:calendar_feed_manage"), {"do": "stop"})
    assert read(second)[0].status_code == 404


def test_a_person_who_leaves_has_a_feed_no_more(client, board, meetings):
    url = feed_url(client, board)
    board.is_active = False
    board.save()
    assert read(url)[0].status_code == 404
