"""Deliverables: dated "what you will see" statements whose status follows from the actions that deliver them."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions.models import Action
from coproduction.models import Deliverable
from coproduction.services import deliverables_of, timeline
from governance.services import snapshot_take
from reporting.report import board_pack_context, board_pack_html
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db
ONE_PLAN_DELIVERABLES = FIXTURES / "cheshire-east-one-plan" / "deliverables.csv"


def import_one_plan_deliverables(one_plan):
    call_command("import_deliverables", str(ONE_PLAN_DELIVERABLES), strategy=one_plan.name, stdout=open(os.devnull, "w"))


def test_the_one_plan_timeline_imports_from_its_fixture(one_plan):
    import_one_plan_deliverables(one_plan)
    deliverables = Deliverable.objects.filter(strategy=one_plan)
    assert deliverables.count() == 57
    assert sorted({d.due_date for d in deliverables}) == [dt.date(2025, 9, 30), dt.date(2026, 9, 30), dt.date(2027, 9, 30)]
    easy_read = deliverables.get(statement__startswith="An easy read summary")
    assert [a.ref for a in easy_read.actions.all()] == ["SP1"] and easy_read.group.name.startswith("1. SEND Partnership")
    assert not deliverables.filter(actions__isnull=True).exists()
    import_one_plan_deliverables(one_plan)  # again: nothing changes
    assert Deliverable.objects.filter(strategy=one_plan).count() == 57


def test_a_bad_file_writes_nothing_and_names_every_bad_row(tmp_path, strategy, group, action):
    bad = tmp_path / "deliverables.csv"
    bad.write_text(
        "due,delivery_group,deliverable,actions\n"
        "September 2025,1. Oversight,Fewer complaints,SP1\n"
        "Sometime,1. Oversight,A new hub,SP1\n"
        "September 2025,No such group,Shorter waits,\n"
        "September 2025,1. Oversight,Better plans,SP99\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 problem"):
        call_command("import_deliverables", str(bad), strategy=strategy.name, stderr=err)
    assert [line.split(":")[0] for line in err.getvalue().splitlines()] == [
        "row 3, column 'due' ('Sometime')",
        "row 4, column 'delivery_group' ('No such group')",
        "row 5, column 'actions' ('SP99')",
    ]
    assert not Deliverable.objects.exists()


def test_the_command_refuses_a_bad_file(tmp_path, strategy):
    bad = tmp_path / "deliverables.csv"
    bad.write_text("due,deliverable\nSeptember 2025,Something\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_deliverables", str(bad), strategy=strategy.name, stderr=open(os.devnull, "w"))


@pytest.fixture
def deliverable(strategy, group, action):
    d = Deliverable.objects.create(strategy=strategy, group=group, statement="Fewer complaints", due_date=dt.date(2025, 9, 30))
    d.actions.add(action)
    return d


def status_on(strategy, day):
    from actions.rows import rows_from_actions

    quarters = timeline(deliverables_of(strategy), rows_from_actions(Action.objects.filter(strategy=strategy), today=day), day)
    return [item.status.label + (f", {item.status.flag}" if item.status.overdue else "") for q in quarters for item in q.items]


@pytest.mark.parametrize(
    ("rating", "day", "expected"),
    [
        ("amber", dt.date(2025, 8, 1), "On track"),
        ("grey", dt.date(2025, 8, 1), "Not started"),
        ("red", dt.date(2025, 8, 1), "At risk"),
        ("green", dt.date(2025, 8, 1), "Delivered"),
        ("amber", dt.date(2025, 10, 1), "On track, On track but overdue"),  # the rule book: on track, the flag saying both
        ("red", dt.date(2025, 10, 1), "At risk, Overdue"),
        ("green", dt.date(2025, 10, 1), "Delivered"),
    ],
)
def test_a_deliverables_status_follows_from_its_actions(deliverable, action, level, strategy, rating, day, expected):
    Action.objects.filter(pk=action.pk).update(rating=level(rating))
    assert status_on(strategy, day) == [expected]


def test_a_deliverable_with_no_actions_says_so(deliverable, strategy):
    deliverable.actions.clear()
    assert status_on(strategy, dt.date(2025, 8, 1)) == ["No actions linked yet"]


def test_the_timeline_is_by_quarter(strategy, group, action):
    for day in (dt.date(2025, 9, 30), dt.date(2025, 8, 31), dt.date(2026, 1, 31)):
        Deliverable.objects.create(strategy=strategy, group=group, statement=f"Due {day}", due_date=day)
    quarters = timeline(deliverables_of(strategy), [], dt.date(2025, 1, 1))
    assert [(q.label, len(q.items)) for q in quarters] == [("July to September 2025", 2), ("January to March 2026", 1)]


def test_the_group_page_and_the_pack_show_the_timeline(client, board, deliverable, group, strategy):
    client.force_login(board)
    page = client.get(reverse("reporting:group_detail", args=[group.pk])).content.decode()
    assert "What you will see, and when" in page and "Fewer complaints" in page and "July to September 2025" in page
    snapshot = snapshot_take(strategy=strategy, as_at=dt.date(2025, 8, 1))
    quarters = board_pack_context(snapshot)["timeline"]
    assert [(q.label, [i.status.label for i in q.items]) for q in quarters] == [("July to September 2025", ["On track"])]


def test_a_pack_with_a_timeline_holds_each_of_its_sections_once(deliverable, strategy):
    document = board_pack_html(snapshot_take(strategy=strategy, as_at=dt.date(2025, 8, 1)))
    for anchor in ("pack-summary", "pack-movement", "pack-exceptions", "pack-timeline"):
        assert document.count(f'id="{anchor}"') == 1, anchor
    assert document.count("What you will see, and when</h2>") == 1


def test_an_on_track_deliverable_past_its_date_reads_once_as_on_track_but_overdue(client, board, deliverable, group):
    # The deliverable and its Amber (on track) action were due in September 2025: today is later.
    client.force_login(board)
    page = client.get(reverse("reporting:group_detail", args=[group.pk])).content.decode()
    item = page[page.index('<li class="app-timeline__item">') :]
    item = item[: item.index("</li>")]
    assert ">On track</strong>" in item and 'app-flag">On track but overdue</strong>' in item and ">Overdue</strong>" not in item
