"""API tokens: how an analyst's Power BI or Excel reads one partnership's data through the feed."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from people.models import Partnership

TOKEN_PREFIX = "sendfeed_"


def token_digest(token: str) -> str:
    # Tokens are 256 random bits, so one fast hash is enough: there is nothing to guess.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A named, revocable key to one partnership's feed. Only its hash is kept: it is shown once."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What it is for, such as 'Power BI board dashboard'.")
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=16, help_text="The token's last characters, to tell tokens apart.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], condition=Q(revoked_at__isnull=True), name="apitoken_live_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


def api_token_create(*, partnership: Partnership, name: str, created_by) -> tuple[ApiToken, str]:
    """A new token for the partnership: returns the row and the token itself, which is never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        partnership=partnership, name=name.strip(), digest=token_digest(token), hint=token[-4:], created_by=created_by
    )
    return row, token


def api_token_revoke(*, token: ApiToken, revoked_by) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=revoked_by)


def api_token_find(token: str) -> ApiToken | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    return ApiToken.objects.live().select_related("partnership").filter(digest=token_digest(token)).first()
