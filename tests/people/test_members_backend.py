"""A signed-in request reads the person with their memberships in one query, and never a membership they no longer have."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.backends import MEMBERS_BACKEND
from people.models import Membership
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NOT_FOUND = "/no-such-page/"


def queries_of(client, url: str) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [query["sql"] for query in queries.captured_queries]


def test_a_signed_in_page_reads_the_session_then_the_person_with_their_memberships_and_nothing_else(client, officer, partnership):
    client.force_login(officer)
    client.get(NOT_FOUND)
    response, sql = queries_of(client, NOT_FOUND)
    assert response.status_code == 404
    assert len(sql) == 2 and "django_session" in sql[0] and "people_membership" in sql[1] and "accounts_user" in sql[1]
    html = response.content.decode()
    assert partnership.name in html and "Sign out" in html and reverse("people:people_list", args=[partnership.pk]) in html


def test_a_password_sign_in_records_the_backend_that_reads_memberships_with_the_person(client, officer):
    response = client.post(reverse("login"), {"username": officer.username, "password": "correct horse battery staple"})
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == MEMBERS_BACKEND


def test_someone_with_no_membership_yet_is_signed_in_and_belongs_nowhere(client):
    newcomer = make_user("newcomer@example.org", None, None)
    client.force_login(newcomer)
    response, sql = queries_of(client, NOT_FOUND)
    assert response.status_code == 404 and "Sign out" in response.content.decode()
    assert len(sql) == 3 and "people_membership" in sql[1] and "people_membership" not in sql[2]  # the read that found none is kept
    assert client.get(reverse("actions:my_actions")).status_code == 200


def test_a_deactivated_persons_session_no_longer_signs_them_in(client, officer):
    client.force_login(officer)
    type(officer).objects.filter(pk=officer.pk).update(is_active=False)
    response = client.get(reverse("actions:my_actions"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_membership_ended_since_the_last_page_is_gone_on_the_next(client, officer, strategy):
    client.force_login(officer)
    assert client.get(reverse("actions:strategy_detail", args=[strategy.pk])).status_code == 200
    Membership.objects.filter(user=officer).delete()
    assert client.get(reverse("actions:strategy_detail", args=[strategy.pk])).status_code == 404


def test_a_session_signed_in_before_this_backend_keeps_working(client, officer, partnership):
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    response, sql = queries_of(client, NOT_FOUND)
    assert response.status_code == 404 and partnership.name in response.content.decode()
    assert len(sql) == 3  # the person, then their memberships: as before
