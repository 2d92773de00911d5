"""Reporting snapshots: taken from the command line or the browser, listed per strategy, never changed."""

from __future__ import annotations

import datetime as dt
import io

import lxml.html
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from actions.models import Snapshot
from actions.rows import rows_from_snapshot
from governance.services import snapshot_take
from reporting.summaries import movement
from tests.conftest import date_boxes
from tests.governance.conftest import rating_change


def take(*args: str) -> str:
    out = io.StringIO()
    call_command("take_snapshot", *args, stdout=out)
    return out.getvalue()


def test_the_command_freezes_every_action_as_at_a_date(action):
    out = take("--strategy", action.strategy.name, "--as-at", "2025-07-01")
    snapshot = Snapshot.objects.get(strategy=action.strategy, as_at=dt.date(2025, 7, 1))
    item = snapshot.items.get()
    assert (item.ref, item.rating.code, item.owners, item.due_date) == ("SP1", "amber", "Head of Service: Inclusion", dt.date(2025, 9, 30))
    assert "as at 1 July 2025: 1 actions" in out


def test_the_command_names_the_partnership_when_asked(action):
    take("--strategy", action.strategy.name, "--partnership", action.strategy.partnership.name, "--as-at", "2025-07-01")
    assert Snapshot.objects.filter(strategy=action.strategy).count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--strategy", "No such plan", "--as-at", "2025-07-01"], "There is no strategy called 'No such plan'"),
        (["--strategy", "SEND Strategy 2025-2028", "--as-at", "1 July"], "'1 July' is not a date: use YYYY-MM-DD"),
        (["--strategy", "SEND Strategy 2025-2028", "--as-at", "2999-01-01"], "The date must be today or in the past"),
        (
            ["--strategy", "SEND Strategy 2025-2028", "--partnership", "Elsewhere", "--as-at", "2025-07-01"],
            "There is no strategy called 'SEND Strategy 2025-2028' in 'Elsewhere'",
        ),
    ],
)
def test_the_command_explains_what_is_wrong(action, args, message):
    with pytest.raises(CommandError, match=message):
        take(*args)
    assert not Snapshot.objects.exists()


def test_the_command_refuses_a_second_snapshot_for_the_same_date(action):
    take("--strategy", action.strategy.name, "--as-at", "2025-07-01")
    with pytest.raises(CommandError, match="There is already a snapshot as at 1 July 2025"):
        take("--strategy", action.strategy.name, "--as-at", "2025-07-01")


def test_the_one_plan_import_creates_its_14_may_2025_snapshot(one_plan):
    snapshot = Snapshot.objects.get(strategy=one_plan)
    assert snapshot.as_at == dt.date(2025, 5, 14) and snapshot.items.count() == 186


def test_a_snapshot_never_changes(action):
    snapshot = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 7, 1))
    with pytest.raises(DatabaseError), transaction.atomic():
        snapshot.items.update(ref="CHANGED")
    with pytest.raises(IntegrityError), transaction.atomic():
        snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 7, 1))


def test_movement_between_two_snapshots_reads_the_rating_changes(action, group, level, owner_post):
    from actions.models import Action

    second = Action.objects.create(
        strategy=action.strategy, group=group, ref="SP2", text="Publish the local offer", rating=level("grey"), position=2
    )
    first = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    rating_change(action, level("red"))
    rating_change(second, level("green"))
    third = Action.objects.create(strategy=action.strategy, group=group, ref="SP3", text="New work", rating=level("grey"), position=3)
    later = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 7, 14))
    moved = movement(rows_from_snapshot(first), rows_from_snapshot(later))
    assert [(m.row.ref, m.before.label, m.after.label) for m in moved.worsened] == [("SP1", "Amber", "Red")]
    assert [(m.row.ref, m.before.label, m.after.label) for m in moved.improved] == [("SP2", "Grey", "Green")]
    assert [m.row.ref for m in moved.newly_completed] == ["SP2"]
    assert [m.row.action_id for m in moved.new] == [third.pk]
    assert rows_from_snapshot(later)[0].narrative == "Rating reviewed."


def test_an_officer_takes_a_snapshot_in_the_browser(client, officer, action):
    client.force_login(officer)
    today = timezone.localdate()
    response = client.post(
        reverse("reporting:snapshot_create", args=[action.strategy_id]),
        {**date_boxes("as_at", today), "note": "For the July board"},
    )
    assert response.status_code == 302
    snapshot = Snapshot.objects.get(strategy=action.strategy)
    assert (snapshot.as_at, snapshot.taken_by, snapshot.note) == (today, officer, "For the July board")
    html = client.get(response.url).content.decode()
    assert "Snapshot taken as at" in html and "For the July board" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (date_boxes("as_at", None), "Enter the date the snapshot is as at"),
        (date_boxes("as_at", "31/2/2025"), "The date the snapshot is as at must be a real date"),
        (date_boxes("as_at", "x/2/2025"), "The date the snapshot is as at must be a real date"),
        (date_boxes("as_at", "1/1/2099"), "The date must be today or in the past"),
        (date_boxes("as_at", "1/1/1995"), "The date must be in 2000 or later"),
        (date_boxes("as_at", "14/5/"), "The date the snapshot is as at must include a year"),
    ],
)
def test_a_wrong_date_is_explained_by_the_field(client, officer, action, data, message):
    client.force_login(officer)
    response = client.post(reverse("reporting:snapshot_create", args=[action.strategy_id]), data)
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html and message in html
    assert 'href="#id_as_at"' in html and "govuk-input--error" in html
    assert not Snapshot.objects.exists()


def test_a_date_already_snapshotted_is_explained(client, officer, action):
    snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    client.force_login(officer)
    html = client.post(reverse("reporting:snapshot_create", args=[action.strategy_id]), date_boxes("as_at", "14/5/2025")).content.decode()
    assert "There is already a snapshot as at 14 May 2025" in html


def test_only_officers_see_and_use_the_snapshot_form(client, board, owner, action):
    url = reverse("reporting:snapshot_list", args=[action.strategy_id])
    for person in (board, owner):
        client.force_login(person)
        html = client.get(url).content.decode()
        assert "Snapshots" in html and "Take a snapshot" not in html
        response = client.post(reverse("reporting:snapshot_create", args=[action.strategy_id]), date_boxes("as_at", "1/5/2025"))
        assert response.status_code == 403
    assert not Snapshot.objects.exists()


def test_the_snapshot_form_needs_a_post_and_csrf(officer, action):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    url = reverse("reporting:snapshot_create", args=[action.strategy_id])
    assert client.get(url).status_code == 405
    assert client.post(url, date_boxes("as_at", "1/5/2025")).status_code == 403
    assert not Snapshot.objects.exists()


def test_the_list_shows_each_snapshot_with_its_size(client, board, action):
    snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14), note="Published ratings")
    client.force_login(board)
    html = client.get(reverse("reporting:snapshot_list", args=[action.strategy_id])).content.decode()
    assert "14 May 2025" in html and "Published ratings" in html and ">1</td>" in html


def test_today_s_snapshot_is_refused_a_second_time_and_offered_for_retaking(client, officer, action):
    first = snapshot_take(strategy=action.strategy, as_at=timezone.localdate(), taken_by=officer)
    client.force_login(officer)
    today = timezone.localdate()
    html = client.post(reverse("reporting:snapshot_create", args=[action.strategy_id]), date_boxes("as_at", today)).content.decode()
    assert f"There is already a snapshot as at {today:%-d %B %Y}: retake it" in html
    assert f"Today's snapshot was taken at {timezone.localtime(first.taken_at):%H:%M}" in html
    assert reverse("governance:snapshot_retake", args=[first.pk]) in html


def test_retaking_today_s_snapshot_includes_the_updates_since_and_keeps_its_meetings(client, officer, action, level, indicator):
    from governance.models import Board, Meeting
    from tests.kpis.conftest import add_value

    add_value(indicator, "2025-09", "82")
    first = snapshot_take(strategy=action.strategy, as_at=timezone.localdate(), taken_by=officer, note="For the board")
    board = Board.objects.create(partnership=action.strategy.partnership, name="Partnership Board")
    meeting = Meeting.objects.create(board=board, strategy=action.strategy, date=timezone.localdate(), snapshot=first)
    rating_change(action, level("red"), narrative="Slipped after the snapshot.")
    client.force_login(officer)
    response = client.post(reverse("governance:snapshot_retake", args=[first.pk]), follow=True)
    retaken = Snapshot.objects.get(strategy=action.strategy)
    assert retaken.pk != first.pk and retaken.note == "For the board" and retaken.taken_at > first.taken_at
    assert retaken.items.get().rating.code == "red"
    assert [v.kpi_value.value for v in retaken.kpi_values.select_related("kpi_value")] == [82]
    meeting.refresh_from_db()
    assert meeting.snapshot_id == retaken.pk
    html = response.content.decode()
    assert f"retaken at {timezone.localtime(retaken.taken_at):%H:%M}" in html
    assert timezone.localtime(retaken.taken_at).strftime("%H:%M") in html  # the list shows the time it was taken


def test_a_snapshot_a_pack_was_produced_from_or_an_earlier_one_is_never_retaken(client, officer, action):
    from reporting.models import BoardReport

    earlier = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 7, 1))
    todays = snapshot_take(strategy=action.strategy, as_at=timezone.localdate())
    BoardReport.objects.create(strategy=action.strategy, snapshot=todays, status=BoardReport.Status.READY)
    client.force_login(officer)
    html = client.post(reverse("governance:snapshot_retake", args=[earlier.pk]), follow=True).content.decode()
    assert "Only today&#x27;s snapshot can be retaken" in html
    html = client.post(reverse("governance:snapshot_retake", args=[todays.pk]), follow=True).content.decode()
    assert "A board pack has been produced from the snapshot" in html
    assert set(Snapshot.objects.values_list("pk", flat=True)) == {earlier.pk, todays.pk}


def test_todays_snapshot_a_self_evaluation_was_drafted_from_is_kept_with_a_message_not_a_server_error(client, officer, action):
    from governance.models import SelfEvaluation, SelfEvaluationVersion

    todays = snapshot_take(strategy=action.strategy, as_at=timezone.localdate())
    SelfEvaluationVersion.objects.create(
        self_evaluation=SelfEvaluation.objects.create(strategy=action.strategy),
        number=1,
        source=SelfEvaluationVersion.Source.DRAFTED,
        snapshot=todays,
        edition="In force from 6 June 2025",
    )
    client.force_login(officer)
    response = client.post(reverse("governance:snapshot_retake", args=[todays.pk]), follow=True)
    assert response.status_code == 200
    assert "A self-evaluation has been drafted from the figures of the snapshot" in response.content.decode()
    assert Snapshot.objects.filter(pk=todays.pk).exists()


def test_the_form_opens_on_today_so_today_s_snapshot_is_one_press_and_is_empty_once_it_is_taken(client, officer, action):
    today = timezone.localdate()
    url = reverse("reporting:snapshot_list", args=[action.strategy_id])
    client.force_login(officer)
    form = lxml.html.fromstring(client.get(url).content).get_element_by_id("take").getnext()
    values = {field.name: field.value for field in form.inputs if field.name.startswith("as_at_")}
    assert values == date_boxes("as_at", today)

    response = client.post(reverse("reporting:snapshot_create", args=[action.strategy_id]), values, follow=True)
    assert f"Snapshot taken as at {today:%-d %B %Y}." in response.content.decode()
    assert list(Snapshot.objects.values_list("as_at", flat=True)) == [today]
    # Today's is taken: the form no longer offers a date that would be refused, and the page offers a retake instead.
    form = lxml.html.fromstring(client.get(url).content).get_element_by_id("take").getnext()
    assert {field.name: field.value for field in form.inputs if field.name.startswith("as_at_")} == date_boxes("as_at", None)


def test_today_s_snapshot_a_pack_was_produced_from_is_not_offered_for_retaking(client, officer, action):
    from reporting.models import BoardReport

    todays = snapshot_take(strategy=action.strategy, as_at=timezone.localdate())
    BoardReport.objects.create(strategy=action.strategy, snapshot=todays, status=BoardReport.Status.READY)
    client.force_login(officer)
    html = client.get(reverse("reporting:snapshot_list", args=[action.strategy_id])).content.decode()
    assert "A board pack has been produced from the snapshot" in html and "can no longer be retaken" in html
    assert "Retake it to include" not in html and "Retake today" not in html
