"""A meeting's decisions and actions arising: recorded by an officer, tracked like every action, listed with their state."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.chasing import actions_sweep
from actions.models import Action, ActionUpdate, ChaseStep
from governance.decisions import ARISING_NAME, action_arising_record
from governance.models import Board, Meeting
from governance.reads import actions_arising_for
from tests.conftest import date_boxes
from tests.governance.conftest import rating_change


@pytest.fixture
def meeting(strategy, partnership):
    board = Board.objects.create(partnership=partnership, name="Partnership Board")
    return Meeting.objects.create(board=board, strategy=strategy, date=dt.date(2025, 11, 12), status=Meeting.Status.HELD)


def record(client, meeting, due_date=None, **data):
    """Post the action arising form, the due date typed as day/month/year into its three boxes."""
    posted = {f"arising-{k}": v for k, v in data.items()} | date_boxes("arising-due_date", due_date)
    return client.post(reverse("governance:action_arising_create", args=[meeting.pk]), posted)


def test_an_officer_records_two_decisions_and_an_action_arising_that_joins_the_plan(client, officer, meeting, owner_post, owner):
    client.force_login(officer)
    for text in ("Agreed the sufficiency plan.", "Asked for a <b>deep dive</b> into EHC timeliness."):
        assert client.post(reverse("governance:decision_create", args=[meeting.pk]), {"decision-text": text}).status_code == 302
    response = record(client, meeting, text="Bring the recovery plan to the next board.", owner=owner_post.pk, due_date="15/1/2026")
    assert response.status_code == 302
    action = Action.objects.get(arising_from__meeting=meeting)
    assert (action.ref, action.group.name, action.group.priority.name) == ("BA1", ARISING_NAME, ARISING_NAME)
    assert (action.due_date, list(action.owners.all()), action.rating.is_default) == (dt.date(2026, 1, 15), [owner_post], True)
    html = client.get(reverse("governance:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Agreed the sufficiency plan." in html and "&lt;b&gt;deep dive&lt;/b&gt;" in html
    assert "BA1</a> Bring the recovery plan to the next board." in html and "15 Jan 2026" in html
    # Its owner updates it like any action, and the meeting page shows where it stands.
    client.force_login(owner)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Save update" in page


def test_an_action_arising_is_chased_and_escalated_like_any_other(officer, meeting, owner_post, owner, group_lead):
    at_the_meeting = timezone.make_aware(dt.datetime(2025, 11, 12, 11))
    with mock.patch("django.utils.timezone.now", return_value=at_the_meeting):
        arising = action_arising_record(
            meeting=meeting, text="Report back on transport.", owner=owner_post, due_date=dt.date(2025, 11, 30), by=officer
        )
    action = arising.action
    actions_sweep(today=dt.date(2025, 12, 1))
    actions_sweep(today=dt.date(2025, 12, 15))
    assert ChaseStep.objects.filter(action=action).count() == 1
    [row] = actions_arising_for(meeting, today=dt.date(2025, 12, 15))
    assert row.overdue and row.state.startswith("Overdue")


def test_the_read_gives_each_action_arising_with_its_latest_narrative_and_state(client, officer, meeting, owner_post, level):
    client.force_login(officer)
    record(client, meeting, text="First.", owner=owner_post.pk, due_date="30/6/2030")
    record(client, meeting, text="Second.", owner=owner_post.pk, due_date="30/6/2030")
    first, second = Action.objects.filter(arising_from__meeting=meeting).order_by("ref")
    rating_change(second, level("green"), narrative="Done and embedded.")
    rows = actions_arising_for(meeting)
    assert [(r.action.ref, r.state, r.latest_narrative) for r in rows] == [
        ("BA1", first.rating.label, "Added to the plan."),
        ("BA2", "Complete", "Done and embedded."),
    ]
    assert ActionUpdate.objects.filter(action=first).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "", "due_date": "30/6/2030"}, "Enter the action the board gave"),
        ({"text": "Do it.", "due_date": "15/1"}, "The date it is due by must include a year"),
        ({"text": "Do it.", "due_date": "31/2/2030"}, "The date it is due by must be a real date"),
        ({"text": "Do it.", "due_date": "1/1/2020"}, "The due date must be on or after the meeting"),
    ],
)
def test_wrong_input_is_explained_by_its_field(client, officer, meeting, owner_post, data, message):
    client.force_login(officer)
    response = record(client, meeting, owner=owner_post.pk, **data)
    assert response.status_code == 422 and "There is a problem" in response.content.decode() and message in response.content.decode()
    assert not Action.objects.filter(arising_from__meeting=meeting).exists()


def test_the_two_forms_on_a_meeting_s_page_have_fields_of_their_own(client, officer, meeting):
    client.force_login(officer)
    html = client.get(reverse("governance:meeting_detail", args=[meeting.pk])).content.decode()
    ids = re.findall(r' id="([^"]+)"', html)
    assert "id_decision-text" in ids and "id_arising-text" in ids
    assert len(ids) == len(set(ids))  # no id twice: each label points at its own field


def test_a_post_of_another_partnership_cannot_own_an_action_arising(client, officer, meeting, other_partnership):
    from people.models import Post

    elsewhere = Post.objects.create(partnership=other_partnership, title="Their director")
    client.force_login(officer)
    response = record(client, meeting, text="Do it.", owner=elsewhere.pk, due_date="30/6/2030")
    assert response.status_code == 422 and "Choose one of the posts listed" in response.content.decode()


def test_a_blank_decision_is_refused_where_the_officer_is_looking(client, officer, meeting):
    client.force_login(officer)
    response = client.post(reverse("governance:decision_create", args=[meeting.pk]), {"decision-text": "  "})
    assert response.status_code == 422 and "Enter what the board decided" in response.content.decode()
    assert not meeting.decisions.exists()


def test_families_are_not_asked_their_view_of_the_boards_actions_arising(client, officer, partner, meeting, owner_post, group):
    client.force_login(officer)
    record(client, meeting, text="Bring the recovery plan to the next board.", owner=owner_post.pk, due_date="15/1/2026")
    arising = Action.objects.get(arising_from__meeting=meeting).group
    client.force_login(partner)
    page = client.get(arising.get_absolute_url()).content.decode()
    assert "Record the families&#x27; view" not in page and "Record the families' view" not in page
    assert "The families&#x27; view</h2>" not in page and "The families' view</h2>" not in page
    assert client.get(reverse("coproduction:families_view", args=[arising.pk])).status_code == 404
    # A delivery group of the plan still asks for it.
    assert "Record the families" in client.get(group.get_absolute_url()).content.decode()
    assert client.get(reverse("coproduction:families_view", args=[group.pk])).status_code == 200


def test_a_meeting_s_page_offers_its_pack_as_a_pdf_only_once_one_has_been_written(client, officer, board, meeting):
    from governance.services import snapshot_take
    from reporting.models import BoardReport

    meeting.snapshot = snapshot_take(strategy=meeting.strategy, as_at=dt.date(2025, 11, 1), taken_by=officer)
    meeting.save()
    client.force_login(board)
    page = client.get(reverse("governance:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Read its pack as a web page</a>; no PDF of it has been produced yet" in page
    assert "download the PDF from" not in page  # Board reports would say "No packs yet."
    pack = BoardReport.objects.create(strategy=meeting.strategy, snapshot=meeting.snapshot, requested_by=officer, status="ready")
    BoardReport.objects.create(strategy=meeting.strategy, snapshot=meeting.snapshot, requested_by=officer, status="failed")
    page = client.get(reverse("governance:meeting_detail", args=[meeting.pk])).content.decode()
    assert f'href="{reverse("reporting:report_download", args=[pack.pk])}">download it as a PDF</a>' in page
    assert "no PDF of it has been produced yet" not in page
