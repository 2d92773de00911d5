"""The action page reads the person's memberships once, for the access check and the menu alike."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Membership
from tests.conftest import make_user


def membership_reads(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return sum('FROM "people_membership"' in query["sql"] for query in queries), response.content.decode()


def test_the_page_reads_the_memberships_once_and_the_menu_still_shows_the_officers_links(client, officer, action):
    client.force_login(officer)
    reads, html = membership_reads(client, reverse("actions:action_detail", args=[action.pk]))
    assert reads == 1
    assert "Northshire SEND Partnership" in html
    assert reverse("people:people_list", args=[action.strategy.partnership_id]) in html


def test_a_member_of_two_partnerships_opens_an_action_of_the_second(client, action, partnership, other_partnership):
    # The header names their first partnership, as before; the access check finds the second in the same read.
    person = make_user("two.partnerships@example.org", other_partnership, Membership.Role.BOARD_MEMBER)
    Membership.objects.create(user=person, partnership=partnership, role=Membership.Role.OFFICER)
    client.force_login(person)
    reads, html = membership_reads(client, reverse("actions:action_detail", args=[action.pk]))
    assert reads == 1
    assert "Save update" in html, "an officer of the action's partnership may update it"
    assert "Southshire SEND Partnership" in html


def test_the_menu_follows_a_changed_role_a_renamed_partnership_and_the_page_at_once(client, officer, action, partnership):
    """The header and menu are drawn once for what they show, so a change to any of it shows on the next page."""
    client.force_login(officer)
    people_url = reverse("people:people_list", args=[partnership.pk])
    page = reverse("actions:action_detail", args=[action.pk])
    assert people_url in membership_reads(client, page)[1]
    Membership.objects.filter(user=officer).update(role=Membership.Role.BOARD_MEMBER)
    html = membership_reads(client, page)[1]
    assert people_url not in html
    assert reverse("reporting:change_log", args=[partnership.pk]) in html, "a board member keeps the change log"
    type(partnership).objects.filter(pk=partnership.pk).update(name="Renamed SEND Partnership")
    assert "Renamed SEND Partnership" in membership_reads(client, page)[1]
    notifications = reverse("actions:notifications")
    assert f'href="{notifications}" aria-current="page"' in client.get(notifications).content.decode()
    assert f'href="{notifications}" aria-current' not in membership_reads(client, page)[1]
    client.logout()
    assert "Sign out" not in client.get("/no-such-page/").content.decode()
