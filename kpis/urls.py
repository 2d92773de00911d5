from __future__ import annotations

from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("strategies/<int:strategy_id>/kpis/", views.scorecard, name="scorecard"),
    path("kpis/<int:indicator_id>/", views.indicator_detail, name="indicator_detail"),
    path("kpis/<int:indicator_id>/chart.svg", views.indicator_chart, name="indicator_chart"),
    path("kpis/<int:indicator_id>/values/", views.value_add, name="value_add"),
    path("kpi-values/<int:value_id>/correct/", views.value_correct, name="value_correct"),
    path("strategies/<int:strategy_id>/kpis/library/", views.library, name="library"),
    path("strategies/<int:strategy_id>/kpis/benchmarks/", views.benchmarks_upload, name="benchmarks_upload"),
    path("strategies/<int:strategy_id>/kpis/benchmarking/", views.benchmarking_settings, name="benchmarking_settings"),
    path("kpi-benchmark-imports/<int:import_id>/", views.benchmarks_preview, name="benchmarks_preview"),
    path("kpi-benchmark-imports/<int:import_id>/confirm/", views.benchmarks_confirm, name="benchmarks_confirm"),
    path("strategies/<int:strategy_id>/kpis/new/", views.indicator_create, name="indicator_create"),
    path("kpis/<int:indicator_id>/edit/", views.indicator_edit, name="indicator_edit"),
    path("strategies/<int:strategy_id>/kpis/upload/", views.kpi_upload, name="kpi_upload"),
    path("kpi-uploads/<int:import_id>/", views.kpi_upload_preview, name="kpi_upload_preview"),
    path("kpi-uploads/<int:import_id>/confirm/", views.kpi_upload_confirm, name="kpi_upload_confirm"),
]
