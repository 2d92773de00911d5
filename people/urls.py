from __future__ import annotations

from django.urls import path

from people import views
from send_tracker.routes import under

app_name = "people"

urlpatterns = [
    under(
        "partnerships/<int:partnership_id>/",
        path("people/", views.people_list, name="people_list"),
        path("people/invite/", views.invite, name="invite"),
        path("posts/", views.post_list, name="post_list"),
    ),
    under(
        "people/<int:membership_id>/",
        path("", views.person_detail, name="person_detail"),
        path("edit/", views.person_edit, name="person_edit"),
        path("deactivate/", views.person_deactivate_view, name="person_deactivate"),
        path("reactivate/", views.person_reactivate_view, name="person_reactivate"),
    ),
    path("invitations/<int:invitation_id>/resend/", views.invitation_resend_view, name="invitation_resend"),
    path("invitations/<int:invitation_id>/withdraw/", views.invitation_withdraw_view, name="invitation_withdraw"),
    path("invitation/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    under(
        "posts/<int:post_id>/",
        path("", views.post_detail, name="post_detail"),
        path("edit/", views.post_edit, name="post_edit"),
        path("hand-over/", views.post_hand_over_view, name="post_hand_over"),
        path("merge/", views.post_merge_view, name="post_merge"),
    ),
]
