"""The one way a job is queued, claimed, kept alive, finished and healed, whatever its kind."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import KombuError

from jobs.models import Job

logger = logging.getLogger(__name__)

# Publishing to a broker that is down: a few quick tries, so the person asking is answered in seconds.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# Times housekeeping queues a lost job again before failing it.
MAX_REQUEUES = 3
# What the page says while the broker is away (the job is kept and sent when it returns).
WAITING = "The background service is not answering. The request is kept and will start by itself when the service is back."


class JobRefusedError(Exception):
    """A job that cannot succeed however often it is tried (say, its requester has left): it fails at once with this message."""


def job_models() -> list[type[Job]]:
    """Every kind of job: the concrete models on the Job base."""
    return [model for model in apps.get_models() if issubclass(model, Job)]


def _rows(job: Job):
    return type(job).objects.filter(pk=job.pk)


def job_send(job: Job) -> bool:
    """Hand a committed job to the broker, by its task's name; True when the broker took it.

    A broker that does not take it leaves the job waiting for the background
    service, and housekeeping hands it over again once the broker is back:
    nothing is lost and nobody has to ask again.
    """
    try:
        task_send(type(job).task_name, job.pk)
    except (KombuError, OSError) as exc:
        logger.warning("Job %s %s was not queued: %s", type(job).__name__, job.pk, exc)
        _wait_for_broker(job)
        return False
    _rows(job).filter(status=Job.Status.WAITING).update(status=Job.Status.QUEUED, queued_at=timezone.now(), error="")
    return True


def task_send(task_name: str, job_id: int) -> None:
    """Send the task by its name, so no process has to load every task module (and what it renders with) to start.

    Without a broker the task runs here and now: its module is loaded by name the first time.
    """
    app = current_app
    if app.conf.task_always_eager:
        import_module(task_name.rpartition(".")[0])
        app.tasks[task_name].apply_async(args=[job_id])
    else:
        app.send_task(task_name, args=[job_id], retry=True, retry_policy=PUBLISH_RETRY_POLICY)


def _wait_for_broker(job: Job) -> None:
    _rows(job).filter(status__in=[Job.Status.QUEUED, Job.Status.WAITING]).update(status=Job.Status.WAITING, error=WAITING)


def job_enqueue(job: Job) -> None:
    """The one enqueue path: send the job once its row is committed (now, or when the caller's transaction commits)."""
    if connection.in_atomic_block:
        # The worker must not look for the row before it is committed.
        transaction.on_commit(lambda: job_send(job))
    else:
        job_send(job)


@contextmanager
def _heartbeat(job: Job) -> Iterator[None]:
    """While the body runs, record a sign of life every JOB_HEARTBEAT_SECONDS from a thread of its own.

    A worker killed as a whole stops beating; housekeeping sees the silence and
    queues the job again, however long the job's time limit.
    """
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                _rows(job).filter(status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{type(job).__name__}-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


@contextmanager
def job_claim(job: Job, lock_key: int) -> Iterator[bool]:
    """Run a job's body once: yields True to the one worker that claimed it, False when it is done or another holds it.

    A PostgreSQL advisory lock, (lock_key, id), is held for the run: a worker
    that dies releases it with its connection, so the job's next run can
    take over. The claim marks the job running and keeps its heartbeat.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [lock_key, job.pk])
        if not cursor.fetchone()[0]:
            yield False
            return
    try:
        job.refresh_from_db()
        if job.status == Job.Status.READY:
            yield False
            return
        now = timezone.now()
        _rows(job).update(status=Job.Status.RUNNING, attempts=F("attempts") + 1, started_at=now, heartbeat_at=now, error="")
        with _heartbeat(job):
            yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [lock_key, job.pk])


def job_finish(job: Job, **results) -> None:
    """Mark a job ready with what it produced (file names, counts)."""
    _rows(job).update(status=Job.Status.READY, finished_at=timezone.now(), error="", **results)
    job.refresh_from_db()


def job_fail(job: Job, error: str) -> None:
    _rows(job).exclude(status=Job.Status.READY).update(status=Job.Status.FAILED, error=error[:2000], finished_at=timezone.now())


def job_retry_later(job: Job, error: str) -> None:
    """After a failed attempt that is worth another: queued again, saying why."""
    _rows(job).exclude(status=Job.Status.READY).update(status=Job.Status.QUEUED, queued_at=timezone.now(), error=error[:2000])


def job_stop(job: Job, *, reason: str) -> None:
    """A person gives up on a pending job, to ask for it again."""
    _rows(job).filter(status__in=Job.PENDING).update(status=Job.Status.FAILED, error=reason[:2000], finished_at=timezone.now())


def _lost(now: dt.datetime) -> Q:
    silent = now - dt.timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT)
    return Q(status=Job.Status.RUNNING, heartbeat_at__lt=silent) | Q(
        status=Job.Status.QUEUED, queued_at__lt=now - dt.timedelta(seconds=settings.JOB_QUEUE_LIMIT)
    )


def _requeue_or_fail(model: type[Job], job_id: int, now: dt.datetime) -> Job | None:
    """Under a row lock: queue a lost job again (returned, to be sent), or fail it after MAX_REQUEUES (its status says so)."""
    with transaction.atomic():
        job = model.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or not job.is_overdue(now):
            return None
        since = timezone.localtime(job.pending_since())
        if job.status == Job.Status.RUNNING:
            what = f"The worker running it since {since:%H:%M} stopped answering"
        else:
            what = f"It waited in the queue from {since:%H:%M} without being started"
        if job.requeues >= MAX_REQUEUES:
            model.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED,
                finished_at=now,
                error=f"{what}, after {job.requeues + 1} tries. Try again; if it keeps happening, tell your administrator.",
            )
            job.status = Job.Status.FAILED
            return job
        model.objects.filter(pk=job.pk).update(
            status=Job.Status.QUEUED,
            queued_at=now,
            requeues=F("requeues") + 1,
            error=f"{what}: it was queued again at {timezone.localtime(now):%H:%M}.",
        )
        job.refresh_from_db()
        return job


def jobs_housekeep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Heal every kind of job: send again those the broker refused, and queue again those lost.

    A job is lost when its worker stopped beating for JOB_HEARTBEAT_TIMEOUT
    (killed as a whole) or its message has not been picked up for
    JOB_QUEUE_LIMIT (lost with a broker that restarted empty). Each is queued
    again up to MAX_REQUEUES times, then failed, saying what happened. A job
    sent twice still runs once (the claim's lock and its ready check). Safe to
    run on several workers at once: each job is taken under a row lock.
    """
    now = now or timezone.now()
    sent = waiting = failed = 0
    broker_down = False
    for model in job_models():
        lost = model.objects.filter(_lost(now)).values_list("pk", flat=True)[:500]
        healed = [job for job_id in list(lost) if (job := _requeue_or_fail(model, job_id, now))]
        failed += sum(1 for job in healed if job.status == Job.Status.FAILED)
        to_send = [job for job in healed if job.status == Job.Status.QUEUED]
        to_send += list(model.objects.filter(status=Job.Status.WAITING)[:500])
        for job in to_send:
            if broker_down:
                _wait_for_broker(job)  # one refusal is enough: the rest wait for the next round, not a timeout each
            elif job_send(job):
                sent += 1
                continue
            broker_down = True
            waiting += 1
    return {"sent": sent, "waiting": waiting, "failed": failed}
