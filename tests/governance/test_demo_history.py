"""The demo opens on a board cycle in progress with three cycles of believable history, worked out from today's date."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.http import QueryDict
from django.utils import timezone

from accounts.models import User
from actions import rules
from actions.chasing import DIGEST_MAX_ACTIONS, digest_send, digests_to_send
from actions.commands import month_shift
from actions.models import Action, ActionUpdate, Evidence, Notification, Snapshot, SnapshotAction, Strategy
from coproduction.models import FamiliesView, SnapshotFamiliesView
from governance.decisions import action_arising_record, decision_record
from governance.demo_history import months_offset, text_shift
from governance.models import ActionArising, Decision, Meeting, SignOff, SignOffEvent
from governance.services import snapshot_take
from governance.signoff import sign_offs_as_at
from kpis.models import KpiValue
from people.models import Organisation, Post
from reporting.dashboard import dashboard_for
from reporting.report import board_pack_html
from tests.reporting.test_board_pack_layout import assert_reads_in_ten_minutes

ONE_PLAN = "SEND and AP One Plan 2025-2028"


@pytest.fixture
def demo(settings, demo_seeded) -> Strategy:
    settings.DEBUG = True  # seed_demo refuses to run without it, and one test starts it again
    return demo_seeded


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Action, ActionUpdate, Snapshot, Meeting, Decision, ActionArising, FamiliesView, KpiValue)
    }


def test_dates_move_by_whole_months_and_the_plan_s_words_move_with_them():
    assert months_offset(dt.date(2025, 5, 14), dt.date(2026, 12, 5)) == 12
    assert months_offset(dt.date(2025, 5, 14), dt.date(2027, 3, 30)) == 15
    for today in (dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2031, 6, 15)):
        moved = month_shift(dt.date(2025, 5, 14), months_offset(dt.date(2025, 5, 14), today))
        assert 180 <= (today - moved).days <= 245  # about seven months before today
    assert month_shift(dt.date(2025, 2, 28), 1) == dt.date(2025, 3, 31)  # a month's end stays its end
    assert month_shift(dt.date(2025, 1, 31), 13) == dt.date(2026, 2, 28)
    assert text_shift("June 2025 (Impact data will not be available until December 2025)", 12) == (
        "June 2026 (Impact data will not be available until December 2026)"
    )
    assert text_shift("Sept 2025", 3) == "Dec 2025"
    assert text_shift("the 2025/2026 academic year, then 2024/25", 12) == "the 2026/2027 academic year, then 2025/26"
    assert text_shift("TBC", 12) == "TBC"
    assert text_shift("the Children and Families Act 2014, reviewed in 2026", 12) == "the Children and Families Act 2014, reviewed in 2027"


def test_the_demo_has_three_board_cycles_behind_a_cycle_in_progress(demo):
    today = timezone.localdate()
    stated = Snapshot.objects.get(strategy=demo, as_at=demo.ratings_as_at)
    assert 180 <= (today - stated.as_at).days <= 245
    assert stated.taken_at.date() <= stated.as_at + dt.timedelta(days=1)
    held = list(Meeting.objects.filter(strategy=demo, status=Meeting.Status.HELD).order_by("date").select_related("snapshot"))
    assert len(held) == 4 and all(m.snapshot and m.date > m.snapshot.as_at for m in held)
    assert [m.snapshot.as_at for m in held] == [month_shift(stated.as_at, 2 * i) for i in range(4)]  # every two months
    last_board = Snapshot.objects.last_board_for(demo)
    assert last_board == held[-1].snapshot and 14 <= (today - last_board.as_at).days <= 50  # a few weeks ago
    assert Meeting.objects.filter(strategy=demo, status=Meeting.Status.SCHEDULED, date__gt=today).exists()
    assert [m.date for m in Meeting.objects.filter(strategy=demo) if m.date.weekday() >= 5] == []  # boards meet on weekdays
    for meeting in held:
        assert meeting.decisions.count() == 2 and meeting.actions_arising.count() == 1

    for earlier, sitting in zip(held, held[1:], strict=False):
        before, after = earlier.snapshot, sitting.snapshot
        ratings = dict(SnapshotAction.objects.filter(snapshot=before).values_list("action_id", "rating_id"))
        moved = SnapshotAction.objects.filter(snapshot=after).exclude(rating_id__in=[]).values_list("action_id", "rating_id")
        assert sum(1 for pk, rating in moved if pk in ratings and ratings[pk] != rating) >= 3  # real moves each cycle
        written = ActionUpdate.objects.filter(action__strategy=demo, created_at__gt=before.taken_at, created_at__lte=after.taken_at)
        assert written.exclude(source=ActionUpdate.Source.IMPORT).count() >= 40
        assert SnapshotFamiliesView.objects.filter(snapshot=after, recorded_at__gt=before.taken_at).exists()  # families' views
        signed = [s for s in sign_offs_as_at(sitting, after.taken_at) if s.status == "confirmed"]
        assert len(signed) >= 3  # signed off before its pack's ratings were frozen
        assert (
            KpiValue.objects.filter(snapshot_items__snapshot=after).count()
            > KpiValue.objects.filter(snapshot_items__snapshot=before).count()
        )
    narratives = list(
        ActionUpdate.objects.filter(action__strategy=demo).exclude(source=ActionUpdate.Source.IMPORT).values_list("narrative", flat=True)
    )
    assert len(set(narratives)) >= 0.5 * len(narratives)  # varied, not one sentence repeated
    assert not ActionUpdate.objects.filter(created_at__gt=timezone.now()).exists()

    live = Action.objects.filter(strategy=demo)
    assert 3 <= live.filter(rules.overdue(today)).count() <= 30  # a live cycle, not 134 stale overdue actions
    in_round = live.filter(rules.in_round_q()).count()
    not_updated = live.filter(rules.needs_update_q()).count()
    assert 0 < not_updated < in_round  # some owners have updated since the last board, some not yet


def test_a_kpi_crossing_since_the_last_board_alerts_its_owner_and_shows_in_the_movement(demo):
    lead = User.objects.get(username="lead@example.org")
    alert = Notification.objects.get(recipient=lead, kind=Notification.Kind.KPI_ALERT)
    assert "is now on target (was off target" in alert.message
    board = dashboard_for(demo, QueryDict())
    assert [c.indicator.code for c in board.kpi_crossings] == ["CE-EHC-AVGWK"]


def test_each_digest_of_the_demo_counts_the_actions_it_lists(demo):
    for digest_id in digests_to_send():  # sent after the seed's transaction commits, which a test's never does
        digest_send(digest_id=digest_id)
    sent = [m for m in mail.outbox if "need" in m.subject]
    assert sent
    for email in sent:
        stated = re.search(r"(\d+) actions? needs?", email.subject)
        # The actions listed, each under its section's heading; a milestone's section lists steps, not actions.
        sections = re.split(r"^([A-Z][A-Z0-9 ,'-]+)$", email.body, flags=re.MULTILINE)
        listed = {
            ref
            for heading, text in zip(sections[1::2], sections[2::2], strict=True)
            if not heading.startswith("MILESTONES")
            for ref in re.findall(r"^- ([A-Z][\w.-]*\d[\w.]*):", text, flags=re.MULTILINE)
        }
        assert any(heading.startswith("MILESTONES") for heading in sections[1::2]) or "milestone" not in email.subject
        if stated:
            assert len(listed) == min(int(stated.group(1)), DIGEST_MAX_ACTIONS), email.subject


def test_the_next_board_s_sign_offs_stand_as_signed_behind_the_inspection_evidence_of_the_round(demo):
    meeting = Meeting.objects.filter(strategy=demo, status=Meeting.Status.SCHEDULED).order_by("date").first()
    status = dict(SignOff.objects.filter(meeting=meeting).values_list("organisation__kind", "status"))
    expected = {Organisation.Kind.COUNCIL: "confirmed", Organisation.Kind.ICB: "confirmed", Organisation.Kind.NHS_TRUST: "declined"}
    assert {kind: status.get(kind) for kind in expected} == expected
    assert not SignOffEvent.objects.filter(status=SignOff.Status.REOPENED).exists()
    # The inspection's evidence was written in the round in progress: after the last board, before anyone signed.
    last_board = Snapshot.objects.last_board_for(demo)
    signed = SignOff.objects.filter(meeting=meeting, status="confirmed").earliest("decided_at").decided_at
    evidence = Evidence.objects.filter(update__action__strategy=demo).select_related("update__action")
    assert evidence.count() == 3
    for item in evidence:
        assert last_board.taken_at < item.update.created_at == item.created_at < signed
        assert item.update.action.updated_at == item.update.created_at
        assert ActionUpdate.objects.filter(action=item.update.action).first() == item.update  # the action's latest word

    call_command("seed_demo", stdout=io.StringIO())
    assert dict(SignOff.objects.filter(meeting=meeting).values_list("organisation__kind", "status")) == status


def test_a_second_start_changes_nothing(demo):
    before = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == before


@pytest.mark.slow
def test_an_officer_takes_today_s_snapshot_produces_the_pack_and_the_next_pack_opens_with_the_board_s_decisions(demo):
    officer = User.objects.get(username="officer@example.org")
    meeting = Meeting.objects.filter(strategy=demo, status=Meeting.Status.SCHEDULED).order_by("date").first()
    last_board = demo.snapshots.order_by("-as_at").first()
    # The pack of the last board's ratings, produced for no meeting in particular, reads in ten minutes as well: the
    # inspection findings, the risks and the budget follow one another on the page rather than each opening a new one.
    pages = assert_reads_in_ten_minutes(last_board)
    # A section that flows on from the one before keeps its heading and opening words with what they introduce.
    [budget] = [text for text in pages if "High-needs budget" in text]
    assert "With planned savings" in budget, "the budget's heading is on a page without its chart"
    today = snapshot_take(strategy=demo, as_at=timezone.localdate(), taken_by=officer)
    assert_reads_in_ten_minutes(today, meeting)
    document = board_pack_html(today, meeting)
    last = Meeting.objects.filter(strategy=demo, status=Meeting.Status.HELD).order_by("-date").first()
    assert f"Actions arising from the {last.board}, {last.date:%-d %B %Y}" in " ".join(document.split())
    assert "KPIs that crossed their target or tolerance (1)" in document
    # The overlap is said once, after the sentence that explains the flags.
    assert "not ratings of their own. Overdue overlaps the other figures: " in " ".join(document.split())

    decision_record(meeting=meeting, text="The board agreed the recovery plan for EHC timeliness.", by=officer)
    decision_record(meeting=meeting, text="The board asked for the transition audit at its next meeting.", by=officer)
    owner = Post.objects.get(partnership=demo.partnership, title="Head of Service: Inclusion")
    arising = action_arising_record(
        meeting=meeting, text="Report the new panel's first month", owner=owner, due_date=meeting.date + dt.timedelta(days=30), by=officer
    )
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, snapshot=today)
    next_date = month_shift(meeting.date, 2)
    following = Meeting.objects.create(board=meeting.board, strategy=demo, date=next_date, papers_deadline=next_date - dt.timedelta(7))
    later = snapshot_take(strategy=demo, as_at=following.papers_deadline, taken_by=officer)
    opening = board_pack_html(later, following).split('id="pack-summary"')[0]
    assert "The board agreed the recovery plan for EHC timeliness." in opening
    assert "The board asked for the transition audit at its next meeting." in opening
    # Each decision reads as its own sentence: no ".;" between them, no ".." after the last.
    assert "EHC timeliness. The board asked for the transition audit at its next meeting.</p>" in opening
    assert arising.action.ref in opening and "Report the new panel&#x27;s first month" in opening
