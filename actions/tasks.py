"""Background jobs: the daily sweep and the chasing emails. Thin: each calls a function in actions.chasing."""

from __future__ import annotations

import dataclasses
import datetime as dt

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from actions.chasing import TransientEmailError, actions_sweep, digest_send, digests_to_send
from send_tracker.connections import TRANSIENT_DATABASE_RETRIES


@shared_task(**TRANSIENT_DATABASE_RETRIES)
def sweep_overdue(today: str | None = None) -> dict:
    """Scheduled daily by beat (governance.schedule lists every periodic task)."""
    day = dt.date.fromisoformat(today) if today else None
    result = actions_sweep(today=day)
    send_pending_digests.delay_on_commit()
    return dataclasses.asdict(result)


@shared_task(**TRANSIENT_DATABASE_RETRIES)
def send_pending_digests() -> int:
    ids = digests_to_send()
    for digest_id in ids:
        send_digest.delay(digest_id)
    return len(ids)


@shared_task(bind=True, max_retries=5)
def send_digest(self, digest_id: int) -> str:
    try:
        return digest_send(digest_id=digest_id, final_attempt=self.request.retries >= self.max_retries)
    except TransientEmailError as exc:
        # Exponential backoff with full jitter, so a mail server coming back is not hit by every retry at once.
        countdown = get_exponential_backoff_interval(factor=30, retries=self.request.retries, maximum=1800, full_jitter=True)
        raise self.retry(exc=exc, countdown=countdown) from exc
