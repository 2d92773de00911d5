"""A signed-in person's pages and downloads stay in no shared computer's browser cache; public pages keep theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from people.models import Membership

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"


def test_my_actions_an_action_a_person_and_the_xlsx_export_are_never_cached(client, officer, owner, strategy, action):
    client.force_login(officer)
    membership = Membership.objects.get(user=owner)
    for url in [
        reverse("actions:my_actions"),
        reverse("actions:action_detail", args=[action.pk]),
        reverse("people:person_detail", args=[membership.pk]),
        reverse("reporting:dashboard_export", args=[strategy.pk, "xlsx"]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == PRIVATE, url


def test_the_public_page_keeps_its_public_caching_signed_in_or_not(client, published_page, owner):
    url = reverse("coproduction:public_page", args=[published_page.slug])
    assert client.get(url)["Cache-Control"] == "public, max-age=300"
    client.force_login(owner)
    assert client.get(url)["Cache-Control"] == "public, max-age=300"


def test_the_feeds_downloads_of_named_owners_are_never_cached(client, partnership, officer, action):
    from feed.models import api_token_create

    token = api_token_create(partnership=partnership, name="Power BI", created_by=officer)[1]
    for url in ["/feed/Actions.csv", "/feed/odata/Actions"]:
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200 and response["Cache-Control"] == PRIVATE, url
