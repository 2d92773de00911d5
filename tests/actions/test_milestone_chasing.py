"""Milestones are chased like actions: their owners are reminded as a milestone's month ends and after it passes, in the digest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actions import rules
from actions.chasing import actions_sweep, digest_send, digests_to_send
from actions.models import Milestone, Notification

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 3, 31)  # "March 2026"


def told(kind: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", "event_key"))


@pytest.fixture
def step(action, owner, officer, partnership):
    """SP1's step due by March 2026, in a partnership that chases every 14 days. SP1 itself is not due yet."""
    partnership.chase_every_days = 14
    partnership.save()
    action.due_date = dt.date(2026, 12, 31)
    action.save()
    return Milestone.objects.create(action=action, title="Phase 2: roll out to every locality", due_date=DUE, position=1)


def test_the_owners_are_reminded_once_as_the_milestones_month_ends(step, owner, officer):
    assert actions_sweep(today=DUE - dt.timedelta(days=rules.due_soon_days() + 1)).milestones == 0
    first = actions_sweep(today=DUE - dt.timedelta(days=3))
    again = actions_sweep(today=DUE - dt.timedelta(days=2))
    assert (first.milestones, again.milestones) == (1, 0)
    # The owners only: officers are told about the action's own dates, not each of its steps.
    assert told(Notification.Kind.MILESTONE_DUE) == [(owner.email, f"m{step.pk}:2026-03-31")]
    notification = Notification.objects.get(kind=Notification.Kind.MILESTONE_DUE)
    assert notification.action_id == step.action_id
    assert notification.message == "SP1: Phase 2: roll out to every locality, due by March 2026"


def test_an_overdue_milestone_is_chased_the_day_after_its_month_and_again_on_the_partnerships_schedule(step, owner):
    for day in (dt.date(2026, 4, 1), dt.date(2026, 4, 1), dt.date(2026, 4, 14), dt.date(2026, 4, 15), dt.date(2026, 4, 29)):
        actions_sweep(today=day)
    assert [key for _email, key in told(Notification.Kind.MILESTONE_OVERDUE)] == [
        f"m{step.pk}:2026-03-31#1",
        f"m{step.pk}:2026-03-31#2",
        f"m{step.pk}:2026-03-31#3",
    ]


def test_a_partnership_that_never_chases_again_reminds_once(step, owner, partnership):
    partnership.chase_every_days = 0
    partnership.save()
    for day in (dt.date(2026, 4, 1), dt.date(2026, 5, 1), dt.date(2026, 9, 1)):
        actions_sweep(today=day)
    assert told(Notification.Kind.MILESTONE_OVERDUE) == [(owner.email, f"m{step.pk}:2026-03-31#1")]


def test_done_milestones_and_those_of_retired_actions_are_not_chased(step, action, owner):
    Milestone.objects.create(action=action, title="Phase 1", due_date=dt.date(2026, 1, 31), done_at=timezone.now())
    actions_sweep(today=dt.date(2026, 4, 1))
    assert Notification.objects.filter(kind=Notification.Kind.MILESTONE_OVERDUE).count() == 1
    Milestone.objects.filter(pk=step.pk).update(done_at=timezone.now())
    actions_sweep(today=dt.date(2026, 4, 15))
    assert Notification.objects.filter(kind=Notification.Kind.MILESTONE_OVERDUE).count() == 1


def test_the_owner_reads_the_reminder_on_the_notifications_page_and_in_the_digest(client, step, owner):
    actions_sweep(today=dt.date(2026, 4, 1))
    client.force_login(owner)
    page = client.get(reverse("actions:notifications")).content.decode()
    assert "Milestone overdue" in page and "Phase 2: roll out to every locality, due by March 2026" in page
    assert f"{reverse('actions:action_detail', args=[step.action_id])}#milestones" in page
    mail.outbox.clear()
    for digest_id in digests_to_send():
        digest_send(digest_id=digest_id)
    [email] = [m for m in mail.outbox if m.to == [owner.email]]
    assert "1 milestone is due or overdue" in email.subject
    assert "MILESTONES OVERDUE" in email.body and "SP1: Phase 2: roll out to every locality, due by March 2026" in email.body
    assert f"{step.action.get_absolute_url()}#milestones" in email.body


def test_the_milestone_rules_agree_with_their_python_twins(strategy, group, level):
    from actions.models import Action

    today = dt.date(2025, 10, 1)
    live = Action.objects.create(strategy=strategy, group=group, ref="L1", text="Live", rating=level("grey"))
    soon = today + dt.timedelta(days=rules.due_soon_days())
    for n, due in enumerate([None, today - dt.timedelta(days=1), today, soon, soon + dt.timedelta(days=1)]):
        Milestone.objects.create(action=live, title=f"Step {n}", due_date=due, position=n)
    found = set(Milestone.objects.filter(rules.milestone_due_soon(today)).values_list("pk", flat=True))
    expected = {m.pk for m in Milestone.objects.all() if rules.is_milestone_due_soon(m.due_date, m.done_at, False, today)}
    assert found == expected and len(found) == 2
