"""Background-job housekeeping and the run of any job's task. Thin: each calls jobs.services."""

from __future__ import annotations

import random
from collections.abc import Callable

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from jobs.models import Job
from jobs.services import JobRefusedError, job_fail, job_retry_later, jobs_housekeep
from send_tracker.connections import TRANSIENT_DATABASE_RETRIES


def job_task(model: type[Job], *, max_retries: int):
    """The decorator of a job's task: acknowledged once done, stopped at the job's time limit after a minute's warning."""
    return shared_task(
        bind=True, acks_late=True, soft_time_limit=model.time_limit - 60, time_limit=model.time_limit, max_retries=max_retries
    )


def job_run(task: Task, model: type[Job], job_id: int, work: Callable[[Job], object], *, failed: str) -> str:
    """Run one job's body in its task: retried with backoff and jitter when it fails, failed with a message at the end.

    `failed` begins the message the page shows ("The pack could not be produced").
    """
    job = model.objects.filter(pk=job_id).first()
    if job is None or job.status == Job.Status.READY:
        return "nothing to do"
    try:
        work(job)
    except SoftTimeLimitExceeded:
        job_fail(job, f"{failed}: it took too long.")
        raise
    except JobRefusedError as exc:
        job_fail(job, str(exc))
        return "failed"
    except Exception as exc:
        if task.request.retries >= task.max_retries:
            job_fail(job, f"{failed}: {exc}")
            return "failed"
        job_retry_later(job, f"Retrying after: {exc}")
        if task.request.is_eager:
            # In-process (no broker): try again now; raising Retry would surface in the person's request.
            return task.apply(args=[job_id], retries=task.request.retries + 1).result
        raise task.retry(exc=exc, countdown=2 ** (task.request.retries + 1) + random.uniform(0, 1)) from exc
    return "ready"


@shared_task(**TRANSIENT_DATABASE_RETRIES)
def housekeep_jobs() -> dict:
    """Every JOB_HOUSEKEEPING_SECONDS from beat (CELERY_BEAT_SCHEDULE): jobs the broker refused or that were lost."""
    return jobs_housekeep()
