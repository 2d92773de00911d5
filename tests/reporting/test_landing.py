"""Where each role lands on signing in, and who sees a My actions link."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from actions.models import Strategy
from tests.conftest import make_user


def test_a_delivery_lead_lands_on_my_actions(client, owner, action):
    client.force_login(owner)
    assert client.get(reverse("home"))["Location"] == reverse("actions:my_actions")


def test_a_board_member_lands_on_the_dashboard_of_the_strategy_in_force(client, board, action, partnership, scheme):
    action.strategy.period_start, action.strategy.period_end = dt.date(2025, 1, 1), dt.date(2099, 12, 31)
    action.strategy.save()
    Strategy.objects.create(
        partnership=partnership, name="Old strategy", scheme=scheme, period_start=dt.date(2019, 1, 1), period_end=dt.date(2022, 12, 31)
    )
    client.force_login(board)
    assert client.get(reverse("home"))["Location"] == reverse("reporting:dashboard", args=[action.strategy_id])


def test_an_officer_lands_on_what_needs_chasing(client, officer, action):
    client.force_login(officer)
    location = client.get(reverse("home"))["Location"]
    assert location == reverse("reporting:dashboard", args=[action.strategy_id]) + "?exception=needs_update#actions"
    page = client.get(location).content.decode()
    assert "Actions matching the filters (1)" in page and "SP1" in page


def test_a_board_member_with_no_post_sees_no_my_actions_link_and_one_with_a_post_does(client, board, owner_post, partnership, action):
    client.force_login(board)
    assert ">My actions<" not in client.get(reverse("actions:strategy_list")).content.decode()
    member_with_post = make_user("cabinet@example.org", partnership, "board_member", [owner_post])
    client.force_login(member_with_post)
    assert ">My actions<" in client.get(reverse("actions:strategy_list")).content.decode()
    assert client.get(reverse("home"))["Location"] == reverse("actions:my_actions")


def test_someone_in_no_partnership_lands_on_the_strategy_list(client, db):
    client.force_login(make_user("nobody@example.org", None, None))
    assert client.get(reverse("home"))["Location"] == reverse("actions:strategy_list")
