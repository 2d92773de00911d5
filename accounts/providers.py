"""Which single sign-on providers there are, and which one a person chose (see accounts/oidc.py)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from accounts.models import INSTALL_PROVIDER, IdentityProvider

SESSION_KEY = "sso_provider"


def install_provider() -> IdentityProvider | None:
    """The provider the OIDC_* environment variables configure, if they do (never saved)."""
    if not settings.OIDC_ENABLED:
        return None
    return IdentityProvider(
        name=settings.OIDC_PROVIDER_NAME,
        slug=INSTALL_PROVIDER,
        client_id=settings.OIDC_RP_CLIENT_ID,
        client_secret=settings.OIDC_RP_CLIENT_SECRET,
        entra_tenant_id=settings.OIDC_ENTRA_TENANT_ID,
        authorization_endpoint=settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        token_endpoint=settings.OIDC_OP_TOKEN_ENDPOINT,
        user_endpoint=settings.OIDC_OP_USER_ENDPOINT,
        jwks_endpoint=settings.OIDC_OP_JWKS_ENDPOINT,
        sign_algo=settings.OIDC_RP_SIGN_ALGO,
        trust_idp_mfa=settings.OIDC_TRUST_IDP_MFA,
    )


def providers_enabled() -> list[IdentityProvider]:
    """Every provider people can sign in with, as the sign-in page lists them."""
    configured = install_provider()
    return ([configured] if configured else []) + list(IdentityProvider.objects.filter(enabled=True))


def provider_for(slug: str | None) -> IdentityProvider | None:
    if not slug:
        return None
    if slug == INSTALL_PROVIDER:
        return install_provider()
    return IdentityProvider.objects.filter(slug=slug, enabled=True).first()


def provider_chosen(request: HttpRequest | None) -> IdentityProvider | None:
    return provider_for(request.session.get(SESSION_KEY)) if request is not None and hasattr(request, "session") else None
