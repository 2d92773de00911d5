"""The board calendar: boards, their meetings, a series of meetings in one step, and moving or cancelling one."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import transaction

from actions.models import Snapshot, Strategy
from actions.signals import RoundMeeting
from governance.models import Board, Meeting

MAX_SERIES = 60
DEFAULT_START, DEFAULT_END = dt.time(10, 0), dt.time(12, 0)


class CalendarRuleError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def board_create(*, strategy: Strategy, name: str, purpose: str = "", chair_role: str = "", cadence: str = "") -> Board:
    name = name.strip()
    if Board.objects.filter(partnership_id=strategy.partnership_id, name__iexact=name).exists():
        raise CalendarRuleError(f"There is already a board called '{name}'", "name")
    return Board.objects.create(partnership_id=strategy.partnership_id, name=name, purpose=purpose, chair_role=chair_role, cadence=cadence)


def series_dates(first: dt.date, *, every: int, unit: str, count: int) -> list[dt.date]:
    """`count` dates from `first`, every N weeks or months (a month series keeps the day, or the month's last day)."""
    step = relativedelta(weeks=every) if unit == "weeks" else relativedelta(months=every)
    return [first + step * i for i in range(count)]


@transaction.atomic
def meetings_series_create(
    *,
    board: Board,
    strategy: Strategy,
    first: dt.date,
    every: int,
    unit: str,
    count: int,
    papers_days: int | None,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
) -> tuple[list[Meeting], list[dt.date]]:
    """Schedule a series of meetings in one step; dates the board already meets on are skipped (and returned).

    Times are UK wall-clock times (10:00 to 12:00 unless given), the same on every date whatever the clock change.
    """
    start_time, end_time = start_time or DEFAULT_START, end_time or DEFAULT_END
    if board.partnership_id != strategy.partnership_id:
        raise CalendarRuleError("Choose a board of this partnership", "board")
    if end_time <= start_time:
        raise CalendarRuleError("The meeting must end after it starts", "end_time")
    if not 1 <= count <= MAX_SERIES:
        raise CalendarRuleError(f"A series has from 1 to {MAX_SERIES} meetings", "count")
    taken = set(Meeting.objects.filter(board=board).values_list("date", flat=True))
    created, skipped = [], []
    for date in series_dates(first, every=every, unit=unit, count=count):
        if date in taken:
            skipped.append(date)
            continue
        deadline = date - dt.timedelta(days=papers_days) if papers_days is not None else None
        created.append(
            Meeting(board=board, strategy=strategy, date=date, papers_deadline=deadline, start_time=start_time, end_time=end_time)
        )
    Meeting.objects.bulk_create(created)
    return created, skipped


@transaction.atomic
def meeting_move(
    *, meeting: Meeting, date: dt.date, papers_deadline: dt.date | None, start_time: dt.time | None = None, end_time: dt.time | None = None
) -> Meeting:
    """Move a meeting to another day (and, when given, other times); a cancelled meeting moved is scheduled again."""
    start_time, end_time = start_time or meeting.start_time, end_time or meeting.end_time
    if end_time <= start_time:
        raise CalendarRuleError("The meeting must end after it starts", "end_time")
    if papers_deadline and papers_deadline > date:
        raise CalendarRuleError("The papers deadline must be on or before the meeting", "papers_deadline")
    if Meeting.objects.filter(board_id=meeting.board_id, date=date).exclude(pk=meeting.pk).exists():
        raise CalendarRuleError(f"{meeting.board} already meets on {date:%-d %B %Y}", "date")
    status = Meeting.Status.SCHEDULED if meeting.status == Meeting.Status.CANCELLED else meeting.status
    moved = {"date": date, "papers_deadline": papers_deadline, "start_time": start_time, "end_time": end_time, "status": status}
    # Checked in the same statement as the change, as for cancelling: its decisions are dated by the meeting.
    if not Meeting.objects.filter(pk=meeting.pk).exclude(Meeting.on_record()).update(**moved):
        raise CalendarRuleError(on_record_said(meeting, "moved"), "date")
    for name, value in moved.items():
        setattr(meeting, name, value)
    return meeting


def meeting_pack_snapshot_record(*, meeting: Meeting, snapshot: Snapshot) -> bool:
    """Record that the meeting's pack is built from `snapshot`, unless one was chosen for it already.

    The board then meets on those ratings: once its day has come, "since the last board" counts from this snapshot
    on every page, email, pack and sweep (`SnapshotQuerySet.last_board_first`), and the meeting's page names it.
    """
    if meeting.snapshot_id is not None:
        return False
    recorded = Meeting.objects.filter(pk=meeting.pk, snapshot__isnull=True).update(snapshot=snapshot)
    if recorded:
        meeting.snapshot = snapshot
    return bool(recorded)


def meeting_on_record(meeting: Meeting) -> bool:
    """Whether the meeting took place with its record standing (`Meeting.on_record`): it can be neither moved nor cancelled."""
    return Meeting.objects.filter(pk=meeting.pk).filter(Meeting.on_record()).exists()


def on_record_said(meeting: Meeting, done: str) -> str:
    return f"The {meeting.board} meeting on {meeting.date:%-d %B %Y} took place: its decisions are on record, so it cannot be {done}"


def meeting_cancel(*, meeting: Meeting) -> None:
    """Cancelled, not deleted: a cancelled meeting sends no reminders and stays in the calendar's record.

    A meeting that took place (`Meeting.on_record`) cannot be cancelled: its decisions and actions arising open the
    next board's pack, which a cancelled meeting's would not. Checked in the same statement as the change.
    """
    if not Meeting.objects.filter(pk=meeting.pk).exclude(Meeting.on_record()).update(status=Meeting.Status.CANCELLED):
        raise CalendarRuleError(on_record_said(meeting, "cancelled"))


def meeting_next(strategy: Strategy, today: dt.date) -> Meeting | None:
    """The strategy's next scheduled meeting on or after today."""
    return (
        Meeting.objects.filter(strategy=strategy, status=Meeting.Status.SCHEDULED, date__gte=today)
        .select_related("board")
        .order_by("date")
        .first()
    )


def next_meeting_for_round(strategy: Strategy, today: dt.date) -> RoundMeeting | None:
    """The strategy's next scheduled meeting, for the update round (the round asks through actions.signals' finder)."""
    meeting = meeting_next(strategy, today)
    return RoundMeeting(meeting.date, meeting.board.name, meeting.papers_deadline) if meeting else None
