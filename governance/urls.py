from __future__ import annotations

from django.urls import path

from governance import calendar_views, framework_views, meeting_views, self_evaluation_views, snapshot_views, views
from send_tracker.routes import under

app_name = "governance"

urlpatterns = [
    path("snapshots/<int:snapshot_id>/retake/", snapshot_views.snapshot_retake_view, name="snapshot_retake"),
    under(
        "meetings/<int:meeting_id>/",
        path("", meeting_views.meeting_detail, name="meeting_detail"),
        path("sign-off/", views.sign_off_board, name="sign_off_board"),
        path("signatories/", views.signatory_nominate_view, name="signatory_nominate"),
        path("move/", calendar_views.meeting_move_view, name="meeting_move"),
        path("cancel/", calendar_views.meeting_cancel_view, name="meeting_cancel"),
        path("decisions/", meeting_views.decision_create, name="decision_create"),
        path("actions-arising/", meeting_views.action_arising_create, name="action_arising_create"),
    ),
    path("sign-offs/<int:sign_off_id>/", views.sign_off_decide_view, name="sign_off_decide"),
    under(
        "strategies/<int:strategy_id>/",
        path("inspections/new/", views.inspection_create, name="inspection_create"),
        path("calendar/", calendar_views.calendar, name="calendar"),
        path("calendar/boards/", calendar_views.board_create_view, name="board_create"),
        path("calendar/series/", calendar_views.meeting_series_view, name="meeting_series"),
        path("framework/", framework_views.coverage, name="coverage"),
        path("self-evaluation/", self_evaluation_views.self_evaluation, name="self_evaluation"),
        path("self-evaluation/strands/<str:code>/", self_evaluation_views.self_evaluation_strand, name="self_evaluation_strand"),
        path("self-evaluation/draft/", self_evaluation_views.self_evaluation_draft_view, name="self_evaluation_draft"),
        path("self-evaluation/compare/", self_evaluation_views.self_evaluation_compare, name="self_evaluation_compare"),
    ),
    path("inspections/<int:inspection_id>/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<int:inspection_id>/findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:finding_id>/", views.finding_edit, name="finding_edit"),
    path("actions/<int:action_id>/findings/", views.action_findings, name="action_findings"),
    path("actions/<int:action_id>/strands/", framework_views.action_strands, name="action_strands"),
    path("kpis/<int:indicator_id>/findings/", views.indicator_findings, name="indicator_findings"),
    path("kpis/<int:indicator_id>/strands/", framework_views.indicator_strands, name="indicator_strands"),
    path("deliverables/<int:deliverable_id>/strands/", framework_views.deliverable_strands, name="deliverable_strands"),
    path("calendar/", meeting_views.calendar_feed_manage, name="calendar_feed_manage"),
    path("calendar/<str:token>.ics", meeting_views.calendar_feed, name="calendar_feed"),
]
