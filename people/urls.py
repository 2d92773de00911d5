from __future__ import annotations

from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("partnerships/<int:partnership_id>/people/", views.people_list, name="people_list"),
    path("partnerships/<int:partnership_id>/people/invite/", views.invite, name="invite"),
    path("partnerships/<int:partnership_id>/posts/", views.post_list, name="post_list"),
    path("people/<int:membership_id>/", views.person_detail, name="person_detail"),
    path("people/<int:membership_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:membership_id>/deactivate/", views.person_deactivate_view, name="person_deactivate"),
    path("people/<int:membership_id>/reactivate/", views.person_reactivate_view, name="person_reactivate"),
    path("invitations/<int:invitation_id>/resend/", views.invitation_resend_view, name="invitation_resend"),
    path("invitations/<int:invitation_id>/withdraw/", views.invitation_withdraw_view, name="invitation_withdraw"),
    path("invitation/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("posts/<int:post_id>/", views.post_detail, name="post_detail"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_id>/hand-over/", views.post_hand_over_view, name="post_hand_over"),
    path("posts/<int:post_id>/merge/", views.post_merge_view, name="post_merge"),
]
