"""Deployment settings `manage.py check` (and so `migrate`) refuses."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, register

from jobs.models import Job


def longest_time_limit() -> int:
    """The longest any task may run: the default hard time limit, or a job kind's own."""
    limits = [model.time_limit for model in apps.get_models() if issubclass(model, Job)]
    return max([settings.CELERY_TASK_TIME_LIMIT, *limits])


@register("celery")
def visibility_timeout_outlasts_tasks(app_configs=None, **kwargs) -> list[Error]:
    """With Redis, an unacknowledged task is handed to another worker after the visibility timeout.

    A timeout shorter than the longest a task may run (its hard time limit) would
    start a second copy of a task that is still running.
    """
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    limit = longest_time_limit()
    if timeout <= limit:
        return [
            Error(
                f"CELERY_VISIBILITY_TIMEOUT ({timeout} s) is not longer than the longest task's hard time limit ({limit} s).",
                hint="Set it above the hard time limit (the default, 900 s, is above every job's); see docs/OPERATIONS.md.",
                id="send_tracker.E001",
            )
        ]
    return []


@register("celery")
def heartbeat_outlasts_its_interval(app_configs=None, **kwargs) -> list[Error]:
    """A job is taken for dead when its heartbeat is older than JOB_HEARTBEAT_TIMEOUT: that must leave room for two beats."""
    if settings.JOB_HEARTBEAT_TIMEOUT < 2 * settings.JOB_HEARTBEAT_SECONDS:
        return [
            Error(
                f"JOB_HEARTBEAT_TIMEOUT ({settings.JOB_HEARTBEAT_TIMEOUT} s) is shorter than two heartbeats "
                f"({settings.JOB_HEARTBEAT_SECONDS} s each): running jobs would be taken for dead.",
                id="send_tracker.E002",
            )
        ]
    return []
