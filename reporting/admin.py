from __future__ import annotations

from django.contrib import admin

from reporting.models import BoardReport, EvidencePack


@admin.register(BoardReport)
class BoardReportAdmin(admin.ModelAdmin):
    list_display = ("snapshot", "meeting", "status", "page_count", "render_seconds", "requested_by", "requested_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in BoardReport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(EvidencePack)
class EvidencePackAdmin(admin.ModelAdmin):
    list_display = ("strategy", "finding", "status", "page_count", "file_count", "requested_by", "requested_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in EvidencePack._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
