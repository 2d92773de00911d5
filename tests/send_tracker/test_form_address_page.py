"""A form's address opened as a page: a page that says so and leads back, never a blank 405."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from governance.models import Board, Meeting
from people.services import invitation_create
from reporting.models import Snapshot

pytestmark = pytest.mark.django_db


def test_a_form_s_address_opened_as_a_page_says_so_and_leads_to_the_form_s_page(client, officer, action):
    form = reverse("reporting:snapshot_create", args=[action.strategy_id])
    # Signed out, a bookmark of the form's address goes by signing in, then asks for the address as a page.
    signing_in = client.get(form)
    signed_in = client.post(signing_in["Location"], {"username": officer.username, "password": "correct horse battery staple"})
    assert signed_in["Location"] == form
    page = client.get(form)
    assert page.status_code == 405 and page["Allow"] == "POST"
    html = page.content.decode()
    assert "This address sends a form" in html
    assert f'href="{reverse("reporting:snapshot_list", args=[action.strategy_id])}"' in html
    assert 'id="main-content"' in html  # drawn in the product's own layout, with its headers
    assert page["X-Frame-Options"] == "DENY" and "nonce-" in page["Content-Security-Policy"]
    assert page["Cache-Control"] == "private, no-store"
    assert not Snapshot.objects.exists()


def test_the_way_back_is_the_nearest_page_above_the_address(officer, client, partnership, strategy):
    board = Board.objects.create(partnership=partnership, name="SEND Partnership Board")
    meeting = Meeting.objects.create(board=board, strategy=strategy, date=dt.date(2026, 3, 12))
    client.force_login(officer)
    page = client.get(reverse("governance:decision_create", args=[meeting.pk]))
    assert page.status_code == 405
    assert f'href="{reverse("governance:meeting_detail", args=[meeting.pk])}"' in page.content.decode()


def test_an_address_with_no_page_above_it_leads_home(officer, client, partnership):
    invitation = invitation_create(
        actor=officer,
        partnership=partnership,
        email="new@example.org",
        first_name="",
        last_name="",
        organisation=None,
        role="board_member",
        posts=[],
    )
    client.force_login(officer)
    page = client.get(reverse("people:invitation_resend", args=[invitation.pk]))
    assert page.status_code == 405 and "Go to the home page" in page.content.decode() and 'href="/"' in page.content.decode()


def test_a_form_refused_by_the_csrf_check_gets_a_page_saying_why_and_leading_back(officer, action):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    page = reverse("reporting:snapshot_list", args=[action.strategy_id])
    refused = client.post(
        reverse("reporting:snapshot_create", args=[action.strategy_id]),
        {"csrfmiddlewaretoken": "x" * 64},
        HTTP_REFERER=f"http://testserver{page}",
    )
    assert refused.status_code == 403
    html = refused.content.decode()
    assert "Your form was not sent" in html and "opened before you last signed in" in html and "Nothing was saved" in html
    assert f'href="{page}"' in html and 'id="main-content"' in html
    assert "CSRF verification failed" not in html
    assert not Snapshot.objects.exists()
