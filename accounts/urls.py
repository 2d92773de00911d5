from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.mfa_verify, name="mfa_verify"),
    path("two-factor/set-up/", views.mfa_setup, name="mfa_setup"),
    path("two-factor/set-up/qr-code.svg", views.mfa_setup_qr, name="mfa_setup_qr"),
    path("session/", views.session_time, name="session_time"),
]
