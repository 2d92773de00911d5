"""Where each role lands on signing in, and who sees a My actions link."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
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


def test_a_strategy_an_officer_is_still_creating_from_a_file_is_no_one_s_landing_page(client, board, officer, action, partnership):
    client.force_login(officer)
    plan = (
        "priority,delivery_group,sub_group,ref,action,owner,due,rating,notes\nRight Support,1. Oversight,,SP1,Strengthen,,No such month,,\n"
    )
    client.post(
        reverse("actions:strategy_create", args=[partnership.pk]),
        {"name": "Half made", "scheme": action.strategy.scheme_id, "file": SimpleUploadedFile("plan.csv", plan.encode())},
    )
    draft = Strategy.objects.get(name="Half made")
    assert draft.pk > action.strategy_id and not draft.actions.exists()
    assert client.get(reverse("home"))["Location"] == reverse("reporting:this_cycle", args=[action.strategy_id])
    client.force_login(board)
    assert client.get(reverse("home"))["Location"] == reverse("reporting:dashboard", args=[action.strategy_id])


def test_an_officer_lands_on_this_cycle_with_what_needs_chasing(client, officer, action):
    client.force_login(officer)
    location = client.get(reverse("home"))["Location"]
    assert location == reverse("reporting:this_cycle", args=[action.strategy_id])
    page = client.get(location).content.decode()
    assert "What needs chasing" in page and "1 action with no update since the plan came in" in page  # no board yet


def test_a_coproduction_partner_lands_on_the_families_views_to_record(client, partner, group, action):
    client.force_login(partner)
    location = client.get(reverse("home"))["Location"]
    assert location == reverse("reporting:this_cycle", args=[action.strategy_id])
    page = client.get(location).content.decode()
    assert "The families' view to record" in page
    assert reverse("coproduction:families_view", args=[group.pk]) in page
    assert "What needs chasing" not in page


def test_a_finance_lead_lands_on_the_high_needs_budget_whose_figures_they_keep(client, partnership, action):
    from people.models import Membership

    finance = make_user("finance@example.org", partnership, Membership.Role.FINANCE_LEAD)
    client.force_login(finance)
    location = client.get(reverse("home"))["Location"]
    assert location == reverse("finance:plan", args=[action.strategy_id])
    assert client.get(location).status_code == 200


def test_a_board_member_who_signs_for_an_organisation_lands_on_the_sign_off_due(client, board, action, owner_post, partnership):
    from governance.models import Board, Meeting, Signatory
    from governance.signoff import sign_offs_for
    from people.models import Organisation

    owner_post.organisation = Organisation.objects.create(partnership=partnership, name="Northshire Council")
    owner_post.save()
    day = dt.date.today() + dt.timedelta(days=10)
    meeting = Meeting.objects.create(
        board=Board.objects.create(partnership=partnership, name="Partnership Board"),
        strategy=action.strategy,
        date=day,
        papers_deadline=day - dt.timedelta(days=5),
    )
    Signatory.objects.create(organisation=owner_post.organisation, user=board)
    (sign_off,) = sign_offs_for(meeting)
    client.force_login(board)
    location = client.get(reverse("home"))["Location"]
    assert location == reverse("reporting:this_cycle", args=[action.strategy_id])
    page = client.get(location).content.decode()
    assert "Sign-offs due from you" in page
    assert reverse("governance:sign_off_board", args=[meeting.pk]) + f"#sign-off-{sign_off.pk}" in page


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
    page = client.get(reverse("actions:strategy_list")).content.decode()
    assert "You are not a member of a partnership yet" in page and "in your partnership" not in page
    assert reverse("admin:index") not in page


def test_an_install_administrator_in_no_partnership_is_told_where_to_set_one_up(client, db):
    administrator = make_user("admin@example.org", None, None)
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    page = client.get(reverse("actions:strategy_list")).content.decode()
    assert "add a partnership, its organisations and your own membership of it" in page
    assert f'href="{reverse("admin:index")}"' in page


def test_a_programme_officer_with_no_strategy_is_told_to_create_one_not_to_ask_an_officer(client, officer):
    client.force_login(officer)
    page = client.get(reverse("actions:strategy_list")).content.decode()
    assert "Create one: empty, or from your plan file or tracker." in page and "A programme officer can" not in page


def test_a_coproduction_partner_with_no_post_sees_no_my_actions_link(client, partner, action):
    client.force_login(partner)
    assert ">My actions<" not in client.get(reverse("actions:strategy_list")).content.decode()
