from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from accounts.forms import SignInForm
from accounts.oidc import AuthenticateView
from reporting import views as reporting_views
from send_tracker import health

admin.site.site_header = "SEND strategy tracker administration"
admin.site.site_title = "SEND strategy tracker"

urlpatterns = [
    path("", reporting_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("sign-in/", auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("accessibility/", TemplateView.as_view(template_name="pages/accessibility.html"), name="accessibility"),
    path("account/", include("accounts.urls")),
    path("sso/", include("mozilla_django_oidc.urls")),
    path("sso/<slug:slug>/authenticate/", AuthenticateView.as_view(), name="sso_provider_init"),
    path("privacy/", TemplateView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("", include("people.urls")),
    path("", include("actions.urls")),
    path("", include("governance.urls")),
    path("", include("reporting.urls")),
    path("", include("kpis.urls")),
    path("", include("feed.urls")),
    path("", include("coproduction.urls")),
    path("", include("risks.urls")),
    path("", include("finance.urls")),
    path("admin/", admin.site.urls),
]
