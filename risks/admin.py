from __future__ import annotations

from django.contrib import admin

from risks.models import Risk, RiskScale


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ("ref", "title", "strategy", "owner", "category", "restricted", "review_date")
    list_filter = ("strategy", "category", "restricted")
    # Scores change only by a re-score with its reason (risks.services.risk_rescore), never here.
    readonly_fields = (
        "inherent_likelihood",
        "inherent_impact",
        "residual_likelihood",
        "residual_impact",
        "version",
    )


@admin.register(RiskScale)
class RiskScaleAdmin(admin.ModelAdmin):
    list_display = ("partnership",)
