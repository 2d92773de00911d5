"""Who may open the reporting pages: every role of the partnership reads; only officers take snapshots; others get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.models import Snapshot
from tests.conftest import date_boxes

PERSONAS = ["anonymous", "owner", "other_lead", "group_lead", "board", "officer", "outsider"]
READ_PAGES = [
    ("reporting:dashboard", []),
    ("reporting:dashboard_export", ["csv"]),
    ("reporting:dashboard_export", ["xlsx"]),
    ("reporting:snapshot_list", []),
]
READERS = {"owner": 200, "other_lead": 200, "group_lead": 200, "board": 200, "officer": 200, "outsider": 404}
TAKERS = {"owner": 403, "other_lead": 403, "group_lead": 403, "board": 403, "officer": 302, "outsider": 404}


def sign_in_as(client, request, persona: str):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "extra"), READ_PAGES)
def test_reading_the_reporting_pages(client, request, action, persona, name, extra):
    sign_in_as(client, request, persona)
    response = client.get(reverse(name, args=[action.strategy_id, *extra]))
    if persona == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == READERS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_htmx_fragment_is_guarded_too(client, request, action, persona):
    sign_in_as(client, request, persona)
    response = client.get(reverse("reporting:dashboard", args=[action.strategy_id]) + "?rating=amber", HTTP_HX_REQUEST="true")
    if persona == "anonymous":
        # htmx is sent to the sign-in page as a whole page, not given it to draw inside the fragment.
        assert response.status_code == 200 and response["HX-Redirect"].startswith(reverse("login"))
        assert "dashboard" not in response.content.decode()
    else:
        assert response.status_code == READERS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_taking_a_snapshot(client, request, action, persona):
    sign_in_as(client, request, persona)
    response = client.post(reverse("reporting:snapshot_create", args=[action.strategy_id]), date_boxes("as_at", "1/5/2025"))
    if persona == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == TAKERS[persona]
    assert Snapshot.objects.exists() == (persona == "officer")


def test_an_unknown_strategy_is_not_found(client, officer):
    client.force_login(officer)
    assert client.get(reverse("reporting:dashboard", args=[999999])).status_code == 404
