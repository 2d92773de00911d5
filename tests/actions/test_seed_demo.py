"""The demo fills only what is empty: starting it again keeps every change people made, and it starts with the sweep done."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from actions.models import Action, ActionUpdate, Milestone, Notification, Strategy
from actions.plan import milestone_mark
from actions.services import action_update_record
from people.models import Membership


@pytest.fixture
def demo_settings(settings):
    settings.DEBUG = True  # seed_demo refuses to run without it (it creates accounts with a published password)
    return settings


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_a_second_start_keeps_a_rating_changed_after_seeding_and_a_new_plan_is_still_loaded(demo_settings, one_plan):
    """The One Plan is already there (and worked on); the Cheshire West strategy is not yet."""
    action = Action.objects.get(strategy=one_plan, ref="SP1")
    red = one_plan.scheme.levels.get(code="red")
    assert action.rating_id != red.pk
    out = seed()
    assert "SEND and AP One Plan 2025-2028 is already loaded: left as it is." in out
    assert Strategy.objects.filter(partnership__name__icontains="Cheshire West").exists()

    lead = User.objects.get(username="lead@example.org")
    narrative = "Slipped: the panel has not met."
    action_update_record(action=action, user=lead, rating=red, narrative=narrative, links=[], files=[], expected_version=action.version)
    Membership.objects.filter(user=User.objects.get(username="board@example.org")).update(role=Membership.Role.OFFICER)
    updates = ActionUpdate.objects.count()

    out = seed()
    action.refresh_from_db()
    assert action.rating_id == red.pk
    latest = action.updates.order_by("-created_at", "-id").first()
    assert latest.author == lead and latest.narrative == narrative
    assert ActionUpdate.objects.count() == updates  # no "Plan import" entry put the old rating back
    assert "already loaded" in out and out.count("already loaded") == 2
    # The demo accounts are not reset either.
    assert Membership.objects.get(user__username="board@example.org").role == Membership.Role.OFFICER


def test_the_demo_runs_the_daily_sweep_so_the_first_sign_in_has_notifications_and_flags(demo_settings, db):
    out = seed()
    assert "Daily sweep:" in out
    lead = User.objects.get(username="lead@example.org")
    assert Notification.objects.filter(recipient=lead).exists()
    assert Action.objects.filter(overdue_since__isnull=False).exists()
    notified = Notification.objects.count()
    # Some actions have steps, some done and one overdue: the lead is told about the overdue one.
    assert Milestone.objects.filter(done_at__isnull=False).exists() and Milestone.objects.filter(done_at__isnull=True).exists()
    assert Notification.objects.filter(kind=Notification.Kind.MILESTONE_OVERDUE, action__ref="QA3", recipient=lead).exists()
    step = Milestone.objects.filter(action__ref="EHC-B1").order_by("position").last()
    milestone_mark(actor=lead, milestone=step, done=True)
    steps = Milestone.objects.count()
    seed()  # once a day's worth: a second start adds no duplicates, and keeps a step marked done since
    assert Notification.objects.count() == notified
    assert Milestone.objects.count() == steps and Milestone.objects.get(pk=step.pk).done_at is not None


def test_with_a_broker_the_demo_queues_the_sweep_for_the_worker_and_finishes(demo_settings, db, monkeypatch):
    """A deployment has a broker and no result backend: the sweep's result cannot be asked for, only queued."""
    from celery.result import AsyncResult

    from actions import tasks
    from send_tracker.celery import app

    queued = []
    monkeypatch.setattr(tasks.sweep_overdue, "delay", lambda: queued.append(1) or AsyncResult("queued", app=app))
    out = seed()
    assert queued == [1]
    assert "Daily sweep queued for the worker." in out
