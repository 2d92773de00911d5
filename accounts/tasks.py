"""Sessions' housekeeping. Thin: calls accounts.services."""

from __future__ import annotations

from celery import shared_task

from accounts.services import sessions_clear
from send_tracker.connections import TRANSIENT_DATABASE_RETRIES


@shared_task(**TRANSIENT_DATABASE_RETRIES)
def clear_ended_sessions() -> int:
    """Scheduled daily by beat (governance.schedule lists every periodic task)."""
    return sessions_clear()
