from __future__ import annotations

from django.urls import path

from coproduction import views
from send_tracker.routes import under

app_name = "coproduction"

urlpatterns = [
    path("groups/<int:group_id>/families-view/", views.families_view, name="families_view"),
    path("groups/<int:group_id>/summary/", views.summary_edit, name="summary_edit"),
    under(
        "strategies/<int:strategy_id>/public-page/",
        path("", views.public_manage, name="public_manage"),
        path("preview/", views.public_preview, name="public_preview"),
        path("publish/", views.public_publish, name="public_publish"),
        path("history/", views.public_history, name="public_history"),
    ),
    # Public: no sign-in.
    path("progress/<slug:slug>/", views.public_page, name="public_page"),
    path("progress/<slug:slug>/feed.atom", views.public_feed, name="public_feed"),
]
