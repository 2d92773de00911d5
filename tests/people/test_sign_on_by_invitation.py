"""With single sign-on on, an invited person may sign in through it, matched by the invited email."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from people.models import Invitation, Membership
from people.services import invitation_create
from tests.accounts.test_single_sign_on import sign_in_with_provider, sso  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(officer, partnership, owner_post) -> Invitation:
    return invitation_create(
        actor=officer,
        partnership=partnership,
        email="Nurse.Lead@nhs.example.org",
        first_name="",
        last_name="",
        organisation=None,
        role="delivery_lead",
        posts=[owner_post],
    )


def test_the_invited_email_signs_in_through_the_provider_and_joins(client, sso, invitation, owner_post):  # noqa: F811
    response = sign_in_with_provider(client, "nurse.lead@NHS.example.org")
    assert response.status_code == 302 and "sso=failed" not in response["Location"]
    person = User.objects.get(email__iexact="nurse.lead@nhs.example.org")
    assert not person.has_usable_password()
    assert Membership.objects.get(user=person).role == "delivery_lead" and list(person.posts.all()) == [owner_post]
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
    assert client.get(reverse("actions:my_actions")).status_code == 200


def test_a_withdrawn_or_expired_invitation_does_not_let_the_provider_in(client, sso, invitation):  # noqa: F811
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert "sso=failed" in sign_in_with_provider(client, invitation.email)["Location"]
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + dt.timedelta(days=1), withdrawn_at=timezone.now())
    assert "sso=failed" in sign_in_with_provider(client, invitation.email)["Location"]
    assert not User.objects.filter(email__iexact=invitation.email).exists()
