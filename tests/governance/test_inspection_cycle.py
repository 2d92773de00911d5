"""The inspection cycle: the next full inspection, any monitoring inspection and the engagement meetings, from the outcome."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse

from governance.cycle import cycle_for, inspection_cycle
from governance.framework import OUTCOMES
from governance.models import Inspection
from tests.governance.test_calendar_feed import feed_url, read

pytestmark = pytest.mark.django_db


def full(strategy, outcome: str, published: dt.date) -> Inspection:
    return Inspection.objects.create(
        strategy=strategy,
        kind=Inspection.Kind.FULL,
        started_on=published - dt.timedelta(days=60),
        ended_on=published - dt.timedelta(days=50),
        published_on=published,
        outcome=outcome,
    )


def test_systemic_failings_bring_a_monitoring_inspection_at_18_months_and_a_full_one_within_3_years(strategy):
    inspection = full(strategy, "systemic", dt.date(2025, 3, 10))
    dates = {d.key: d for d in inspection_cycle(inspection, today=dt.date(2025, 4, 1))}
    assert dates["monitoring"].day == dt.date(2026, 9, 10) and dates["monitoring"].when == "Expected around 10 September 2026"
    assert dates["full"].day == dt.date(2028, 3, 10) and dates["full"].when == "By 10 March 2028"
    assert [dates[k].day for k in ("engagement-1", "engagement-2")] == [dt.date(2026, 3, 10), dt.date(2027, 3, 10)]


def test_a_positive_outcome_has_no_monitoring_inspection_and_five_years_to_the_next(strategy):
    inspection = full(strategy, "positive", dt.date(2024, 6, 1))
    dates = {d.key: d for d in inspection_cycle(inspection, today=dt.date(2026, 12, 1))}
    assert "monitoring" not in dates and dates["full"].day == dt.date(2029, 6, 1)
    assert min(d.day for d in dates.values()) == dt.date(2027, 6, 1)  # past engagement meetings are left out


def test_a_monitoring_inspection_never_starts_a_cycle_of_its_own(strategy):
    full(strategy, "systemic", dt.date(2025, 3, 10))
    Inspection.objects.create(
        strategy=strategy, kind=Inspection.Kind.MONITORING, started_on=dt.date(2026, 9, 1), ended_on=dt.date(2026, 9, 3)
    )
    assert {d.key for d in cycle_for(strategy, dt.date(2026, 10, 1))} >= {"full"}
    assert cycle_for(strategy, dt.date(2026, 10, 1))[0].inspection.kind == "full"


def test_once_the_monitoring_inspection_is_recorded_it_is_no_longer_expected(client, officer, strategy):
    """The calendar, the officers' feed and the priority action plan still said a monitoring inspection was expected
    around a date after it had taken place and been recorded."""
    inspection = full(strategy, "systemic", dt.date(2025, 3, 10))
    inspection.findings.create(kind="priority", number=1, text="Improve timeliness.")
    assert "monitoring" in {d.key for d in cycle_for(strategy, dt.date(2026, 6, 1))}
    Inspection.objects.create(
        strategy=strategy, kind=Inspection.Kind.MONITORING, started_on=dt.date(2026, 6, 8), ended_on=dt.date(2026, 6, 10)
    )
    assert {d.key for d in cycle_for(strategy, dt.date(2026, 6, 20))} >= {"full"}
    assert "monitoring" not in {d.key for d in cycle_for(strategy, dt.date(2026, 6, 20))}
    client.force_login(officer)
    calendar = client.get(reverse("governance:calendar", args=[strategy.pk])).content.decode()
    assert "Expected around 10 September 2026" not in calendar


def test_the_calendar_names_the_full_inspection_the_cycle_follows_when_another_s_plan_comes_first(client, board, strategy):
    """A monitoring inspection's priority action plan, due before the cycle's other dates, made the calendar say the cycle
    was "from the full inspection" that was the monitoring one, with no overall outcome."""
    full(strategy, "systemic", dt.date(2025, 3, 10))
    monitoring = Inspection.objects.create(
        strategy=strategy, kind=Inspection.Kind.MONITORING, started_on=dt.date(2026, 11, 30), ended_on=dt.date(2026, 12, 2)
    )
    monitoring.findings.create(kind="priority", number=1, text="Still too slow.")
    client.force_login(board)
    page = html.unescape(client.get(reverse("governance:calendar", args=[strategy.pk])).content.decode())
    assert "Priority action plan due" in page
    assert "From the full inspection that ended on 19 January 2025." in page and f"Its outcome: “{OUTCOMES['systemic']}”" in page
    assert "ended on 2 December 2026" not in page and "No overall outcome" not in page


def test_the_calendar_page_and_the_officers_feed_carry_the_cycle_with_reminders(client, officer, board, strategy):
    full(strategy, "systemic", dt.date(2025, 3, 10))
    client.force_login(board)
    page = client.get(reverse("governance:calendar", args=[strategy.pk])).content.decode()
    assert "Monitoring inspection" in page and "Expected around 10 September 2026" in page
    # The outcome that set the cycle, quoted whole: its first sentence, not words cut off mid-way.
    assert f"Its outcome: “{OUTCOMES['systemic']}”" in html.unescape(page)
    assert "…" not in page.split("Inspection cycle", 1)[1].split("</p>", 1)[0]

    response, calendar = read(feed_url(client, officer))
    events = [e for e in calendar.walk("VEVENT") if str(e["summary"]).startswith("Monitoring inspection")]
    assert len(events) == 1 and events[0].decoded("dtstart") == dt.date(2026, 9, 10)
    [alarm] = events[0].walk("VALARM")
    assert alarm.decoded("trigger") == -dt.timedelta(days=28)

    _, board_calendar = read(feed_url(client, board))
    assert not [e for e in board_calendar.walk("VEVENT") if "inspection" in str(e["summary"]).lower()]
