"""The partnership's change log: every recorded change in one place, filtered, paged and exported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pghistory
import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionChange, ActionUpdate, DeliveryGroup, PlanImport
from coproduction.models import Publication, PublicPage
from governance.models import Board, Meeting, SignOff, SignOffEvent
from people.models import Organisation, PersonChange

pytestmark = pytest.mark.django_db


def log_url(partnership, query: str = "") -> str:
    return reverse("reporting:change_log", args=[partnership.pk]) + (f"?{query}" if query else "")


def entries(response) -> list[str]:
    """Each entry of the page as its text, whitespace folded, in the order shown."""
    html = response.content.decode()
    items = re.findall(r'<li class="app-change-log__entry[^"]*">(.*?)</li>', html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items]


@pytest.fixture
def history(partnership, strategy, action, level, officer, owner, board):
    """One of each kind of change, an hour apart, oldest first."""
    start = timezone.make_aware(dt.datetime(2025, 5, 1, 9, 0))
    at = [start + dt.timedelta(hours=h) for h in range(6)]
    ActionUpdate.objects.create(
        action=action, author=owner, created_at=at[0], rating_before=level("amber"), rating_after=level("red"), narrative="Panel delayed"
    )
    ActionChange.objects.create(
        action=action, author=officer, created_at=at[1], field="due", before="September 2025", after="March 2026", reason="New panel"
    )
    PersonChange.objects.create(partnership=partnership, person=owner, actor=officer, at=at[2], what="Role", before="Delivery lead")
    council = Organisation.objects.create(partnership=partnership, name="Northshire Council")
    meeting = Meeting.objects.create(
        board=Board.objects.create(partnership=partnership, name="SEND Board"), strategy=strategy, date=at[3].date()
    )
    SignOffEvent.objects.create(
        sign_off=SignOff.objects.create(meeting=meeting, organisation=council), status="confirmed", by=board, at=at[3]
    )
    page = PublicPage.objects.create(strategy=strategy, slug="northshire")
    Publication.objects.create(page=page, published_by=officer, published_at=at[4], note="May cycle")
    PlanImport.objects.create(
        strategy=strategy, uploaded_by=officer, uploaded_at=at[5], filename="plan-may.xlsx", content=b"", status=PlanImport.Status.APPLIED
    )
    PlanImport.objects.create(strategy=strategy, uploaded_by=officer, uploaded_at=at[5], filename="never-applied.xlsx", content=b"")
    return {"meeting": meeting, "at": at}


def test_it_shows_every_kind_of_change_newest_first_with_a_link_to_each(client, officer, partnership, action, strategy, history):
    client.force_login(officer)
    response = client.get(log_url(partnership))
    assert response.status_code == 200
    shown = entries(response)
    assert [line.split(" · ")[2].split(" ")[0] for line in shown] == ["Imports", "Public", "Sign-offs", "People", "Revised", "Rating"]
    assert "plan-may.xlsx" in shown[0] and "never-applied" not in response.content.decode()
    assert "Sign-offs" in shown[2] and "Northshire Council: Signed off" in shown[2]
    assert "SP1: Due date: September 2025 to March 2026" in shown[4] and "New panel" in shown[4]
    assert "SP1: Amber to Red" in shown[5] and "Panel delayed" in shown[5]
    html = response.content.decode()
    for url in (
        reverse("actions:action_detail", args=[action.pk]),
        reverse("governance:sign_off_board", args=[history["meeting"].pk]),
        reverse("coproduction:public_history", args=[strategy.pk]),
    ):
        assert f'href="{url}"' in html


def test_a_board_member_reads_the_plans_changes_only(client, board, partnership, history):
    client.force_login(board)
    shown = entries(client.get(log_url(partnership)))
    assert len(shown) == 2
    assert "Revised due dates" in shown[0] and "Rating and progress updates" in shown[1]
    # Asking for people's changes by hand shows no more than the plan.
    response = client.get(log_url(partnership, "what=people"))
    assert "Role" not in " ".join(entries(response))


@pytest.mark.parametrize("persona", ["owner", "group_lead", "partner"])
def test_people_who_neither_run_nor_oversee_the_plan_cannot_read_it(client, request, persona, partnership, history):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(log_url(partnership)).status_code == 403
    assert client.get(reverse("reporting:change_log_export", args=[partnership.pk, "csv"])).status_code == 403


def test_another_partnerships_log_is_not_found(client, outsider, partnership, history):
    client.force_login(outsider)
    assert client.get(log_url(partnership)).status_code == 404
    assert client.get(reverse("reporting:change_log_export", args=[partnership.pk, "xlsx"])).status_code == 404


def test_it_filters_by_who_what_when_and_delivery_group(client, officer, owner, partnership, strategy, group, action, level, history):
    client.force_login(officer)
    assert [line.split(" · ")[1] for line in entries(client.get(log_url(partnership, f"who={owner.pk}")))] == [str(owner)]
    only_sign_offs = entries(client.get(log_url(partnership, "what=sign_off")))
    assert len(only_sign_offs) == 1 and "Northshire Council" in only_sign_offs[0]
    day = history["at"][0].date()
    assert len(entries(client.get(log_url(partnership, f"since={day}&until={day}")))) == 6
    assert entries(client.get(log_url(partnership, f"since={day + dt.timedelta(days=1)}"))) == []
    # A group's log holds its sub-groups' actions, and nothing that belongs to no group.
    child = DeliveryGroup.objects.create(strategy=strategy, priority=group.priority, parent=group, name="1.A Sub-group", position=2)
    other = DeliveryGroup.objects.create(strategy=strategy, priority=group.priority, name="2. Elsewhere", position=3)
    sub_action = Action.objects.create(strategy=strategy, group=child, ref="SP1a", text="Sub-step", rating=level("grey"))
    elsewhere = Action.objects.create(strategy=strategy, group=other, ref="SP9", text="Elsewhere", rating=level("grey"))
    for a in (sub_action, elsewhere):
        ActionUpdate.objects.create(action=a, author=officer, rating_after=level("amber"))
    in_group = " ".join(entries(client.get(log_url(partnership, f"group={group.pk}"))))
    assert "SP1a" in in_group and "SP1:" in in_group and "SP9" not in in_group and "Northshire Council" not in in_group


def test_a_date_that_is_not_a_date_is_explained_where_the_person_is_looking(client, officer, partnership, history):
    client.force_login(officer)
    response = client.get(log_url(partnership, "since=31/02/2025&after=nonsense"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Enter a real date" in html
    assert "That page of the log is not available" in html


def test_pages_follow_on_without_losing_or_repeating_changes_made_at_the_same_moment(client, officer, partnership, action, level):
    moment = timezone.make_aware(dt.datetime(2025, 6, 1, 12, 0))
    ActionUpdate.objects.bulk_create(
        [
            ActionUpdate(action=action, author=officer, created_at=moment, rating_after=level("amber"), narrative=f"Note {i}")
            for i in range(70)
        ]
    )
    ActionChange.objects.bulk_create(
        [ActionChange(action=action, author=officer, created_at=moment, field="text", after=f"Text {i}") for i in range(15)]
    )
    client.force_login(officer)
    seen: list[str] = []
    url = log_url(partnership)
    pages = 0
    while url:
        response = client.get(url)
        seen += entries(response)
        pages += 1
        found = re.search(r'href="([^"]+)" rel="next"', response.content.decode())
        url = found.group(1).replace("&amp;", "&") if found else None
    assert pages == 2
    assert len(seen) == 85 and len(set(seen)) == 85


def test_the_export_is_the_filtered_log_and_safe_in_a_spreadsheet(client, officer, owner, partnership, action, level, history):
    ActionUpdate.objects.create(action=action, author=owner, rating_after=level("red"), narrative='=HYPERLINK("http://evil")')
    client.force_login(officer)
    response = client.get(reverse("reporting:change_log_export", args=[partnership.pk, "csv"]) + f"?who={owner.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="northshire-send-partnership-changes-')
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert table[0] == ["When", "Who", "What", "Delivery group", "Subject", "Before", "After", "Note"]
    assert len(table) == 3
    assert table[1][7] == '\'=HYPERLINK("http://evil")'
    assert table[2][1:5] == [str(owner), "Rating and progress updates", "1. Oversight", "SP1"]
    xlsx = client.get(reverse("reporting:change_log_export", args=[partnership.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_an_edit_made_in_the_admin_is_in_the_log(client, officer, partnership, action):
    with pghistory.context(user=officer.pk, url=reverse("admin:actions_action_change", args=[action.pk])):
        Action.objects.filter(pk=action.pk).update(text="Strengthen oversight of plans")
    client.force_login(officer)
    shown = entries(client.get(log_url(partnership, "what=admin")))
    assert len(shown) == 1 and str(officer) in shown[0] and "Strengthen oversight of plans" in shown[0]


def test_a_change_made_since_the_page_was_last_read_is_on_it_the_next_time(client, officer, owner, partnership, action, level, history):
    """The log's statement is compiled once a process for each page and filters: its rows are read afresh every time."""
    client.force_login(officer)
    for query in ("", f"who={owner.pk}"):
        before = entries(client.get(log_url(partnership, query)))
        narrative = f"Back on track {query}".strip()
        ActionUpdate.objects.create(action=action, author=owner, rating_after=level("green"), narrative=narrative)
        after = entries(client.get(log_url(partnership, query)))
        assert len(after) == len(before) + 1 and narrative in after[0] and after[1:] == before
