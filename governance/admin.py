from __future__ import annotations

from django.contrib import admin

from governance.models import Board, BoardReport, Meeting


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("name", "partnership", "chair_role", "cadence")
    list_filter = ("partnership",)
    filter_horizontal = ("members",)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("board", "date", "papers_deadline", "status", "snapshot")
    list_filter = ("board", "status")


@admin.register(BoardReport)
class BoardReportAdmin(admin.ModelAdmin):
    list_display = ("snapshot", "meeting", "status", "page_count", "render_seconds", "requested_by", "requested_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in BoardReport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
