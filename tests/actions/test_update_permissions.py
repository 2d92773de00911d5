"""Who may see and update an action: every view of the update journey against every persona."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import ActionUpdate

PERSONAS = ["anonymous", "owner", "other_lead", "group_lead", "board", "officer", "outsider"]
MAY_UPDATE = {"owner", "group_lead", "officer"}


def expected_read(persona: str) -> int:
    return {"anonymous": 302, "outsider": 404}.get(persona, 200)


def expected_write(persona: str, success: int) -> int:
    if persona in MAY_UPDATE:
        return success
    return {"anonymous": 302, "outsider": 404}.get(persona, 403)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_it_shows_the_action_page_only_within_the_partnership(as_persona, persona, htmx, action):
    client = as_persona(persona)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(reverse("actions:action_detail", args=[action.pk]), headers=headers)
    if persona == "anonymous" and htmx:
        # htmx is sent to the sign-in page as a whole page (accounts/unsent.py), not to draw it in the fragment.
        assert response.status_code == 200 and response["HX-Redirect"].startswith(reverse("login"))
        return
    assert response.status_code == expected_read(persona)
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))
    if response.status_code == 200:
        html = response.content.decode()
        assert ("Save update" in html) == (persona in MAY_UPDATE), "edit controls only for those who may update"
        assert (reverse("actions:action_update", args=[action.pk]) in html) == (persona in MAY_UPDATE)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_it_lets_only_owners_group_leads_and_officers_update(as_persona, persona, htmx, action, level):
    client = as_persona(persona)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(
        reverse("actions:action_update", args=[action.pk]),
        {"rating": level("red").pk, "narrative": "Recovery plan agreed", "version": action.version},
        headers=headers,
    )
    if persona == "anonymous" and htmx:
        # htmx is told to go to the sign-in page as a whole page (accounts/unsent.py), not to draw it in the fragment.
        assert response.status_code == 200 and response["HX-Redirect"].startswith(reverse("login"))
    else:
        assert response.status_code == expected_write(persona, 200 if htmx else 302)
    written = ActionUpdate.objects.filter(action=action).count()
    assert written == (1 if persona in MAY_UPDATE else 0)
    action.refresh_from_db()
    assert action.rating == (level("red") if persona in MAY_UPDATE else level("amber"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_only_accepts_updates_by_post(as_persona, persona, action):
    response = as_persona(persona).get(reverse("actions:action_update", args=[action.pk]))
    assert response.status_code == (302 if persona == "anonymous" else 405)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_serves_evidence_files_only_within_the_partnership(as_persona, persona, evidence_file):
    response = as_persona(persona).get(reverse("actions:evidence_download", args=[evidence_file.pk]))
    assert response.status_code == expected_read(persona)
    if response.status_code == 200:
        assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_actions_lists_only_what_the_persona_owns_or_leads(as_persona, persona, action):
    response = as_persona(persona).get(reverse("actions:my_actions"))
    if persona == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        return
    assert response.status_code == 200
    listed = reverse("actions:action_detail", args=[action.pk]) in response.content.decode()
    assert listed == (persona in {"owner", "group_lead"})


def test_it_reports_a_missing_evidence_file_as_not_found(client, officer, action):
    client.force_login(officer)
    assert client.get(reverse("actions:evidence_download", args=[999999])).status_code == 404
    assert client.get(reverse("actions:action_detail", args=[999999])).status_code == 404
    assert client.post(reverse("actions:action_update", args=[999999]), {}).status_code == 404


def test_whether_a_delivery_lead_may_update_is_read_in_one_round_trip(client, owner, action, level):
    """The posts the lead holds and the posts owning the action are read together, and nowhere else."""
    client.force_login(owner)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("actions:action_update", args=[action.pk]),
            {"rating": level("red").pk, "narrative": "Recovery plan agreed", "version": action.version},
        )
    assert response.status_code == 302 and ActionUpdate.objects.filter(action=action).count() == 1
    of_posts = [query["sql"] for query in queries.captured_queries if query["sql"].startswith('SELECT "people_post"."id"')]
    assert len(of_posts) == 1
    assert 'JOIN "accounts_user_posts"' in of_posts[0] and 'JOIN "actions_action_owners"' in of_posts[0]
