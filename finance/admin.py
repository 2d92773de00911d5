from __future__ import annotations

from django.contrib import admin

from finance.models import FinancePlan, Mitigation


@admin.register(FinancePlan)
class FinancePlanAdmin(admin.ModelAdmin):
    list_display = ("strategy", "name", "first_year", "last_year")


@admin.register(Mitigation)
class MitigationAdmin(admin.ModelAdmin):
    list_display = ("ref", "title", "plan", "is_illustrative")
    list_filter = ("plan", "is_illustrative")
