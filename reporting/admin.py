from __future__ import annotations

from django.contrib import admin

from jobs.admin import JobAdmin
from reporting.models import BoardReport, EvidencePack


@admin.register(BoardReport)
class BoardReportAdmin(JobAdmin):
    list_display = ("snapshot", "meeting", "status", "page_count", "render_seconds", "requested_by", "requested_at")


@admin.register(EvidencePack)
class EvidencePackAdmin(JobAdmin):
    list_display = ("strategy", "finding", "status", "page_count", "file_count", "requested_by", "requested_at")
