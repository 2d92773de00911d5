"""The people who sign in."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    job_title = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey("people.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    posts = models.ManyToManyField(
        "people.Post", blank=True, related_name="holders", help_text="The job titles this person holds in plans."
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.email or self.username
