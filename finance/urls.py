from __future__ import annotations

from django.urls import path

from finance import views
from send_tracker.routes import under

app_name = "finance"
ACTUALS = {"source": "finance-actuals"}

urlpatterns = [
    under(
        "strategies/<int:strategy_id>/finance/",
        path("", views.plan, name="plan"),
        path("headline/", views.headline, name="headline"),
        path("mitigations.xlsx", views.mitigations_export, name="mitigations_export"),
        path("plan/", views.plan_edit, name="plan_edit"),
        path("figures/", views.figures_edit, name="figures_edit"),
        path("mitigations/new/", views.mitigation_add, name="mitigation_add"),
        path("actuals/new/", views.actual_add, name="actual_add"),
        # Spreadsheets of actual figures go through the intake pages, as a finance lead's upload.
        path("actuals/upload/", views.actuals_upload, ACTUALS, name="actuals_upload"),
    ),
    path("mitigations/<int:mitigation_id>/", views.mitigation_edit, name="mitigation_edit"),
    path("finance-uploads/<int:import_id>/", views.actuals_preview, ACTUALS, name="actuals_preview"),
    path("finance-uploads/<int:import_id>/confirm/", views.actuals_confirm, ACTUALS, name="actuals_confirm"),
]
