from __future__ import annotations

from django.contrib import admin

from governance.models import Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ("strategy", "as_at", "taken_at", "taken_by")
    list_filter = ("strategy",)
    readonly_fields = ("strategy", "as_at", "taken_at", "taken_by", "note")

    def has_change_permission(self, request, obj=None) -> bool:
        return False
