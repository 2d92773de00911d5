"""Email addresses are checked as mail systems check them, in every form that takes one, and a bad one is never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from people.models import Invitation

pytestmark = pytest.mark.django_db

REFUSED = [
    ("x@exa\u202emple.org", "U+202E"),  # a right-to-left override: shows as x@exaelpm.org
    ("x\u202e@example.org", "U+202E"),
    ("sam@ex\u200bample.org", "U+200B"),  # a zero-width space
    ("sam\u2066@example.org", "U+2066"),  # a directional isolate
    ("sam@exa\u2028mple.org", "U+2028"),  # a line separator
    ("sam\x07@example.org", "U+0007"),
]


def invite(client, officer, partnership, email):
    client.force_login(officer)
    form = {"email": email, "first_name": "Sam", "role": "delivery_lead"}
    return client.post(reverse("people:invite", args=[partnership.pk]), form)


@pytest.mark.parametrize(("email", "code_point"), REFUSED)
def test_an_invitation_to_an_address_with_hidden_characters_is_refused_with_a_message(
    client, officer, partnership, email, code_point, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, officer, partnership, email)
    assert response.status_code == 422
    page = response.content.decode()
    assert "invisible or direction-changing character" in page and code_point in page
    assert not Invitation.objects.exists() and not mail.outbox


@pytest.mark.parametrize("email", ["sam smith@example.org", "sam@example .org", "not an email"])
def test_an_address_with_a_space_in_it_is_refused_as_having_a_space_not_a_hidden_character(client, officer, partnership, email):
    response = invite(client, officer, partnership, email)
    assert response.status_code == 422
    page = response.content.decode()
    assert "The email address has a space in it: remove the space" in page
    assert "invisible" not in page and "U+0020" not in page
    assert f'value="{email}"' in page and not Invitation.objects.exists()


def test_an_address_the_mail_library_cannot_write_is_refused(client, officer, partnership, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, officer, partnership, "sam@exa--mple..org")
    assert response.status_code == 422 and not Invitation.objects.exists() and not mail.outbox


def test_an_international_domain_is_invited_and_sent(client, officer, partnership, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, officer, partnership, "sam@bücher.example")
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "xn--bcher-kva.example" in message.message()["To"]


def test_resending_an_invitation_saved_before_the_check_says_why_and_sends_nothing(
    client, officer, partnership, django_capture_on_commit_callbacks
):
    bad = Invitation.objects.create(
        partnership=partnership,
        email="x@exa\u202emple.org",
        role="delivery_lead",
        token_hash="0" * 64,
        invited_by=officer,
        expires_at=timezone.now() + dt.timedelta(days=3),
    )
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:invitation_resend", args=[bad.pk]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This invitation cannot be sent" in page and "Withdraw it" in page
    assert not mail.outbox
    bad.refresh_from_db()
    assert bad.token_hash == "0" * 64  # nothing changed
    withdrawn = client.post(reverse("people:invitation_withdraw", args=[bad.pk]), follow=True)
    assert withdrawn.status_code == 200 and "has been withdrawn" in withdrawn.content.decode()


def test_signing_in_with_a_hidden_character_says_so_and_counts_no_failure(client, owner):
    response = client.post(reverse("login"), {"username": "owner@exa\u202emple.org", "password": "anything at all"})
    assert response.status_code == 200
    assert "invisible or direction-changing character" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_administrators_plain_user_name_still_signs_in(client):
    User.objects.create_user(username="admin", password="correct horse battery staple")
    response = client.post(reverse("login"), {"username": "admin", "password": "correct horse battery staple"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_the_people_administration_form_refuses_the_address_too(officer):
    request = RequestFactory().get("/")
    request.user = User.objects.create_superuser("root@example.org", "root@example.org", "correct horse battery staple")
    form_class = admin.site._registry[User].get_form(request, officer)
    data = {
        "username": officer.username,
        "email": "officer@exa\u202emple.org",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "09:00:00",
    }
    form = form_class(data, instance=officer)
    assert "invisible or direction-changing character" in " ".join(form.errors["email"])
