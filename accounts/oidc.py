"""Single sign-on with an OpenID Connect provider, such as Microsoft Entra ID.

Only people who already have an account here can sign in this way: the
provider's email claim is matched (ignoring case) to an active account, and no
account is ever created from a provider's say-so, because membership of a
partnership is granted by its programme officer, not by an identity provider.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.mfa import IDP_MFA_SESSION_KEY
from send_tracker.security import security_event


class ExistingAccountsBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED:
            return None
        return super().authenticate(request, **kwargs)

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def get_or_create_user(self, access_token, id_token, payload):
        # With a tenant configured, a token from any other Entra tenant is refused, whatever email it claims.
        tenant = settings.OIDC_ENTRA_TENANT_ID
        if tenant and payload.get("tid") != tenant:
            raise SuspiciousOperation("The ID token is from another tenant.")
        return super().get_or_create_user(access_token, id_token, payload)

    def create_user(self, claims):
        return None  # never: see the module docstring

    def update_user(self, user, claims):
        return user


class AuthenticateView(OIDCAuthenticationRequestView):
    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return super().get(request)

    def login_success(self):
        response = super().login_success()
        if settings.OIDC_TRUST_IDP_MFA:
            # The provider enforces a second factor (conditional access): ours would only ask again.
            self.request.session[IDP_MFA_SESSION_KEY] = True
        security_event("sso_sign_in", self.request, user=self.user)
        return response

    def login_failure(self):
        security_event("sso_sign_in_failed", self.request)
        return HttpResponseRedirect(f"{reverse('login')}?sso=failed")
