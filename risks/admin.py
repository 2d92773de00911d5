from __future__ import annotations

from django.contrib import admin

from risks.models import Risk, RiskScale


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ("ref", "title", "strategy", "owner", "category", "restricted", "review_date", "closed_at")
    list_filter = ("strategy", "category", "restricted")
    # Scores change only by a re-score with its reason (risks.services.risk_rescore), and a risk is closed and reopened
    # only from its page (risks.services.risk_close, risk_reopen), never here.
    readonly_fields = (
        "inherent_likelihood",
        "inherent_impact",
        "residual_likelihood",
        "residual_impact",
        "closed_at",
        "closed_by",
        "closed_reason",
        "version",
    )


@admin.register(RiskScale)
class RiskScaleAdmin(admin.ModelAdmin):
    list_display = ("partnership",)
