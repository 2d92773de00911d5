from __future__ import annotations

from django.contrib import admin

from governance.models import Board, Finding, Inspection, Meeting
from send_tracker.forms import HTTPS_URLS


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("name", "partnership", "chair_role", "cadence")
    list_filter = ("partnership",)
    filter_horizontal = ("members",)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("board", "date", "papers_deadline", "status", "snapshot")
    list_filter = ("board", "status")


class FindingInline(admin.StackedInline):
    model = Finding
    extra = 0
    fields = ("kind", "number", "text")
    show_change_link = True


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    """For the install's administrators: officers record inspections on the product's own pages."""

    list_display = ("__str__", "strategy", "outcome", "is_illustrative")
    formfield_overrides = HTTPS_URLS
    list_filter = ("kind", "outcome", "is_illustrative")
    inlines = [FindingInline]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "inspection")
    raw_id_fields = ("actions", "indicators")
