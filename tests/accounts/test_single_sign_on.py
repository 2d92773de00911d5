"""Single sign-on with an OpenID Connect provider (Microsoft Entra ID), against a fake provider."""

from __future__ import annotations

import time
from unittest import mock
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.urls import reverse

from accounts.models import User
from tests.accounts.conftest import settings_value

CLIENT_SECRET = "a-shared-secret-long-enough-for-hs256-signing"
TENANT = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def sso(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "send-tracker"
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "HS256"  # the fake provider signs with the client secret; Entra uses RS256 and its JWKS
    settings.OIDC_ENTRA_TENANT_ID = TENANT
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://op.invalid/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://op.invalid/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://op.invalid/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://op.invalid/keys"
    return settings


def sign_in_with_provider(client, email: str, tenant: str = TENANT):
    """Start at our sign-in link, let the fake provider vouch for `email`, and follow its redirect back."""
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302 and start["Location"].startswith("https://op.invalid/authorize?")
    query = parse_qs(urlparse(start["Location"]).query)
    assert query["client_id"] == ["send-tracker"] and query["code_challenge_method"] == ["S256"]
    id_token = jwt.encode(
        {
            "iss": f"https://login.microsoftonline.com/{tenant}/v2.0",
            "aud": "send-tracker",
            "tid": tenant,
            "nonce": query["nonce"][0],
            "exp": int(time.time()) + 300,
            "email": email,
        },
        CLIENT_SECRET,
        algorithm="HS256",
    )
    token_response = mock.Mock(status_code=200, json=lambda: {"id_token": id_token, "access_token": "at"})
    userinfo_response = mock.Mock(headers={"content-type": "application/json"}, json=lambda: {"sub": "x", "email": email})
    with (
        mock.patch("mozilla_django_oidc.auth.requests.post", return_value=token_response) as token_call,
        mock.patch("mozilla_django_oidc.auth.requests.get", return_value=userinfo_response),
    ):
        response = client.get(reverse("oidc_authentication_callback"), {"code": "the-code", "state": query["state"][0]})
    assert token_call.call_args.kwargs["data"]["code"] == "the-code"
    return response


def test_a_person_with_an_account_signs_in_with_the_provider(client, sso, owner):
    response = sign_in_with_provider(client, "OWNER@example.org")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert client.get(reverse("actions:my_actions")).status_code == 200


def test_an_unknown_email_is_not_signed_in_and_no_account_is_made(client, sso, owner):
    users = User.objects.count()
    response = sign_in_with_provider(client, "stranger@example.org")
    assert response["Location"] == f"{reverse('login')}?sso=failed"
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users
    page = client.get(response["Location"])
    assert "Only people who already have an account here can sign in this way" in page.content.decode()
    assert "<title>Error: Sign in" in page.content.decode()  # a screen reader hears the problem first


def test_a_deactivated_account_cannot_sign_in_with_the_provider(client, sso, owner):
    owner.is_active = False
    owner.save()
    sign_in_with_provider(client, owner.email)
    assert "_auth_user_id" not in client.session


def test_a_token_from_another_tenant_is_refused(client, sso, owner):
    sign_in_with_provider(client, owner.email, tenant="99999999-0000-0000-0000-000000000000")
    assert "_auth_user_id" not in client.session


def test_our_second_factor_still_applies_unless_the_provider_is_trusted_to_enforce_one(client, sso, owner):
    sso.MFA_REQUIRED = True
    sign_in_with_provider(client, owner.email)
    assert client.get(reverse("actions:my_actions"))["Location"].startswith(reverse("accounts:mfa_setup"))
    client.post(reverse("logout"))
    sso.OIDC_TRUST_IDP_MFA = True
    sign_in_with_provider(client, owner.email)
    assert client.get(reverse("actions:my_actions")).status_code == 200


def test_the_sign_in_page_offers_the_provider_only_when_configured(client, settings, db):
    assert "Sign in with Microsoft" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    settings.OIDC_ENABLED = True
    assert "Sign in with Microsoft" in client.get(reverse("login")).content.decode()


def test_a_tenant_id_configures_entra_id():
    env = {"OIDC_RP_CLIENT_ID": "id", "OIDC_RP_CLIENT_SECRET": "secret", "OIDC_ENTRA_TENANT_ID": TENANT}
    endpoints = settings_value("(settings.OIDC_ENABLED, settings.OIDC_OP_TOKEN_ENDPOINT, settings.OIDC_OP_JWKS_ENDPOINT)", **env)
    assert endpoints == (
        f"(True, 'https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token', "
        f"'https://login.microsoftonline.com/{TENANT}/discovery/v2.0/keys')"
    )
    assert settings_value("settings.OIDC_ENABLED") == "False"


# Two organisations, two tenants: a council's and an ICB's, each set up by the install's administrator.
COUNCIL_TENANT = "aaaaaaaa-0000-0000-0000-000000000001"
ICB_TENANT = "bbbbbbbb-0000-0000-0000-000000000002"


@pytest.fixture
def two_providers(db):
    from accounts.models import IdentityProvider

    common = {"client_secret": CLIENT_SECRET, "sign_algo": "HS256"}
    council = IdentityProvider.objects.create(
        name="Cheshire East Council", slug="council", email_domains="council.example.gov.uk", client_id="council-app",
        entra_tenant_id=COUNCIL_TENANT, **common,
    )  # fmt: skip
    icb = IdentityProvider.objects.create(
        name="NHS Cheshire and Merseyside", slug="icb", email_domains="nhs.example.net, icb.example.net", client_id="icb-app",
        entra_tenant_id=ICB_TENANT, **common,
    )  # fmt: skip
    return council, icb


def sign_in_with(client, provider, email: str, tenant: str):
    """Start at the provider's own sign-in link, let a fake `tenant` vouch for `email`, and follow the redirect back."""
    start = client.get(reverse("sso_provider_init", args=[provider.slug]))
    assert start.status_code == 302
    location = urlparse(start["Location"])
    own = f"https://login.microsoftonline.com/{provider.entra_tenant_id}/oauth2/v2.0"
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{own}/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == [provider.client_id]
    claims = {"aud": provider.client_id, "tid": tenant, "nonce": query["nonce"][0], "exp": int(time.time()) + 300, "email": email}
    id_token = jwt.encode(claims, CLIENT_SECRET, algorithm="HS256")
    token_response = mock.Mock(status_code=200, json=lambda: {"id_token": id_token, "access_token": "at"})
    userinfo_response = mock.Mock(headers={"content-type": "application/json"}, json=lambda: {"sub": "x", "email": email})
    with (
        mock.patch("mozilla_django_oidc.auth.requests.post", return_value=token_response) as token_call,
        mock.patch("mozilla_django_oidc.auth.requests.get", return_value=userinfo_response),
    ):
        response = client.get(reverse("oidc_authentication_callback"), {"code": "the-code", "state": query["state"][0]})
    if token_call.called:
        assert token_call.call_args.args[0] == f"{own}/token"
        assert token_call.call_args.kwargs["data"]["client_id"] == provider.client_id
    return response


def test_the_sign_in_page_offers_each_organisations_provider(client, two_providers):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Cheshire East Council" in page and "Sign in with NHS Cheshire and Merseyside" in page
    assert "Sign in with Microsoft" not in page  # no install-wide provider is configured


def test_each_provider_signs_in_its_own_people(client, two_providers, django_user_model):
    council, icb = two_providers
    officer = django_user_model.objects.create_user(username="o", email="Officer@council.example.gov.uk")
    nurse = django_user_model.objects.create_user(username="n", email="nurse@nhs.example.net")
    sign_in_with(client, council, "officer@council.example.gov.uk", COUNCIL_TENANT)
    assert client.session["_auth_user_id"] == str(officer.pk)
    client.post(reverse("logout"))
    sign_in_with(client, icb, "nurse@nhs.example.net", ICB_TENANT)
    assert client.session["_auth_user_id"] == str(nurse.pk)


def test_a_provider_refuses_the_other_organisations_people(client, two_providers, django_user_model):
    council, icb = two_providers
    django_user_model.objects.create_user(username="n", email="nurse@nhs.example.net")
    django_user_model.objects.create_user(username="o", email="officer@council.example.gov.uk")
    # The council's tenant vouches for an ICB address: refused, though that person has an account here.
    response = sign_in_with(client, council, "nurse@nhs.example.net", COUNCIL_TENANT)
    assert response["Location"] == f"{reverse('login')}?sso=failed"
    assert "_auth_user_id" not in client.session
    assert "You could not be signed in with Cheshire East Council" in client.get(response["Location"]).content.decode()
    # A token from the council's tenant presented to the ICB's provider: refused too.
    sign_in_with(client, icb, "officer@council.example.gov.uk", COUNCIL_TENANT)
    assert "_auth_user_id" not in client.session


def test_a_disabled_or_unknown_provider_signs_no_one_in(client, two_providers):
    council, _ = two_providers
    council.enabled = False
    council.save()
    assert client.get(reverse("sso_provider_init", args=["council"])).status_code == 404
    assert client.get(reverse("sso_provider_init", args=["nobody"])).status_code == 404
    assert "Sign in with Cheshire East Council" not in client.get(reverse("login")).content.decode()


def test_a_provider_needs_its_domains_and_its_endpoints(db):
    from django.core.exceptions import ValidationError

    from accounts.models import IdentityProvider

    provider = IdentityProvider(name="ICB", slug="icb", client_id="x", client_secret="y", email_domains=" , ")
    with pytest.raises(ValidationError) as refused:
        provider.full_clean()
    assert set(refused.value.message_dict) >= {"email_domains", "entra_tenant_id"}


def test_an_endpoint_typed_without_its_scheme_is_saved_as_https_in_the_admin(admin_client):
    from accounts.models import IdentityProvider

    response = admin_client.post(
        reverse("admin:accounts_identityprovider_add"),
        {
            "name": "Cheshire and Merseyside ICB",
            "slug": "icb",
            "email_domains": "cheshireandmerseyside.nhs.uk",
            "client_id": "tracker",
            "client_secret": "a-secret",
            "authorization_endpoint": "login.example.nhs.uk/authorize",
            "token_endpoint": "login.example.nhs.uk/token",
            "user_endpoint": "login.example.nhs.uk/userinfo",
            "jwks_endpoint": "login.example.nhs.uk/keys",
            "sign_algo": "RS256",
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    provider = IdentityProvider.objects.get(slug="icb")
    assert provider.authorization_endpoint == "https://login.example.nhs.uk/authorize"
    assert provider.jwks_endpoint == "https://login.example.nhs.uk/keys"
