"""This cycle: the officer's first page shows the round, the sign-offs, the meeting's deadline and what is still in progress."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from actions.models import PlanImport
from governance.models import Board, Meeting


def test_an_officer_sees_the_next_meetings_deadline_its_sign_offs_and_the_imports_in_progress(
    client, officer, action, strategy, owner_post
):
    from people.models import Organisation

    owner_post.organisation = Organisation.objects.create(partnership=strategy.partnership, name="Northshire Council")
    owner_post.save()
    day = timezone.localdate() + dt.timedelta(days=21)
    Meeting.objects.create(
        board=Board.objects.create(partnership=strategy.partnership, name="Partnership Board"),
        strategy=strategy,
        date=day,
        papers_deadline=day - dt.timedelta(days=7),
    )
    waiting = PlanImport.objects.create(strategy=strategy, uploaded_by=officer, filename="plan-march.csv", content=b"x")
    PlanImport.objects.create(
        strategy=strategy, uploaded_by=officer, filename="plan-done.csv", content=b"x", status=PlanImport.Status.APPLIED
    )
    client.force_login(officer)
    html = client.get(reverse("reporting:this_cycle", args=[strategy.pk])).content.decode()
    assert f"by <strong>{day - dt.timedelta(days=7):%-d %B %Y}</strong>" in html
    assert "Northshire Council" in html and "Not signed off" in html
    assert "Plan import plan-march.csv" in html and reverse("actions:plan_import_preview", args=[waiting.pk]) in html
    assert "plan-done.csv" not in html


def test_a_board_member_sees_no_officers_sections(client, board, action, strategy):
    client.force_login(board)
    html = client.get(reverse("reporting:this_cycle", args=[strategy.pk])).content.decode()
    assert "What needs chasing" not in html and "Imports and packs in progress" not in html


def test_an_action_two_organisations_own_is_counted_once_as_on_the_dashboard(client, officer, action, strategy, owner_post):
    from people.models import Organisation, Post

    council = Organisation.objects.create(partnership=strategy.partnership, name="Northshire Council")
    icb = Organisation.objects.create(partnership=strategy.partnership, name="Northshire ICB")
    owner_post.organisation = council
    owner_post.save()
    action.owners.add(Post.objects.create(partnership=strategy.partnership, title="Designated Clinical Officer", organisation=icb))
    client.force_login(officer)
    html = client.get(reverse("reporting:this_cycle", args=[strategy.pk])).content.decode()
    # Each organisation's row lists it, and the total counts it once.
    assert "Northshire Council" in html and "Northshire ICB" in html
    assert "1 action with no update since the plan came in" in html  # no board yet
    # Two rows of "0 of 1 updated" beside one action: the page says why they add up to more.
    note = (
        "An action owned in more than one organisation is counted under each, "
        "so these rows add up to more than the 1 action not yet updated."
    )
    assert note in html
    by_organisation = client.get(reverse("actions:round_progress", args=[strategy.pk])).content.decode()
    assert note in by_organisation
    action.owners.remove(action.owners.get(organisation=icb))
    for page in ("reporting:this_cycle", "actions:round_progress"):  # nothing to explain when each action has one organisation
        assert "counted under each" not in client.get(reverse(page, args=[strategy.pk])).content.decode()


def test_a_forum_partner_is_asked_for_the_delivery_groups_and_a_sub_groups_view_counts_for_its_group(client, partner, group, strategy):
    from actions.models import DeliveryGroup
    from coproduction.services import families_view_record
    from governance.decisions import arising_group

    sub = DeliveryGroup.objects.create(strategy=strategy, priority=group.priority, parent=group, name="1.A Complaints")
    other = DeliveryGroup.objects.create(strategy=strategy, priority=group.priority, name="2. Assessment", position=2)
    arising = arising_group(strategy)
    families_view_record(group=sub, user=partner, level="some", narrative="A little better.", source="Survey")
    client.force_login(partner)
    html = client.get(reverse("reporting:this_cycle", args=[strategy.pk])).content.decode()
    asked = html[html.index('id="families-view"') :]
    assert arising.name not in asked  # the board's own actions are not a delivery group for families to judge
    assert "1 of 2 delivery groups have no families' view for this cycle yet" in asked
    oversight = asked[asked.index(group.name) : asked.index(other.name)]
    assert f"Recorded {timezone.localdate():%-d %B %Y} for {sub.name}" in oversight and "Not yet this cycle" not in oversight
    assert "Never recorded" in asked[asked.index(other.name) :]


def test_a_signatory_reads_their_sign_off_s_status_and_when_it_is_due_apart(client, officer, action, strategy, owner_post):
    """ "Declined by 14 January" read as when it was declined: the deadline is said as a deadline."""
    from governance.signoff import sign_off_decide, sign_offs_for, sign_offs_reopen, signatory_nominate
    from people.models import Membership, Organisation
    from tests.conftest import make_user

    owner_post.organisation = council = Organisation.objects.create(partnership=strategy.partnership, name="Northshire Council")
    owner_post.save()
    day = timezone.localdate() + dt.timedelta(days=21)
    meeting = Meeting.objects.create(
        board=Board.objects.create(partnership=strategy.partnership, name="Partnership Board"),
        strategy=strategy,
        date=day,
        papers_deadline=day - dt.timedelta(days=7),
    )
    director = make_user("director@example.org", strategy.partnership, Membership.Role.BOARD_MEMBER)
    signatory_nominate(organisation=council, user=director, by=officer)
    sign_off_decide(sign_off=sign_offs_for(meeting)[0], user=director, confirm=False, reason="Figures are late.")
    client.force_login(director)
    html = client.get(reverse("reporting:this_cycle", args=[strategy.pk])).content.decode()
    # Declined is not the end: what the signatory can still do, and by when.
    assert f">Declined</strong>\n    you can still sign off by {day - dt.timedelta(days=7):%-d %B %Y}</li>" in html
    # Signed off, then an update to one of the council's actions reopens it: to sign off again.
    sign_off_decide(sign_off=sign_offs_for(meeting)[0], user=director, confirm=True)
    assert sign_offs_reopen(action_ids=[action.pk], user=officer, at=timezone.now()) == 1
    html = client.get(reverse("reporting:this_cycle", args=[strategy.pk])).content.decode()
    assert f">Reopened</strong>\n    sign off again by {day - dt.timedelta(days=7):%-d %B %Y}</li>" in html


def test_with_no_organisation_owning_actions_an_officer_is_sent_to_give_the_posts_theirs(client, officer, action, strategy):
    """Sign-offs are by organisation: a post without one leaves the meeting with nobody to sign off, and says where to mend it."""
    day = timezone.localdate() + dt.timedelta(days=21)
    Meeting.objects.create(
        board=Board.objects.create(partnership=strategy.partnership, name="Partnership Board"), strategy=strategy, date=day
    )
    client.force_login(officer)
    html = client.get(reverse("reporting:this_cycle", args=[strategy.pk])).content.decode()
    posts = reverse("people:post_list", args=[strategy.partnership_id])
    assert "No organisation owns actions of this plan yet." in html
    assert f'<a class="govuk-link" href="{posts}">give each post that owns actions its organisation</a>' in html
