from __future__ import annotations

from django.urls import path

from actions import email_views, plan_views, round_views, scheme_views, upload_views, views
from send_tracker.routes import under

app_name = "actions"

# A plan is uploaded through the intake pages, at the addresses it has always had.
PLAN = {"source": "plan"}

urlpatterns = [
    path("my-actions/", views.my_actions, name="my_actions"),
    path("my-actions/round/", round_views.update_round, name="update_round"),
    path("strategies/", views.strategy_list, name="strategy_list"),
    under(
        "strategies/<int:strategy_id>/",
        path("", views.strategy_detail, name="strategy_detail"),
        path("groups/<int:group_id>/actions/", views.strategy_group_actions, name="strategy_group_actions"),
        path("import/", upload_views.upload, PLAN, name="plan_import"),
        path("import/upload/", upload_views.upload_sent, PLAN, name="plan_import_upload"),
        # Any registered source of uploads (KPI definitions, deliverables ...), at one set of addresses.
        path("uploads/<slug:source>/", upload_views.upload, name="upload"),
        path("discard/", plan_views.strategy_discard_view, name="strategy_discard"),
        path("actions/new/", plan_views.action_create_view, name="action_create"),
        path("groups/new/", plan_views.group_create_view, name="group_create"),
        path("round/", round_views.round_progress, name="round_progress"),
        path("round/chase/", round_views.round_chase_view, name="round_chase"),
        path("rating-scheme/", scheme_views.strategy_scheme_change_view, name="strategy_scheme"),
    ),
    under(
        "actions/<int:action_id>/",
        path("", views.action_detail, name="action_detail"),
        path("update/", views.action_update, name="action_update"),
        path("milestones/", views.milestone_add_view, name="milestone_add"),
        path("edit/", plan_views.action_edit_view, name="action_edit"),
        path("retire/", plan_views.action_retire_view, name="action_retire"),
    ),
    path("groups/<int:group_id>/edit/", plan_views.group_edit_view, name="group_edit"),
    path("groups/<int:group_id>/move/", plan_views.group_move_view, name="group_move"),
    path("milestones/<int:milestone_id>/done/", views.milestone_mark_view, name="milestone_mark"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/email/", email_views.email_preferences, name="email_preferences"),
    path("email/unsubscribe/<str:token>/", email_views.email_unsubscribe, name="email_unsubscribe"),
    under(
        "partnerships/<int:partnership_id>/",
        path("chasing/", email_views.chasing_schedule, name="chasing_schedule"),
        path("strategies/new/", plan_views.strategy_create_view, name="strategy_create"),
        path("rating-schemes/", scheme_views.scheme_list, name="scheme_list"),
        path("rating-schemes/new/", scheme_views.scheme_create_view, name="scheme_create"),
        path("rating-schemes/<int:scheme_id>/", scheme_views.scheme_detail, name="scheme_detail"),
    ),
    under(
        "imports/<int:import_id>/",
        path("", upload_views.upload_preview, PLAN, name="plan_import_preview"),
        path("columns/", views.plan_import_mapping, name="plan_import_mapping"),
        path("confirm/", upload_views.upload_confirm, PLAN, name="plan_import_confirm"),
    ),
    path("uploads/<slug:source>/<int:import_id>/", upload_views.upload_preview, name="upload_preview"),
    path("uploads/<slug:source>/<int:import_id>/confirm/", upload_views.upload_confirm, name="upload_confirm"),
]
