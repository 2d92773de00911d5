"""Chasing that escalates: an action left overdue is chased again on the partnership's schedule, then escalated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from actions.chasing import actions_sweep, digest_send, digests_to_send
from actions.models import ChaseStep, Notification
from tests.governance.conftest import rating_change

# SP1 is due by the end of September 2025: overdue from 1 October.
OCT_1 = dt.date(2025, 10, 1)


def day(n: int) -> dt.date:
    """n days after SP1 became overdue."""
    return OCT_1 + dt.timedelta(days=n)


def told(kind: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", "event_key"))


@pytest.fixture
def overdue(action, owner, group_lead, officer, partnership):
    """SP1 overdue from 1 October; reminders every 14 days, the lead told after 2, the officers after 3."""
    partnership.chase_every_days, partnership.escalate_to_lead_after, partnership.escalate_to_officer_after = 14, 2, 3
    partnership.save()
    actions_sweep(today=OCT_1)
    return action


def test_an_overdue_action_is_chased_again_two_weeks_later_once_however_often_the_sweep_runs(overdue, owner):
    assert actions_sweep(today=day(13)).chased == 0
    first = actions_sweep(today=day(14))
    again = actions_sweep(today=day(14))
    assert (first.chased, again.chased, again.notifications) == (1, 0, 0)
    assert told(Notification.Kind.CHASE) == [(owner.email, "2025-10-01#1")]
    assert told(Notification.Kind.ESCALATION) == []


def test_after_the_set_number_of_reminders_the_group_lead_and_then_the_officers_are_told(overdue, owner, group_lead, officer):
    for n in (14, 28, 42, 56):
        actions_sweep(today=day(n))
    steps = list(ChaseStep.objects.order_by("number").values_list("number", "day", "to_lead", "to_officer"))
    assert steps == [(1, day(14), False, False), (2, day(28), False, False), (3, day(42), True, False), (4, day(56), True, True)]
    assert told(Notification.Kind.ESCALATION) == [
        (group_lead.email, "2025-10-01#3"),
        (group_lead.email, "2025-10-01#4"),
        (officer.email, "2025-10-01#4"),
    ]
    assert [key for email, key in told(Notification.Kind.CHASE) if email == owner.email] == [f"2025-10-01#{n}" for n in range(1, 5)]


def test_a_recent_update_holds_off_the_next_reminder(overdue, level):
    from django.utils import timezone

    when = timezone.make_aware(dt.datetime.combine(day(10), dt.time(12)))
    rating_change(overdue, level("red"), when=when, narrative="Slipped: new plan.")
    assert actions_sweep(today=day(14)).chased == 0  # updated 4 days ago
    assert actions_sweep(today=day(25)).chased == 1  # two weeks with nothing new


def test_the_schedule_set_to_zero_chases_no_more(overdue, partnership):
    partnership.chase_every_days = 0
    partnership.save()
    assert actions_sweep(today=day(60)).chased == 0


def test_each_step_is_in_the_action_s_history(client, overdue, owner):
    for n in (14, 28, 42):
        actions_sweep(today=day(n))
    client.force_login(owner)
    html = client.get(reverse("actions:action_detail", args=[overdue.pk])).content.decode()
    assert "Reminder 1: overdue since 1 October 2025, its owners reminded" in html
    assert "Reminder 3: overdue since 1 October 2025, its owners and the delivery group&#x27;s lead reminded (escalated)" in html


def test_the_group_lead_gets_an_email_that_says_it_was_escalated_to_them(overdue, group_lead, settings):
    for n in (14, 28, 42):
        actions_sweep(today=day(n))
    for digest_id in digests_to_send():
        digest_send(digest_id=digest_id)
    [email] = [m for m in mail.outbox if m.to == [group_lead.email]]
    assert email.subject.endswith("1 action needs your attention")
    assert "OVERDUE AND ESCALATED TO YOU" in email.body and "In a delivery group you lead" in email.body
    assert "actions you own" not in email.body and "actions in delivery groups you lead" in email.body


def test_the_chasing_is_set_based_the_same_statements_for_one_action_or_forty(make_action, owner, officer, django_assert_max_num_queries):
    for _ in range(40):
        make_action(due=dt.date(2025, 9, 30))
    actions_sweep(today=OCT_1)
    # with one statement for the milestones, and the planner setting the reminders are read with, set and put back
    with django_assert_max_num_queries(12):
        result = actions_sweep(today=day(14))
    assert result.chased == 40


def test_an_officer_sets_the_schedule_and_is_told_what_is_wrong(client, officer, partnership):
    client.force_login(officer)
    url = reverse("actions:chasing_schedule", args=[partnership.pk])
    data = {"chase_every_days": "7", "escalate_to_lead_after": "3", "escalate_to_officer_after": "1"}
    response = client.post(url, data)
    assert response.status_code == 422
    assert "Tell the programme officers no sooner than the delivery group&#x27;s lead" in response.content.decode()
    response = client.post(url, {**data, "escalate_to_officer_after": "5"})
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert (partnership.chase_every_days, partnership.escalate_to_lead_after, partnership.escalate_to_officer_after) == (7, 3, 5)
