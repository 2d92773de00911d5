"""The Celery app of the workers the tests start: the product's own, plus a pause a test asks for from outside.

TEST_PAUSE_AFTER_TASK="actions.tasks.send_digest=60" makes the worker wait a minute after each
such task has succeeded and before the broker is told (tasks are acknowledged late), so a test
can kill it in between. Production's code knows nothing of it.
"""

from __future__ import annotations

import os
import time

from celery.signals import task_success

from send_tracker.celery import app

__all__ = ["app"]

_TASK, _, _SECONDS = os.environ.get("TEST_PAUSE_AFTER_TASK", "").partition("=")


@task_success.connect
def _pause_before_acknowledging(sender=None, **kwargs) -> None:
    if _TASK and sender is not None and sender.name == _TASK:
        time.sleep(float(_SECONDS))
