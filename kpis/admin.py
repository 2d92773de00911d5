from __future__ import annotations

from django.contrib import admin

from kpis.models import Benchmark, Indicator, KpiValue


class KpiValueInline(admin.TabularInline):
    """Values are read here: entering and correcting them happens on the KPI's page, which keeps the history."""

    model = KpiValue
    fk_name = "indicator"
    fields = ["period", "value", "england", "region", "statistical_neighbours", "is_superseded", "entered_by", "entered_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class BenchmarkInline(admin.TabularInline):
    """Benchmarks are read from open-data files on the product's pages and never edited."""

    model = Benchmark
    fields = ["period", "england", "region", "region_name", "neighbours_average", "neighbours_counted", "rank", "ranked", "source"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "strategy", "unit", "direction", "frequency", "target"]
    list_filter = ["strategy", "frequency", "source"]
    search_fields = ["code", "name"]
    filter_horizontal = ["delivery_groups", "owners"]
    inlines = [KpiValueInline, BenchmarkInline]
