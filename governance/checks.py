"""Deployment settings `manage.py check` (and so `migrate`) refuses."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register("celery")
def visibility_timeout_outlasts_tasks(app_configs=None, **kwargs) -> list[Error]:
    """With Redis, an unacknowledged task is handed to another worker after the visibility timeout.

    A timeout shorter than the longest a task may run (its hard time limit) would
    start a second copy of a task that is still running.
    """
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    if timeout <= settings.CELERY_TASK_TIME_LIMIT:
        return [
            Error(
                f"CELERY_VISIBILITY_TIMEOUT ({timeout} s) is not longer than CELERY_TASK_TIME_LIMIT ({settings.CELERY_TASK_TIME_LIMIT} s).",
                hint="Set it above the hard time limit (the default, 900 s, is three times the default limit); see docs/OPERATIONS.md.",
                id="send_tracker.E001",
            )
        ]
    return []
