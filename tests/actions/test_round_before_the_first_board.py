"""Before a plan's first board: each action's starting rating, as the plan's import recorded it, is not an update for
the round, so a freshly imported plan reads as not yet updated, and a lead's update counts from there."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actions import rules
from actions.models import Action, Snapshot, Strategy
from actions.services import action_update_record
from governance.models import Board, Meeting
from people.models import Membership, Organisation, Post
from tests.conftest import FIXTURES, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(partnership) -> Strategy:
    """The One Plan's actions brought into a new strategy: each with its starting rating, and no snapshot."""
    call_command(
        "import_plan",
        str(FIXTURES / "cheshire-east-one-plan" / "actions.csv"),
        strategy="SEND and AP One Plan",
        partnership=partnership.name,
        scheme="cheshire-east",
        stdout=io.StringIO(),
    )
    return Strategy.objects.get(name="SEND and AP One Plan")


@pytest.fixture
def lead(plan):
    post = Post.objects.get(partnership=plan.partnership, title="Head of Service: Inclusion")
    post.organisation = Organisation.objects.create(partnership=plan.partnership, name="Northshire Council")
    post.save()
    return make_user("lead@example.org", plan.partnership, Membership.Role.DELIVERY_LEAD, [post])


@pytest.fixture
def plan_officer(plan):
    return make_user("officer@example.org", plan.partnership, Membership.Role.OFFICER)


@pytest.fixture
def meeting(plan) -> Meeting:
    board = Board.objects.create(partnership=plan.partnership, name="SEND and AP Partnership Board")
    day = timezone.localdate() + dt.timedelta(days=20)
    return Meeting.objects.create(board=board, strategy=plan, date=day, papers_deadline=day - dt.timedelta(days=7))


def test_a_freshly_imported_plan_reads_as_not_yet_updated_until_a_lead_updates_an_action(client, plan, lead, plan_officer, meeting):
    assert not Snapshot.objects.filter(strategy=plan).exists()
    in_round = Action.objects.filter(rules.in_round_q(), strategy=plan, owners__holders=lead)
    total = in_round.count()
    assert total > 1 and all(action.updates.count() == 1 for action in in_round)  # each has only its starting rating

    def said() -> tuple[str, str, str]:
        client.force_login(lead)
        mine = client.get(reverse("actions:my_actions")).content.decode()
        counted = re.search(r"<strong>(\d+ of \d+)</strong> updated since the plan came in", mine).group(1)
        needing = re.search(r"Needs an update \((\d+)\)", mine)
        client.force_login(plan_officer)
        cycle = client.get(reverse("reporting:this_cycle", args=[plan.pk])).content.decode()
        sign_off = client.get(reverse("governance:sign_off_board", args=[meeting.pk])).content.decode()
        signed = re.search(r'data-label="Updated since the plan came in">(\d+ of \d+)', sign_off).group(1)
        assert signed == counted  # the lead's post is the organisation's only one
        return counted, needing.group(1) if needing else "", cycle

    counted, needing, cycle = said()
    assert counted == f"0 of {total}"
    assert needing == str(total)
    assert "Every action is updated for this cycle" not in cycle
    assert re.search(r"\d+ actions with no update since the plan came in", cycle)

    action = in_round.order_by("ref").first()
    action_update_record(action=action, user=lead, rating=action.rating, narrative="Panels under way.", expected_version=action.version)
    counted, needing, cycle = said()
    assert counted == f"1 of {total}"
    assert needing == str(total - 1)
