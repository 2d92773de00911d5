from __future__ import annotations

from django.urls import path

from risks import views
from send_tracker.routes import under

app_name = "risks"

urlpatterns = [
    under(
        "strategies/<int:strategy_id>/risks/",
        path("", views.register, name="register"),
        path("new/", views.risk_add, name="risk_add"),
        path("scale/", views.risk_scale, name="risk_scale"),
        path("export.xlsx", views.register_export, name="register_export"),
        path("headline/", views.headline, name="headline"),
    ),
    under(
        "risks/<int:risk_id>/",
        path("", views.risk_detail, name="risk_detail"),
        path("edit/", views.risk_edit, name="risk_edit"),
        path("rescore/", views.risk_rescore_view, name="risk_rescore"),
        path("close/", views.risk_close_view, name="risk_close"),
        path("reopen/", views.risk_reopen_view, name="risk_reopen"),
    ),
]
