from __future__ import annotations

from django.urls import path, register_converter

from governance import calendar_views, cycle_views, round_views, views


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
    path("strategies/<int:strategy_id>/findings/", views.findings, name="findings"),
    path("strategies/<int:strategy_id>/inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:inspection_id>/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<int:inspection_id>/findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:finding_id>/", views.finding_edit, name="finding_edit"),
    path("actions/<int:action_id>/findings/", views.action_findings, name="action_findings"),
    path("kpis/<int:indicator_id>/findings/", views.indicator_findings, name="indicator_findings"),
    path("strategies/<int:strategy_id>/evidence-packs/request/", views.evidence_pack_request_view, name="evidence_pack_request"),
    path("evidence-packs/<int:pack_id>/", views.evidence_pack_detail, name="evidence_pack_detail"),
    path("evidence-packs/<int:pack_id>/download.<pack_format:file_format>", views.evidence_pack_download, name="evidence_pack_download"),
    path("strategies/<int:strategy_id>/calendar/", calendar_views.calendar, name="calendar"),
    path("strategies/<int:strategy_id>/calendar/boards/", calendar_views.board_create_view, name="board_create"),
    path("strategies/<int:strategy_id>/calendar/series/", calendar_views.meeting_series_view, name="meeting_series"),
    path("meetings/<int:meeting_id>/move/", calendar_views.meeting_move_view, name="meeting_move"),
    path("meetings/<int:meeting_id>/cancel/", calendar_views.meeting_cancel_view, name="meeting_cancel"),
    path("my-actions/round/", round_views.update_round, name="update_round"),
    path("strategies/<int:strategy_id>/this-cycle/", cycle_views.this_cycle, name="this_cycle"),
    path("strategies/<int:strategy_id>/round/", round_views.round_progress, name="round_progress"),
    path("strategies/<int:strategy_id>/round/chase/", round_views.round_chase_view, name="round_chase"),
]
