"""What every kind of job shows in the admin: its rows as the workers left them, never added or edited by hand."""

from __future__ import annotations

from django.contrib import admin


class JobAdmin(admin.ModelAdmin):
    list_filter = ("status",)

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
