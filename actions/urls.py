from __future__ import annotations

from django.urls import path

from actions import plan_views, views

app_name = "actions"

urlpatterns = [
    path("my-actions/", views.my_actions, name="my_actions"),
    path("strategies/", views.strategy_list, name="strategy_list"),
    path("strategies/<int:strategy_id>/", views.strategy_detail, name="strategy_detail"),
    path("actions/<int:action_id>/", views.action_detail, name="action_detail"),
    path("actions/<int:action_id>/update/", views.action_update, name="action_update"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("strategies/<int:strategy_id>/import/", views.plan_import, name="plan_import"),
    path("strategies/<int:strategy_id>/import/upload/", views.plan_import_upload, name="plan_import_upload"),
    path("imports/<int:import_id>/", views.plan_import_preview, name="plan_import_preview"),
    path("imports/<int:import_id>/columns/", views.plan_import_mapping, name="plan_import_mapping"),
    path("imports/<int:import_id>/confirm/", views.plan_import_confirm, name="plan_import_confirm"),
    path("partnerships/<int:partnership_id>/strategies/new/", plan_views.strategy_create_view, name="strategy_create"),
    path("strategies/<int:strategy_id>/actions/new/", plan_views.action_create_view, name="action_create"),
    path("actions/<int:action_id>/edit/", plan_views.action_edit_view, name="action_edit"),
    path("actions/<int:action_id>/retire/", plan_views.action_retire_view, name="action_retire"),
    path("strategies/<int:strategy_id>/groups/new/", plan_views.group_create_view, name="group_create"),
    path("groups/<int:group_id>/edit/", plan_views.group_edit_view, name="group_edit"),
    path("groups/<int:group_id>/move/", plan_views.group_move_view, name="group_move"),
]
