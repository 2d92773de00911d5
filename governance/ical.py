"""Each person's private calendar address: their partnerships' meetings, papers deadlines and sign-off dates as iCalendar.

Meetings are at UK wall-clock times: each start and end carries TZID=Europe/London with
the zone's VTIMEZONE (its summer and winter rules), so Outlook and Google Calendar put a
March meeting and an October one at the same local time either side of the clock change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from accounts.models import User
from actions.models import Strategy
from governance.cycle import REMINDER_DAYS, cycle_for
from governance.models import CalendarFeed, Meeting, Signatory
from governance.signoff import deadline_of
from people.models import Membership

# How far back the feed reaches: the past year's meetings stay in people's calendars.
FEED_HISTORY = dt.timedelta(days=400)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_issue(*, user: User) -> str:
    """A new private calendar token for the person; the one they had before stops working. Shown once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": _hash(token), "created_at": timezone.now(), "last_read_at": None}
    )
    return token


def calendar_feed_stop(*, user: User) -> bool:
    """Stop the person's calendar address; True when there was one."""
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def calendar_feed_reader(token: str) -> User | None:
    """The active person whose calendar address this is, or None."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_hash(token), user__is_active=True).first()
    if feed is None:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    return feed.user


def calendar_ics(user: User, *, today: dt.date | None = None) -> bytes:
    """The person's calendar: each meeting of their partnerships' boards, its papers deadline, and the sign-offs they make."""
    today = today or timezone.localdate()
    zone = ZoneInfo(settings.TIME_ZONE)
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = timezone.now()
    partnerships = list(user.memberships.values_list("partnership_id", flat=True))
    meetings = list(
        Meeting.objects.filter(board__partnership_id__in=partnerships, date__gte=today - FEED_HISTORY)
        .select_related("board", "strategy")
        .order_by("date", "start_time", "id")
    )
    signs_for = {
        (partnership, name)
        for partnership, name in Signatory.objects.filter(user=user, organisation__partnership_id__in=partnerships).values_list(
            "organisation__partnership_id", "organisation__name"
        )
    }
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SERVICE_NAME}//Board calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{settings.SERVICE_NAME}: board meetings")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        url = settings.SITE_URL + reverse("governance:meeting_detail", args=[meeting.pk])
        cancelled = meeting.status == Meeting.Status.CANCELLED
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", dt.datetime.combine(meeting.date, meeting.start_time, tzinfo=zone))
        event.add("dtend", dt.datetime.combine(meeting.date, meeting.end_time, tzinfo=zone))
        event.add("summary", f"{'Cancelled: ' if cancelled else ''}{meeting.board.name}")
        event.add("description", f"{meeting.strategy.name}\n{url}")
        event.add("url", url)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
        if cancelled:
            continue
        if meeting.papers_deadline:
            calendar.add_component(
                _all_day(f"papers-{meeting.pk}@{host}", stamp, meeting.papers_deadline, f"Papers deadline: {meeting}", url)
            )
        for partnership, organisation in sorted(signs_for):
            if partnership == meeting.board.partnership_id:
                sign_url = settings.SITE_URL + reverse("governance:sign_off_board", args=[meeting.pk])
                summary = f"Sign off {organisation}'s updates: {meeting}"
                calendar.add_component(
                    _all_day(f"sign-off-{meeting.pk}-{_hash(organisation)[:12]}@{host}", stamp, deadline_of(meeting), summary, sign_url)
                )
    # Officers carry the inspection cycle of their strategies, each date with a reminder ahead of it.
    officer_of = list(user.memberships.filter(role=Membership.Role.OFFICER).values_list("partnership_id", flat=True))
    for strategy in Strategy.objects.filter(partnership_id__in=officer_of).order_by("id"):
        url = settings.SITE_URL + reverse("governance:calendar", args=[strategy.pk])
        for date in cycle_for(strategy, today):
            event = _all_day(
                f"inspection-{date.inspection.pk}-{date.key}@{host}",
                stamp,
                date.day,
                f"{date.label} ({date.when.lower()}): {strategy.name}",
                url,
            )
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{date.label} {date.when.lower()}")
            alarm.add("trigger", -dt.timedelta(days=REMINDER_DAYS))
            event.add_component(alarm)
            calendar.add_component(event)
    if meetings:
        # The zone's rules for the years the meetings span: the parser and every client read the clock change from them.
        calendar.add_missing_timezones(first_date=dt.date(meetings[0].date.year, 1, 1), last_date=dt.date(meetings[-1].date.year + 1, 1, 1))
    return calendar.to_ical()


def _all_day(uid: str, stamp: dt.datetime, day: dt.date, summary: str, url: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", url)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event
