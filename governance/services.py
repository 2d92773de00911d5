from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.timesince import timesince

from accounts.models import User
from actions.chasing import reminders_queue
from actions.models import Action, ActionUpdate, Snapshot, SnapshotAction, Strategy
from coproduction.models import FamiliesView
from coproduction.services import snapshot_families_views
from governance.evidence import evidence_pack_context, evidence_pack_html, evidence_zip_write
from governance.models import Board, BoardReport, EvidencePack, Finding, Meeting
from governance.report import board_pack_html
from governance.signoff import sign_off_reminders_queue, sign_offs_freeze
from kpis.services import snapshot_kpi_values
from people.access import membership_for

# First key of the two-key advisory locks taken while rendering a board report or an evidence pack.
BOARD_REPORT_LOCK = 7001
EVIDENCE_PACK_LOCK = 7002


@contextmanager
def job_lock(kind: int, job_id: int) -> Iterator[bool]:
    """Hold a PostgreSQL advisory lock for one job while it runs; yields False when another worker holds it.

    A worker that dies releases the lock with its connection, so a redelivered
    task can take over.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [kind, job_id])
        if not cursor.fetchone()[0]:
            yield False
            return
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [kind, job_id])


def private_file_replace(folder: Path, file_name: str, write) -> Path:
    """Write a private file through `write(path)` to a partial file, then rename it into place.

    A reader never sees half a file, and a second run for the same job
    replaces the file rather than adding another.
    """
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{file_name}.{os.getpid()}.part"
    try:
        write(partial)
        os.replace(partial, folder / file_name)
    finally:
        partial.unlink(missing_ok=True)
    return folder / file_name


@transaction.atomic
def snapshot_take(*, strategy: Strategy, as_at: dt.date, taken_by: User | None = None, note: str = "") -> Snapshot:
    """Freeze every action of the strategy as it stands now, labelled "as at" the given date.

    Set-based: one INSERT ... SELECT of the actions, with their owners and
    latest narrative aggregated in SQL, whatever the plan size.
    """
    snapshot = Snapshot.objects.create(strategy=strategy, as_at=as_at, taken_by=taken_by, note=note)
    latest = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-id")
    frozen = {
        "snapshot_id": Value(snapshot.pk),
        "action_id": F("pk"),
        "group_id": F("group_id"),
        "ref": F("ref"),
        "text": F("text"),
        "owners": StringAgg("owners__title", delimiter="; ", order_by="owners__title", default=""),
        "due_date": F("due_date"),
        "due_precision": F("due_precision"),
        "rating_id": F("rating_id"),
        "narrative": Coalesce(Subquery(latest.values("narrative")[:1]), Value(""), output_field=TextField()),
        "last_updated_at": Subquery(latest.values("created_at")[:1]),
    }
    rows = Action.objects.filter(strategy=strategy).order_by().annotate(**{f"frozen_{k}": v for k, v in frozen.items()})
    sql, params = rows.values_list(*(f"frozen_{k}" for k in frozen)).query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(SnapshotAction._meta.get_field(k.removesuffix("_id")).column) for k in frozen)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(SnapshotAction._meta.db_table)} ({columns}) {sql}", params)
    snapshot_kpi_values(snapshot)
    snapshot_families_views(snapshot)
    sign_offs_freeze(snapshot)
    return snapshot


class SnapshotRetakeError(ValueError):
    """Why a snapshot cannot be retaken, in words for the officer."""


def snapshot_retake_problem(snapshot: Snapshot, today: dt.date) -> str | None:
    """Why this snapshot cannot be retaken now, or None when it can.

    Only today's, and only while nothing has been built on it: a pack produced
    from it, or a families' view recorded in its cycle, makes it part of the record.
    """
    if snapshot.as_at != today:
        return f"Only today's snapshot can be retaken: the snapshot as at {snapshot.as_at:%-d %B %Y} is part of the record"
    if snapshot.board_reports.exists():
        return f"A board pack has been produced from the snapshot as at {snapshot.as_at:%-d %B %Y}, so it can no longer be retaken"
    if FamiliesView.objects.filter(cycle=snapshot).exists():
        return f"The families' view has been recorded since the snapshot as at {snapshot.as_at:%-d %B %Y}, so it can no longer be retaken"
    return None


@transaction.atomic
def snapshot_retake(*, snapshot: Snapshot, taken_by: User | None, today: dt.date | None = None) -> Snapshot:
    """Take today's snapshot again, now: the updates recorded since it was taken are in it.

    A snapshot never changes, so the old one is removed and a new one taken for
    the same date with the same note; the meetings it was chosen for keep it.
    Raises SnapshotRetakeError when it is not today's or a pack was produced from it.
    """
    today = today or timezone.localdate()
    locked = Snapshot.objects.select_for_update().filter(pk=snapshot.pk).first()
    if locked is None:
        raise SnapshotRetakeError("That snapshot has just been retaken by someone else: look at the list again")
    if problem := snapshot_retake_problem(locked, today):
        raise SnapshotRetakeError(problem)
    meetings = list(Meeting.objects.filter(snapshot=locked).values_list("pk", flat=True))
    Meeting.objects.filter(pk__in=meetings).update(snapshot=None)
    strategy, as_at, note = locked.strategy, locked.as_at, locked.note
    locked.delete()
    retaken = snapshot_take(strategy=strategy, as_at=as_at, taken_by=taken_by, note=note)
    Meeting.objects.filter(pk__in=meetings).update(snapshot=retaken)
    return retaken


def snapshot_stated_take(*, strategy: Strategy) -> Snapshot | None:
    """The snapshot a published plan states its ratings were accurate as at, taken once."""
    if strategy.ratings_as_at is None:
        return None
    existing = Snapshot.objects.filter(strategy=strategy, as_at=strategy.ratings_as_at).first()
    return existing or snapshot_take(strategy=strategy, as_at=strategy.ratings_as_at, note="Ratings as stated in the published plan.")


def board_report_render(report: BoardReport) -> BoardReport:
    """Render a requested pack and store it; safe to run twice or concurrently for the same request.

    A PostgreSQL advisory lock held for the render means one worker renders
    a request at a time; a worker that dies releases it with its connection,
    so a redelivered task can take over. A request already ready is left alone.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [BOARD_REPORT_LOCK, report.pk])
        if not cursor.fetchone()[0]:
            return report  # another worker is rendering it right now
    try:
        report.refresh_from_db()
        if report.status == BoardReport.Status.READY:
            return report
        BoardReport.objects.filter(pk=report.pk).update(
            status=BoardReport.Status.RENDERING,
            stage=BoardReport.Stage.READING,
            attempts=F("attempts") + 1,
            started_at=timezone.now(),
            error="",
        )
        started = time.monotonic()
        html = board_pack_html(report.snapshot, report.meeting)
        from governance.pdf import render_pdf  # WeasyPrint loads at the first render, not at every start-up

        rendered = render_pdf(html, on_stage=lambda stage: BoardReport.objects.filter(pk=report.pk).update(stage=stage))
        file_name = f"board-report-{report.pk}.pdf"
        folder = Path(settings.PRIVATE_MEDIA_ROOT) / "board-reports"
        folder.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file, and a second
        # render of the same request replaces it rather than adding another.
        partial = folder / f".{file_name}.{os.getpid()}.part"
        partial.write_bytes(rendered.content)
        os.replace(partial, folder / file_name)
        BoardReport.objects.filter(pk=report.pk).update(
            status=BoardReport.Status.READY,
            file_name=file_name,
            page_count=rendered.page_count,
            render_seconds=round(time.monotonic() - started, 2),
            finished_at=timezone.now(),
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [BOARD_REPORT_LOCK, report.pk])
    report.refresh_from_db()
    return report


def board_report_fail(report: BoardReport, error: str) -> None:
    BoardReport.objects.filter(pk=report.pk).exclude(status=BoardReport.Status.READY).update(
        status=BoardReport.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


# What the officer is told, and the failed pack says, when the broker does not take the render.
NOT_QUEUED = "The pack could not be queued: the background service did not answer. Try again in a few minutes."
# Publishing to a broker that is down: a few quick tries, so the officer is answered in seconds.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# Times housekeeping queues a stuck pack again before failing it.
MAX_REQUEUES = 2


class BoardReportNotQueuedError(Exception):
    """The broker refused the render; the pack has been marked failed, so nothing waits for ever."""

    def __init__(self, report_id: int) -> None:
        super().__init__(NOT_QUEUED)
        self.report_id = report_id


def board_report_enqueue(report_id: int, *, raise_if_refused: bool = True) -> bool:
    """Hand a committed pack's render to the broker; a refusal fails the pack rather than leaving it queued."""
    from kombu.exceptions import KombuError

    from governance.tasks import render_board_report

    try:
        render_board_report.apply_async(args=[report_id], retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except (KombuError, OSError) as exc:
        BoardReport.objects.filter(pk=report_id).exclude(status=BoardReport.Status.READY).update(
            status=BoardReport.Status.FAILED, error=NOT_QUEUED, finished_at=timezone.now()
        )
        if raise_if_refused:
            raise BoardReportNotQueuedError(report_id) from exc
        return False
    return True


def board_report_send(report_id: int) -> None:
    """Send a new pack's render once its row is committed: now, or when the caller's transaction commits.

    Raises BoardReportNotQueuedError (the pack failed) when sent now and the broker refuses it.
    """
    if connection.in_atomic_block:
        # Inside the caller's transaction: the worker must not look for the row before it is committed.
        transaction.on_commit(lambda: board_report_enqueue(report_id, raise_if_refused=False))
    else:
        board_report_enqueue(report_id)


def board_report_request(
    *, snapshot: Snapshot, user: User, meeting: Meeting | None = None, enqueue: Callable[[int], None] | None = None
) -> tuple[BoardReport, bool]:
    """Queue a pack for a snapshot, or return the one already queued or rendering (no duplicate work).

    `enqueue` starts the render of a new request's id, after the request is committed; by default
    `board_report_send`, which raises BoardReportNotQueuedError, the pack marked failed, when the
    broker does not take it.
    """
    with transaction.atomic():
        Snapshot.objects.select_for_update().get(pk=snapshot.pk)
        pending = BoardReport.objects.filter(
            snapshot=snapshot, meeting=meeting, status__in=[BoardReport.Status.QUEUED, BoardReport.Status.RENDERING]
        ).first()
        if pending:
            return pending, False
        report = BoardReport.objects.create(strategy=snapshot.strategy, snapshot=snapshot, meeting=meeting, requested_by=user)
    (enqueue or board_report_send)(report.pk)
    return report, True


def board_report_stop(report: BoardReport, *, user: User) -> None:
    """An officer gives up on a pack stuck past its time limit, to ask for it again."""
    waited = timesince(report.pending_since(), timezone.now())
    BoardReport.objects.filter(pk=report.pk, status__in=[BoardReport.Status.QUEUED, BoardReport.Status.RENDERING]).update(
        status=BoardReport.Status.FAILED,
        error=f"Stopped by {user.get_full_name() or user.get_username()} after waiting {waited}, to try again.",
        finished_at=timezone.now(),
    )


def board_reports_housekeep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Queue again, or fail, packs stuck in queued or rendering for longer than their time limit.

    A render that outlives its hard time limit has lost its worker (the limit
    kills it otherwise); a pack queued for longer than BOARD_REPORT_QUEUE_LIMIT
    has lost its message. Each is queued again up to MAX_REQUEUES times, then
    failed, with what happened in its error for the page to show. Safe to run
    twice at once: each pack is claimed under a row lock.
    """
    now = now or timezone.now()
    render_cutoff = now - dt.timedelta(seconds=settings.BOARD_REPORT_RENDER_LIMIT)
    queue_cutoff = now - dt.timedelta(seconds=settings.BOARD_REPORT_QUEUE_LIMIT)
    stuck = BoardReport.objects.filter(
        Q(status=BoardReport.Status.RENDERING, started_at__lt=render_cutoff)
        | Q(status=BoardReport.Status.QUEUED, queued_at__lt=queue_cutoff)
    ).values_list("pk", flat=True)
    requeued, failed = [], 0
    for report_id in list(stuck[:500]):
        with transaction.atomic():
            report = BoardReport.objects.select_for_update(skip_locked=True).filter(pk=report_id).first()
            if report is None or not report.is_overdue(now):
                continue
            since = timezone.localtime(report.pending_since())
            if report.status == BoardReport.Status.RENDERING:
                what = f"The render that started at {since:%H:%M} on {since:%-d %B} did not finish"
            else:
                what = f"The pack waited in the queue from {since:%H:%M} on {since:%-d %B} without being started"
            if report.requeues < MAX_REQUEUES:
                BoardReport.objects.filter(pk=report.pk).update(
                    status=BoardReport.Status.QUEUED,
                    queued_at=now,
                    requeues=F("requeues") + 1,
                    error=f"{what}: it was queued again at {timezone.localtime(now):%H:%M}.",
                )
                requeued.append(report)
            else:
                BoardReport.objects.filter(pk=report.pk).update(
                    status=BoardReport.Status.FAILED,
                    finished_at=now,
                    error=f"{what}, after {report.requeues + 1} tries. Try again; if it keeps happening, tell your administrator.",
                )
                failed += 1
    sent = sum(board_report_enqueue(report.pk, raise_if_refused=False) for report in requeued)
    return {"requeued": sent, "failed": failed + len(requeued) - sent}


def boards_from_details(strategy: Strategy, items: list[dict]) -> None:
    """Create or refresh the partnership's governance groups as a plan document lists them."""
    for position, item in enumerate(items, start=1):
        Board.objects.update_or_create(
            partnership=strategy.partnership,
            name=item["name"],
            defaults={
                "purpose": item.get("purpose", ""),
                "chair_role": item.get("chair_role", ""),
                "cadence": item.get("cadence", ""),
                "position": position,
            },
        )


def meetings_remind(*, today: dt.date) -> int:
    """Remind owners to update, and signatories to sign off, before each scheduled meeting's papers deadline (once each)."""
    queued = 0
    meetings = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED,
        papers_deadline__gte=today,
        papers_deadline__lte=today + dt.timedelta(days=settings.REMIND_DAYS_BEFORE),
    ).select_related("strategy", "board")
    for meeting in meetings:  # a handful: the meetings due in the next few days
        queued += reminders_queue(
            strategy=meeting.strategy, deadline=meeting.papers_deadline, days_before=settings.REMIND_DAYS_BEFORE, today=today
        )
        queued += sign_off_reminders_queue(meeting=meeting, days_before=settings.REMIND_DAYS_BEFORE, today=today)
    return queued


# Evidence packs -------------------------------------------------------------------------------


def evidence_pack_request(
    *, strategy: Strategy, user: User, finding: Finding | None = None, enqueue: Callable[[int], None] | None = None
) -> tuple[EvidencePack, bool]:
    """Queue an evidence pack for one finding or all, or return the one already queued or producing (no duplicate work).

    `enqueue` starts a new request's job by its id; by default the task is sent once the request commits.
    """
    from governance.tasks import produce_evidence_pack

    with transaction.atomic():
        Strategy.objects.select_for_update().get(pk=strategy.pk)
        pending = EvidencePack.objects.filter(
            strategy=strategy, finding=finding, status__in=[EvidencePack.Status.QUEUED, EvidencePack.Status.RENDERING]
        ).first()
        if pending:
            return pending, False
        pack = EvidencePack.objects.create(strategy=strategy, finding=finding, requested_by=user)
        (enqueue or produce_evidence_pack.delay_on_commit)(pack.pk)
    return pack, True


def evidence_pack_produce(pack: EvidencePack) -> EvidencePack:
    """Produce a requested pack's ZIP and PDF; safe to run twice or concurrently for the same request.

    Only what the requester may see goes in: the strategy's own actions and
    their evidence, and nothing at all once they have left the partnership.
    """
    with job_lock(EVIDENCE_PACK_LOCK, pack.pk) as locked:
        if not locked:
            return pack  # another worker is producing it right now
        pack.refresh_from_db()
        if pack.status == EvidencePack.Status.READY:
            return pack
        EvidencePack.objects.filter(pk=pack.pk).update(
            status=EvidencePack.Status.RENDERING, attempts=F("attempts") + 1, started_at=timezone.now(), error=""
        )
        strategy = Strategy.objects.select_related("partnership").get(pk=pack.strategy_id)
        requester = User.objects.prefetch_related("memberships").filter(pk=pack.requested_by_id).first()
        if requester is None or membership_for(requester, strategy.partnership_id) is None:
            raise PermissionError("The person who asked for this pack no longer belongs to the partnership.")
        started = time.monotonic()
        context = evidence_pack_context(strategy, [pack.finding_id] if pack.finding_id else None)
        folder = Path(settings.PRIVATE_MEDIA_ROOT) / "evidence-packs"
        counts: dict[str, int] = {}

        def write_zip(path: Path) -> None:
            counts["included"], counts["left_out"] = evidence_zip_write(context["entries"], path)

        zip_path = private_file_replace(folder, f"evidence-pack-{pack.pk}.zip", write_zip)
        # The PDF's index says where each file went, so it is rendered after the archive.
        from governance.pdf import render_pdf  # WeasyPrint loads at the first render, not at every start-up

        rendered = render_pdf(evidence_pack_html(context))
        private_file_replace(folder, f"evidence-pack-{pack.pk}.pdf", lambda path: path.write_bytes(rendered.content))
        EvidencePack.objects.filter(pk=pack.pk).update(
            status=EvidencePack.Status.READY,
            pdf_name=f"evidence-pack-{pack.pk}.pdf",
            zip_name=zip_path.name,
            page_count=rendered.page_count,
            file_count=counts["included"],
            left_out_count=counts["left_out"],
            zip_bytes=zip_path.stat().st_size,
            render_seconds=round(time.monotonic() - started, 2),
            finished_at=timezone.now(),
        )
    pack.refresh_from_db()
    return pack


def evidence_pack_fail(pack: EvidencePack, error: str) -> None:
    EvidencePack.objects.filter(pk=pack.pk).exclude(status=EvidencePack.Status.READY).update(
        status=EvidencePack.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
