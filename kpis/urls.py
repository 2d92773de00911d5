from __future__ import annotations

from django.urls import path

from actions import upload_views
from kpis import views
from send_tracker.routes import under

app_name = "kpis"

# KPI values and open-data files are uploaded through the intake pages, at the addresses they have always had.
VALUES = {"source": "kpi-values"}
OPEN_DATA = {"source": "open-data"}

urlpatterns = [
    under(
        "strategies/<int:strategy_id>/kpis/",
        path("", views.scorecard, name="scorecard"),
        path("library/", views.library, name="library"),
        path("benchmarks/", upload_views.upload, OPEN_DATA, name="benchmarks_upload"),
        path("benchmarking/", views.benchmarking_settings, name="benchmarking_settings"),
        path("new/", views.indicator_create, name="indicator_create"),
        path("upload/", upload_views.upload, VALUES, name="kpi_upload"),
    ),
    under(
        "kpis/<int:indicator_id>/",
        path("", views.indicator_detail, name="indicator_detail"),
        path("chart.svg", views.indicator_chart, name="indicator_chart"),
        path("values/", views.value_add, name="value_add"),
        path("edit/", views.indicator_edit, name="indicator_edit"),
    ),
    path("kpi-values/<int:value_id>/correct/", views.value_correct, name="value_correct"),
    path("kpi-benchmark-imports/<int:import_id>/", upload_views.upload_preview, OPEN_DATA, name="benchmarks_preview"),
    path("kpi-benchmark-imports/<int:import_id>/confirm/", upload_views.upload_confirm, OPEN_DATA, name="benchmarks_confirm"),
    path("kpi-uploads/<int:import_id>/", upload_views.upload_preview, VALUES, name="kpi_upload_preview"),
    path("kpi-uploads/<int:import_id>/confirm/", upload_views.upload_confirm, VALUES, name="kpi_upload_confirm"),
]
