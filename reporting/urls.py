from __future__ import annotations

from django.urls import path, register_converter

from reporting import cycle_views, document_views, self_evaluation_views, views
from send_tracker.routes import under


class ExportFormatConverter:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormatConverter, "export_format")


class PackFormatConverter(ExportFormatConverter):
    regex = "pdf|zip"


register_converter(PackFormatConverter, "pack_format")

app_name = "reporting"

urlpatterns = [
    path("groups/<int:group_id>/", views.group_detail, name="group_detail"),
    path("partnerships/<int:partnership_id>/changes/", views.change_log, name="change_log"),
    path("partnerships/<int:partnership_id>/changes.<export_format:file_format>", views.change_log_export, name="change_log_export"),
    under(
        "strategies/<int:strategy_id>/",
        path("this-cycle/", cycle_views.this_cycle, name="this_cycle"),
        path("documents/request/", document_views.document_request_view, name="document_request"),
        path("priority-action-plan/", document_views.priority_action_plan_page, name="priority_action_plan_page"),
        path("self-evaluation/upload/", self_evaluation_views.self_evaluation_upload, name="self_evaluation_upload"),
        path("dashboard/", views.dashboard, name="dashboard"),
        path("dashboard/exceptions/<slug:kind>/", views.dashboard_exceptions, name="dashboard_exceptions"),
        path("dashboard/movement/", views.dashboard_movement, name="dashboard_movement"),
        path("dashboard/export.<export_format:file_format>", views.dashboard_export, name="dashboard_export"),
        path("snapshots/", views.snapshot_list, name="snapshot_list"),
        path("snapshots/new/", views.snapshot_create, name="snapshot_create"),
        path("reports/", views.reports, name="reports"),
        path("reports/request/", views.report_request, name="report_request"),
        path("findings/", views.findings, name="findings"),
        path("evidence-packs/request/", views.evidence_pack_request_view, name="evidence_pack_request"),
    ),
    path("documents/<int:document_id>/", document_views.document_detail, name="document_detail"),
    path("documents/<int:document_id>/download/", document_views.document_download, name="document_download"),
    under(
        "reports/<int:report_id>/",
        path("", views.report_detail, name="report_detail"),
        path("retry/", views.report_retry, name="report_retry"),
        path("download/", views.report_download, name="report_download"),
    ),
    path("snapshots/<int:snapshot_id>/pack/", views.snapshot_pack, name="snapshot_pack"),
    path("evidence-packs/<int:pack_id>/", views.evidence_pack_detail, name="evidence_pack_detail"),
    path("evidence-packs/<int:pack_id>/download.<pack_format:file_format>", views.evidence_pack_download, name="evidence_pack_download"),
]
