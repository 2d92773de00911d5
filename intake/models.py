"""The upload record: a file kept as uploaded, so that its preview and its confirmation read the same bytes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Upload(models.Model):
    """What every kept upload holds; each source's table adds what the upload is for (its strategy, and so on).

    A file is kept when it is uploaded and read for its preview (PREVIEWED, or
    REJECTED with its problems in `summary`); it is read again from the same
    bytes when the officer confirms, and then APPLIED or REJECTED. A tracker
    waits in MAPPING until the officer has said how its columns read.
    """

    class Status(models.TextChoices):
        MAPPING = "mapping", "Waiting for its columns to be matched"
        PREVIEWED = "previewed", "Previewed"
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected"

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
