"""Boards, meetings, reporting snapshots and board reports."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from actions.models import Action, DeliveryGroup, Partnership, RatingLevel, Strategy


class Snapshot(models.Model):
    """A strategy's ratings frozen "as at" a date: board reports are built from these."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="snapshots")
    as_at = models.DateField()
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["strategy", "-as_at"]
        get_latest_by = "as_at"
        constraints = [models.UniqueConstraint(fields=["strategy", "as_at"], name="snapshot_one_per_day")]
        triggers = [pgtrigger.Protect(name="snapshot_immutable", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.strategy} as at {self.as_at:%-d %B %Y}"

    def previous(self) -> Snapshot | None:
        return Snapshot.objects.filter(strategy_id=self.strategy_id, as_at__lt=self.as_at).order_by("-as_at").first()


class SnapshotAction(models.Model):
    """One action as it stood in a snapshot."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="items")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="snapshot_items")
    group = models.ForeignKey(DeliveryGroup, on_delete=models.PROTECT, related_name="+")
    ref = models.CharField(max_length=40)
    text = models.TextField()
    owners = models.TextField(blank=True, help_text="Owner titles at the time, separated by '; '.")
    due_date = models.DateField(null=True, blank=True)
    due_precision = models.CharField(max_length=10, choices=Action.DuePrecision.choices)
    rating = models.ForeignKey(RatingLevel, on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField(blank=True, help_text="The latest progress narrative at the time.")
    last_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["snapshot", "id"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "action"], name="snapshotaction_unique")]
        triggers = [pgtrigger.Protect(name="snapshotaction_immutable", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.ref} in {self.snapshot}"


class Board(models.Model):
    """A governance group that oversees the strategy (e.g. the SEND and AP Partnership Board)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="boards")
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    chair_role = models.CharField(max_length=200, blank=True)
    cadence = models.CharField(max_length=200, blank=True, help_text="How often it meets, e.g. every two months.")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="boards")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["partnership", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="board_unique_name")]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="meetings")
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    papers_deadline = models.DateField(null=True, blank=True, help_text="When updates and papers are due.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    snapshot = models.ForeignKey(
        Snapshot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text="The snapshot its board pack is built from.",
    )

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["board", "date"], name="meeting_one_per_day")]

    def __str__(self) -> str:
        return f"{self.board} – {self.date:%-d %B %Y}"


class BoardReport(models.Model):
    """A request for a board pack and, once rendered, the pack itself.

    The row is the job: the page polls it, the task claims it, and a
    redelivered or duplicate task finds it already done.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="board_reports")
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="board_reports")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="board_reports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file_name = models.CharField(max_length=200, blank=True, help_text="Under PRIVATE_MEDIA_ROOT/board-reports/.")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    render_seconds = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Board pack for {self.snapshot} ({self.get_status_display()})"

    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)

    def download_name(self) -> str:
        """A filename made by the server alone: no user text reaches the header."""
        return f"board-pack-{self.snapshot.as_at:%Y-%m-%d}-{self.pk}.pdf"
