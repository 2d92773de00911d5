"""Scheduled governance work: reminders before each meeting's papers deadline. Thin: it calls governance.services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from actions.tasks import send_pending_digests
from governance.cycle import priority_action_plans_chase
from governance.services import meetings_remind
from send_tracker.connections import TRANSIENT_DATABASE_RETRIES


@shared_task(**TRANSIENT_DATABASE_RETRIES)
def remind_before_meetings(today: str | None = None) -> int:
    """Scheduled daily by beat: remind owners to update before each meeting's papers deadline, and officers of a priority
    action plan as it nears and passes its due date."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    queued = meetings_remind(today=day) + priority_action_plans_chase(today=day)
    send_pending_digests.delay_on_commit()
    return queued
