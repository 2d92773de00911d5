from __future__ import annotations

from django.contrib import admin

from feed.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created on the partnership's Data feed page, where the token is shown once; here they are only read."""

    list_display = ["name", "partnership", "hint", "created_by", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["partnership"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
