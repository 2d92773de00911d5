"""The one background-job base: a row that is the job, with one status machine, for every kind of job.

A kind of job (a board pack, an evidence pack) is a concrete model on this base
that names its Celery task. The row is what the page polls, what the task
claims, and what housekeeping heals; the broker's message only says "run row N".

    queued ──▶ running ──▶ ready
      │  ▲        │
      ▼  │        ▼
    waiting     failed

`waiting` means the broker did not take the message (the background service is
down): housekeeping hands it over again when the broker is back. A running job
whose heartbeat stops (its worker died) goes back to queued.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        WAITING = "waiting", "Waiting for the background service"
        RUNNING = "running", "Running"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    PENDING: ClassVar[tuple[str, ...]] = (Status.QUEUED, Status.WAITING, Status.RUNNING)

    # The Celery task that runs a job of this kind, by the name Celery knows it by; it is called with the row's id.
    task_name: ClassVar[str] = ""
    # The longest a job of this kind may run (the task's hard time limit, in seconds).
    time_limit: ClassVar[int] = 300
    # What a job of this kind is called on its page ("The pack …").
    noun: ClassVar[str] = "The job"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField(default=timezone.now, help_text="When it was last handed to the broker, or first refused by it.")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life from the worker running it.")
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker started it.")
    requeues = models.PositiveSmallIntegerField(default=0, help_text="Times housekeeping queued it again after it was lost.")
    error = models.TextField(blank=True)

    class Meta:
        abstract = True

    def is_pending(self) -> bool:
        return self.status in self.PENDING

    def pending_since(self) -> dt.datetime:
        """When the current wait began: the start of the run while running, else the last hand-over to the broker."""
        if self.status == self.Status.RUNNING and self.started_at:
            return self.started_at
        return self.queued_at

    def stages(self) -> list[tuple[str, str]]:
        """Each stage of the work with its state ("done", "now" or "to do"), for the page that watches it.

        For a job whose model declares a `Stage` enum (its blank WAITING first) and a `stage` field.
        """
        order = [stage for stage in self.Stage if stage != self.Stage.WAITING]
        current = len(order) if self.status == self.Status.READY else order.index(self.stage) if self.stage in order else -1
        return [(stage.label, "done" if i < current else "now" if i == current else "to do") for i, stage in enumerate(order)]

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        """Pending longer than it should be: its worker has probably died or its message was lost, so it will be queued again."""
        now = now or timezone.now()
        if self.status == self.Status.RUNNING:
            last_sign = self.heartbeat_at or self.started_at or self.queued_at
            return now - last_sign > dt.timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT)
        if self.status == self.Status.QUEUED:
            return now - self.queued_at > dt.timedelta(seconds=settings.JOB_QUEUE_LIMIT)
        return False
