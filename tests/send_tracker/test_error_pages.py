"""The error pages lead a signed-in person back to where their role starts, not to a list of actions they may not have."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_forum_member_refused_a_page_is_led_to_their_start_page_not_an_empty_list_of_actions(client, partner, strategy):
    client.force_login(partner)
    refused = client.get(reverse("coproduction:public_manage", args=[strategy.pk]))
    assert refused.status_code == 403
    page = refused.content.decode()
    assert f'<a href="{reverse("home")}" class="govuk-link">Go to your start page</a>' in page
    assert reverse("actions:my_actions") not in page and "Go to my actions" not in page
    missing = client.get("/no-such-page/").content.decode()
    assert "Go to your start page" in missing and "Go to my actions" not in missing
