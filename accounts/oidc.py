"""Single sign-on with OpenID Connect providers, such as Microsoft Entra ID tenants.

Partners sign in with their own organisation's provider: a council's tenant and
an ICB's tenant side by side, each an `IdentityProvider` set up by the install's
administrator (plus, optionally, one install-wide provider from the OIDC_*
environment variables). The person picks theirs on the sign-in page; the choice
is kept in the session for the callback.

Only people who already have an account here can sign in this way: the
provider's email claim is matched (ignoring case) to an active account whose
email domain is one of the provider's, and no account is ever created from a
provider's say-so, because membership of a partnership is granted by its
programme officer, not by an identity provider.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.mfa import IDP_MFA_SESSION_KEY
from accounts.models import INSTALL_PROVIDER, IdentityProvider
from accounts.providers import SESSION_KEY, provider_chosen, provider_for
from send_tracker.security import security_event


class ExistingAccountsBackend(OIDCAuthenticationBackend):
    provider: IdentityProvider

    def authenticate(self, request, **kwargs):
        provider = provider_chosen(request)
        if provider is None:
            return None
        # The library reads its endpoints and client from settings when made; this sign-in is the chosen provider's.
        self.provider = provider
        for name, value in provider.endpoints().items():
            setattr(self, name, value)
        self.OIDC_RP_CLIENT_ID, self.OIDC_RP_CLIENT_SECRET = provider.client_id, provider.client_secret
        self.OIDC_RP_SIGN_ALGO = provider.sign_algo
        return super().authenticate(request, **kwargs)

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email or not self.provider.vouches_for(email):
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def get_or_create_user(self, access_token, id_token, payload):
        # With a tenant configured, a token from any other Entra tenant is refused, whatever email it claims.
        tenant = self.provider.entra_tenant_id
        if tenant and payload.get("tid") != tenant:
            raise SuspiciousOperation("The ID token is from another tenant.")
        return super().get_or_create_user(access_token, id_token, payload)

    def create_user(self, claims):
        return None  # never: see the module docstring

    def update_user(self, user, claims):
        return user


class AuthenticateView(OIDCAuthenticationRequestView):
    def get(self, request, slug: str = INSTALL_PROVIDER):
        provider = provider_for(slug)
        if provider is None:
            raise Http404("Single sign-on is not configured.")
        request.session[SESSION_KEY] = provider.slug
        self.OIDC_OP_AUTH_ENDPOINT = provider.endpoints()["OIDC_OP_AUTHORIZATION_ENDPOINT"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        if provider_chosen(request) is None:
            raise Http404("Single sign-on is not configured.")
        return super().get(request)

    def login_success(self):
        provider = provider_chosen(self.request)
        response = super().login_success()
        if provider is not None and provider.trust_idp_mfa:
            # The provider enforces a second factor (conditional access): ours would only ask again.
            self.request.session[IDP_MFA_SESSION_KEY] = True
        security_event("sso_sign_in", self.request, user=self.user, provider=provider.slug if provider else "")
        return response

    def login_failure(self):
        provider = provider_chosen(self.request)
        security_event("sso_sign_in_failed", self.request, provider=provider.slug if provider else "")
        return HttpResponseRedirect(f"{reverse('login')}?sso=failed")
