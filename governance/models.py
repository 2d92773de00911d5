"""Boards, meetings, reporting snapshots and board reports."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from actions.models import Action, DeliveryGroup, RatingLevel, Strategy


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
