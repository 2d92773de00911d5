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
    assert "1 action with no update since the last board" in html
