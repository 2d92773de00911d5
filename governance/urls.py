from __future__ import annotations

from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("strategies/<int:strategy_id>/reports/", views.reports, name="reports"),
    path("strategies/<int:strategy_id>/reports/request/", views.report_request, name="report_request"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/retry/", views.report_retry, name="report_retry"),
    path("reports/<int:report_id>/download/", views.report_download, name="report_download"),
    path("snapshots/<int:snapshot_id>/pack/", views.snapshot_pack, name="snapshot_pack"),
]
