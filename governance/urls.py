from __future__ import annotations

from django.urls import path, register_converter

from governance import views


class ExportFormatConverter:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormatConverter, "export_format")

app_name = "governance"

urlpatterns = [
    path("groups/<int:group_id>/", views.group_detail, name="group_detail"),
    path("strategies/<int:strategy_id>/dashboard/", views.dashboard, name="dashboard"),
    path(
        "strategies/<int:strategy_id>/dashboard/export.<export_format:file_format>",
        views.dashboard_export,
        name="dashboard_export",
    ),
    path("strategies/<int:strategy_id>/snapshots/", views.snapshot_list, name="snapshot_list"),
    path("strategies/<int:strategy_id>/snapshots/new/", views.snapshot_create, name="snapshot_create"),
    path("strategies/<int:strategy_id>/reports/", views.reports, name="reports"),
    path("strategies/<int:strategy_id>/reports/request/", views.report_request, name="report_request"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/retry/", views.report_retry, name="report_retry"),
    path("reports/<int:report_id>/download/", views.report_download, name="report_download"),
    path("snapshots/<int:snapshot_id>/pack/", views.snapshot_pack, name="snapshot_pack"),
    path("meetings/<int:meeting_id>/sign-off/", views.sign_off_board, name="sign_off_board"),
    path("meetings/<int:meeting_id>/signatories/", views.signatory_nominate_view, name="signatory_nominate"),
    path("sign-offs/<int:sign_off_id>/", views.sign_off_decide_view, name="sign_off_decide"),
]
