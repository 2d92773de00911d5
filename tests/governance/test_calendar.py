"""Officers set up boards and their meetings in the browser: a series in one step, moving and cancelling."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from governance.calendar import series_dates
from governance.models import Board, Meeting
from tests.conftest import date_boxes

pytestmark = pytest.mark.django_db


@pytest.fixture
def the_board(partnership) -> Board:
    return Board.objects.create(partnership=partnership, name="SEND Partnership Board")


def test_a_bi_monthly_series_is_scheduled_in_one_step_with_its_papers_deadlines(client, officer, strategy, the_board):
    client.force_login(officer)
    response = client.post(
        reverse("governance:meeting_series", args=[strategy.pk]),
        {"board": the_board.pk, **date_boxes("first", "12/3/2026"), "every": "2", "unit": "months", "count": "6", "papers_days": "7"},
    )
    assert response.status_code == 302
    meetings = list(Meeting.objects.filter(board=the_board).order_by("date"))
    assert [m.date for m in meetings] == [dt.date(2026, m, 12) for m in (3, 5, 7, 9, 11)] + [dt.date(2027, 1, 12)]
    assert all(m.papers_deadline == m.date - dt.timedelta(days=7) for m in meetings)
    page = client.get(reverse("governance:calendar", args=[strategy.pk])).content.decode()
    assert "Thursday 12 March 2026" in page
    # The 12th is a Sunday in July and a Saturday in September: the officer is told, to move them if need be.
    assert "At a weekend: Sunday 12 July 2026, Saturday 12 September 2026. Move them below" in page


def test_a_series_again_skips_the_dates_already_booked(client, officer, strategy, the_board):
    Meeting.objects.create(board=the_board, strategy=strategy, date=dt.date(2026, 3, 12))
    client.force_login(officer)
    client.post(
        reverse("governance:meeting_series", args=[strategy.pk]),
        {"board": the_board.pk, **date_boxes("first", "12/3/2026"), "every": "4", "unit": "weeks", "count": "3", "papers_days": ""},
    )
    assert sorted(Meeting.objects.values_list("date", flat=True)) == [dt.date(2026, 3, 12), dt.date(2026, 4, 9), dt.date(2026, 5, 7)]


def test_month_series_keep_to_the_last_day_of_short_months():
    assert series_dates(dt.date(2026, 1, 31), every=1, unit="months", count=3) == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
    ]


def test_a_bad_series_says_what_is_wrong_and_keeps_what_was_typed(client, officer, strategy, the_board):
    client.force_login(officer)
    response = client.post(
        reverse("governance:meeting_series", args=[strategy.pk]),
        {"board": the_board.pk, **date_boxes("first", "31/2/2026"), "every": "0", "unit": "months", "count": "6"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "The date of the first meeting must be a real date" in page and "Enter 1 or more" in page
    for box, typed in (("day", "31"), ("month", "2"), ("year", "2026")):
        assert f'name="first_{box}" type="text" inputmode="numeric" spellcheck="false" value="{typed}"' in page
    assert not Meeting.objects.exists()


def test_a_meeting_is_moved_or_cancelled_and_a_cancelled_one_sends_no_reminder(client, officer, strategy, the_board, action):
    from governance.services import meetings_remind

    meeting = Meeting.objects.create(board=the_board, strategy=strategy, date=dt.date(2026, 3, 12), papers_deadline=dt.date(2026, 3, 5))
    client.force_login(officer)
    client.post(
        reverse("governance:meeting_move", args=[meeting.pk]),
        {**date_boxes("date", "19/3/2026"), **date_boxes("papers_deadline", "12/3/2026")},
    )
    meeting.refresh_from_db()
    assert meeting.date == dt.date(2026, 3, 19) and meeting.papers_deadline == dt.date(2026, 3, 12)
    late = client.post(
        reverse("governance:meeting_move", args=[meeting.pk]),
        {**date_boxes("date", "19/3/2026"), **date_boxes("papers_deadline", "20/3/2026")},
    )
    assert late.status_code == 422 and "on or before the meeting" in late.content.decode()
    client.post(reverse("governance:meeting_cancel", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meetings_remind(today=dt.date(2026, 3, 5)) == 0


def test_the_move_page_opens_on_the_meeting_as_it_stands_for_an_officer_only(client, officer, board, strategy, the_board):
    meeting = Meeting.objects.create(board=the_board, strategy=strategy, date=dt.date(2026, 3, 12), papers_deadline=dt.date(2026, 3, 5))
    url = reverse("governance:meeting_move", args=[meeting.pk])
    client.force_login(officer)
    page = client.get(url).content.decode()
    assert "Move the meeting on Thursday 12 March 2026" in page
    for name, value in {**date_boxes("date", "12/3/2026"), **date_boxes("papers_deadline", "5/3/2026"), "start_time": "10:00"}.items():
        assert re.search(rf'name="{name}"[^>]*value="{value}"', page), name
    # The calendar links to it rather than holding a form for every meeting.
    calendar = client.get(reverse("governance:calendar", args=[strategy.pk])).content.decode()
    assert f'href="{url}"' in calendar and 'name="date_day"' not in calendar
    client.force_login(board)
    assert client.get(url).status_code == 403
    assert f'href="{url}"' not in client.get(reverse("governance:calendar", args=[strategy.pk])).content.decode()


def test_a_meeting_with_decisions_on_record_cannot_be_cancelled_and_offers_no_cancel_button(
    client, officer, strategy, the_board, owner_post
):
    """Its decisions and actions arising open the next board's pack: cancelling it would drop them. One without them still can be."""
    from governance.decisions import action_arising_record, decision_record

    decided = Meeting.objects.create(board=the_board, strategy=strategy, date=dt.date(2026, 3, 12))
    decision_record(meeting=decided, text="The board agreed the recovery plan.", by=officer)
    arising = Meeting.objects.create(board=the_board, strategy=strategy, date=dt.date(2026, 5, 12))
    due = dt.date(2026, 6, 12)
    action_arising_record(meeting=arising, text="Report the panel's first month", owner=owner_post, due_date=due, by=officer)
    empty = Meeting.objects.create(board=the_board, strategy=strategy, date=dt.date(2026, 7, 12), status=Meeting.Status.HELD)
    client.force_login(officer)
    page = client.get(reverse("governance:calendar", args=[strategy.pk])).content.decode()
    assert reverse("governance:meeting_cancel", args=[decided.pk]) not in page
    assert reverse("governance:meeting_cancel", args=[arising.pk]) not in page
    assert reverse("governance:meeting_cancel", args=[empty.pk]) in page
    for meeting in (decided, arising):
        shown = client.post(reverse("governance:meeting_cancel", args=[meeting.pk]), follow=True).content.decode()
        assert "took place: its decisions are on record, so it cannot be cancelled" in shown
        assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.SCHEDULED
    client.post(reverse("governance:meeting_cancel", args=[empty.pk]))
    assert Meeting.objects.get(pk=empty.pk).status == Meeting.Status.CANCELLED


def test_a_meeting_whose_day_has_passed_reads_as_held_on_the_calendar_and_its_page(client, officer, strategy, the_board):
    from django.utils import timezone

    today = timezone.localdate()
    past = Meeting.objects.create(board=the_board, strategy=strategy, date=today - dt.timedelta(days=3))
    Meeting.objects.create(board=the_board, strategy=strategy, date=today)
    Meeting.objects.create(board=the_board, strategy=strategy, date=today + dt.timedelta(days=30))
    Meeting.objects.create(board=the_board, strategy=strategy, date=today - dt.timedelta(days=60), status=Meeting.Status.CANCELLED)
    client.force_login(officer)
    page = client.get(reverse("governance:calendar", args=[strategy.pk])).content.decode()
    statuses = re.findall(r'data-label="Status">(?:<strong[^>]*>)?(\w+)', page)
    assert statuses == ["Cancelled", "Held", "Today", "Scheduled"]  # oldest first
    shown = client.get(reverse("governance:meeting_detail", args=[past.pk])).content.decode()
    assert re.search(r"Status\s*</dt>\s*<dd[^>]*>\s*Held", shown)


def test_boards_are_added_once_by_name(client, officer, strategy, the_board):
    client.force_login(officer)
    client.post(reverse("governance:board_create", args=[strategy.pk]), {"name": "Health Sub-group"})
    assert Board.objects.filter(name="Health Sub-group", partnership=strategy.partnership).exists()
    clash = client.post(reverse("governance:board_create", args=[strategy.pk]), {"name": "send partnership board"})
    assert clash.status_code == 422 and "already a board" in clash.content.decode()


def test_members_read_the_calendar_but_only_officers_change_it(client, owner, board, strategy, the_board):
    meeting = Meeting.objects.create(board=the_board, strategy=strategy, date=dt.date(2026, 3, 12))
    for person in (owner, board):
        client.force_login(person)
        page = client.get(reverse("governance:calendar", args=[strategy.pk]))
        assert page.status_code == 200 and "Schedule a series" not in page.content.decode()
        assert client.post(reverse("governance:meeting_cancel", args=[meeting.pk])).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_a_series_has_its_uk_start_and_end_times_and_meetings_without_them_run_ten_to_twelve(client, officer, strategy, the_board):
    client.force_login(officer)
    url = reverse("governance:meeting_series", args=[strategy.pk])
    data = {"board": the_board.pk, **date_boxes("first", "12/3/2026"), "every": "2", "unit": "months", "count": "2", "papers_days": "7"}
    response = client.post(url, {**data, "start_time": "14:00", "end_time": "13:30"})
    assert response.status_code == 422 and "The meeting must end after it starts" in response.content.decode()
    assert client.post(url, {**data, "start_time": "14:00", "end_time": "16:30"}).status_code == 302
    assert set(Meeting.objects.values_list("start_time", "end_time")) == {(dt.time(14), dt.time(16, 30))}
    page = client.get(reverse("governance:calendar", args=[strategy.pk])).content.decode()
    assert "14:00 to 16:30" in page
    other = Meeting.objects.create(board=the_board, strategy=strategy, date=dt.date(2026, 12, 1))
    other.refresh_from_db()
    assert (other.start_time, other.end_time) == (dt.time(10), dt.time(12))


def test_a_meeting_with_decisions_on_record_cannot_be_moved_and_offers_no_move_link(client, officer, strategy, the_board):
    """Its decisions and the next pack's "Actions arising from the … meeting, <date>" are dated by it: moving it would re-date them."""
    from governance.decisions import decision_record

    decided = Meeting.objects.create(board=the_board, strategy=strategy, date=dt.date(2026, 3, 12))
    decision_record(meeting=decided, text="The board agreed the recovery plan.", by=officer)
    open_one = Meeting.objects.create(board=the_board, strategy=strategy, date=dt.date(2026, 5, 12))
    client.force_login(officer)
    url = reverse("governance:meeting_move", args=[decided.pk])
    calendar = client.get(reverse("governance:calendar", args=[strategy.pk])).content.decode()
    assert f'href="{url}"' not in calendar and "On record" in calendar
    assert reverse("governance:meeting_move", args=[open_one.pk]) in calendar
    page = client.get(url).content.decode()
    assert "its decisions are on record, dated by the meeting, so it cannot be moved" in page and 'name="date_day"' not in page
    # Sent all the same (a page opened before the decision was recorded): refused where the date was asked, nothing moved.
    refused = client.post(url, {**date_boxes("date", "19/3/2026"), **date_boxes("papers_deadline", "12/3/2026")})
    assert refused.status_code == 422
    assert "took place: its decisions are on record, so it cannot be moved" in refused.content.decode()
    assert Meeting.objects.get(pk=decided.pk).date == dt.date(2026, 3, 12)
