"""What a board reads in the pack: summary, movement, exceptions with narratives, KPIs — all as frozen."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal

import pytest

from actions.models import Action, ActionUpdate, Notification
from governance.models import Board, Meeting
from governance.services import meetings_remind, snapshot_take
from kpis.models import Indicator
from kpis.services import kpi_value_enter
from reporting.pdf import render_pdf
from reporting.report import board_pack_html


def pack_text(snapshot, tmp_path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(render_pdf(board_pack_html(snapshot)).content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())  # phrases wrap across lines in a table cell


@pytest.fixture
def kpi(strategy, group):
    indicator = Indicator.objects.create(
        strategy=strategy,
        code="EHC-20WK",
        name="EHC plans issued within 20 weeks",
        unit="percentage",
        direction="higher",
        frequency="monthly",
        target=Decimal("85"),
        tolerance=Decimal("5"),
    )
    indicator.delivery_groups.add(group)
    return indicator


def test_the_pack_shows_movement_between_snapshots_and_the_latest_narrative_of_exceptions(action, owner, level, tmp_path):
    first = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    ActionUpdate.objects.create(
        action=action,
        author=owner,
        rating_before=level("amber"),
        rating_after=level("red"),
        narrative="Recruitment paused; recovery plan agreed with the ICB.",
    )
    Action.objects.filter(pk=action.pk).update(rating=level("red"))
    second = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 7, 14))
    text = pack_text(second, tmp_path)
    assert "Movement since the last board" in text
    assert "Rating worsened" in text and "1. Oversight (1): SP1" in text  # counted, with its ref under its delivery group
    assert "Recruitment paused; recovery plan agreed with the ICB." in text  # the Red action's narrative, under exceptions
    assert "What the board is asked to decide" in text
    assert "Rated at risk (1)" in text
    assert "At risk" in text and "All actions 1 0 0 0 0" in text  # the matrix's total row: one Red action, nothing else
    first_text = pack_text(first, tmp_path)
    assert "This is the first report of the strategy" in first_text


def test_the_pack_shows_kpis_as_the_snapshot_froze_them(action, kpi, officer, tmp_path):
    kpi_value_enter(indicator=kpi, period="2025-04", value=Decimal("72"), entered_by=officer)
    snapshot = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    kpi_value_enter(indicator=kpi, period="2025-05", value=Decimal("91"), entered_by=officer)  # after the snapshot
    text = pack_text(snapshot, tmp_path)
    assert "EHC plans issued within 20 weeks" in text
    assert "72%" in text and "91%" not in text
    assert "Off target" in text


def test_a_kpi_with_no_value_in_the_snapshot_reads_no_data(action, kpi, tmp_path):
    snapshot = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    text = pack_text(snapshot, tmp_path)
    assert "No data yet" in text and "No data" in text


def test_owners_are_reminded_before_a_meetings_papers_deadline_once(action, owner, strategy):
    snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14))
    board = Board.objects.create(partnership=strategy.partnership, name="SEND and AP Partnership Board")
    Meeting.objects.create(board=board, strategy=strategy, date=dt.date(2025, 7, 21), papers_deadline=dt.date(2025, 7, 14))
    assert meetings_remind(today=dt.date(2025, 7, 1)) == 0  # too early
    assert meetings_remind(today=dt.date(2025, 7, 9)) == 1
    assert meetings_remind(today=dt.date(2025, 7, 10)) == 0  # once per person, action and deadline
    reminder = Notification.objects.get(kind=Notification.Kind.REMINDER)
    assert reminder.recipient == owner and reminder.action == action and reminder.deadline == dt.date(2025, 7, 14)


def test_a_held_meeting_reminds_nobody(action, owner, strategy):
    snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14))
    board = Board.objects.create(partnership=strategy.partnership, name="SEND and AP Partnership Board")
    Meeting.objects.create(
        board=board, strategy=strategy, date=dt.date(2025, 7, 21), papers_deadline=dt.date(2025, 7, 14), status=Meeting.Status.HELD
    )
    assert meetings_remind(today=dt.date(2025, 7, 9)) == 0


def test_the_pack_names_the_last_board_by_its_snapshot_not_as_the_board_s_own_date(action, owner, level, strategy):
    """The last board met a week after its snapshot: the pack dates the comparison by the snapshot and says so, rather
    than calling the snapshot's date the board's (the same page names the board's real date above its actions arising)."""
    first = snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14))
    board = Board.objects.create(partnership=strategy.partnership, name="Partnership Board")
    Meeting.objects.create(board=board, strategy=strategy, date=dt.date(2025, 5, 21), snapshot=first, status="held")
    ActionUpdate.objects.create(action=action, author=owner, rating_before=level("amber"), rating_after=level("red"), narrative="Late.")
    Action.objects.filter(pk=action.pk).update(rating=level("red"))
    html = board_pack_html(snapshot_take(strategy=strategy, as_at=dt.date(2025, 7, 14)))
    assert "The last board: 14 May 2025" not in html and "last board of 14 May 2025" not in html
    assert "Since the last board on 14 May 2025" not in html
    assert "Compared with the last board (the snapshot as at 14 May 2025)" in html
    assert "against the last board (the snapshot as at 14 May 2025)" in html
    assert "Since the last board (the snapshot as at 14 May 2025), counted by delivery group" in html


def test_the_exceptions_do_not_say_the_owner_wrote_an_update_an_officer_wrote(action, officer, level, strategy):
    """Owners, group leads and officers all write updates; the row names its writer, and the intro does not say "owner"."""
    officer.first_name, officer.last_name = "Olu", "Officer"
    officer.save()
    ActionUpdate.objects.create(action=action, author=officer, rating_before=level("amber"), rating_after=level("red"), narrative="Chased.")
    Action.objects.filter(pk=action.pk).update(rating=level("red"))
    html = board_pack_html(snapshot_take(strategy=strategy, as_at=dt.date(2025, 7, 14)))
    assert "Chased." in html and "Olu Officer" in html
    assert "written by its owner" not in html and "with its latest update and who wrote it" in html
