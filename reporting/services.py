"""Board packs and evidence packs: ask for one, and produce it. Each is a job (jobs.services queues, claims and heals it)."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.timesince import timesince

from accounts.models import User
from actions.models import Snapshot, Strategy
from governance.calendar import meeting_pack_snapshot_record
from governance.models import Finding, Meeting, SignOffEvent
from governance.signoff import sign_off_changes_since
from jobs.models import Job
from jobs.services import JobRefusedError, job_claim, job_enqueue, job_finish, job_stop
from people.access import membership_for
from reporting.evidence import evidence_pack_context, evidence_pack_html, evidence_zip_write
from reporting.for_decision import officer_items_from
from reporting.models import BoardReport, EvidencePack
from reporting.report import board_pack_html

# First key of the two-key advisory locks taken while rendering a board report or an evidence pack.
BOARD_REPORT_LOCK = 7001
EVIDENCE_PACK_LOCK = 7002


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


def earlier_board_of(snapshot: Snapshot, meeting: Meeting | None) -> Meeting | None:
    """The earlier board that was shown `snapshot`, when a pack for `meeting` (later, with no snapshot of its own yet)
    would be built from it: the last board's ratings, not this cycle's. None when the pair is right."""
    if meeting is None or meeting.snapshot_id:
        return None
    return Meeting.objects.filter(snapshot=snapshot, date__lt=meeting.date).select_related("board").order_by("-date").first()


def stale_snapshot_message(snapshot: Snapshot, earlier: Meeting, meeting: Meeting) -> str:
    """Why a pack for `meeting` should not be built from `snapshot`, which `earlier` was shown (`earlier_board_of`)."""
    return (
        f"The snapshot of {snapshot.as_at:%-d %B %Y} is the one the {earlier.date:%-d %B %Y} board saw. Take a snapshot for "
        f"the {meeting.date:%-d %B %Y} board first, so that its pack shows the updates made since."
    )


@dataclass(frozen=True)
class PackBehind:
    """A meeting's latest pack, and the partners' sign-off changes since it was asked for, which it does not show."""

    report: BoardReport
    changes: list[SignOffEvent]


def packs_behind_sign_off(strategy: Strategy, today: dt.date, meeting: Meeting | None = None) -> list[PackBehind]:
    """The latest pack of each meeting still to come (of `meeting` alone when given), when a sign-off has changed since
    it was asked for: producing the pack again shows the sign-off as it stands (the earlier pack is kept as issued).
    Not while a newer pack is still being produced. Two queries whatever the number of meetings."""
    packs = BoardReport.objects.filter(strategy=strategy, meeting__date__gte=today).exclude(status=Job.Status.FAILED)
    if meeting is not None:
        packs = packs.filter(meeting=meeting)
    latest: dict[int, BoardReport] = {}
    for report in packs.select_related("snapshot", "meeting__board").order_by("-requested_at", "-id"):
        latest.setdefault(report.meeting_id, report)
    ready = {meeting_id: report for meeting_id, report in latest.items() if report.status == Job.Status.READY}
    changes = sign_off_changes_since({meeting_id: report.requested_at for meeting_id, report in ready.items()})
    return [PackBehind(report, changes[meeting_id]) for meeting_id, report in ready.items() if meeting_id in changes]


def board_report_request(
    *,
    snapshot: Snapshot,
    user: User,
    meeting: Meeting | None = None,
    enqueue: Callable[[Job], None] = job_enqueue,
    for_decision: str = "",
) -> tuple[BoardReport, bool]:
    """Ask for a pack of a snapshot, or return the one already pending (no duplicate work). A pack for a meeting with no
    snapshot chosen yet records this one as the meeting's (`meeting_pack_snapshot_record`).

    `enqueue` hands the new pack to the background service once it is committed (jobs.services.job_enqueue:
    a broker that is down leaves it waiting, and it starts by itself when the broker is back).
    """
    with transaction.atomic():
        Snapshot.objects.select_for_update().get(pk=snapshot.pk)
        pending = BoardReport.objects.filter(snapshot=snapshot, meeting=meeting, status__in=Job.PENDING).first()
        if pending:
            return pending, False
        report = BoardReport.objects.create(
            strategy=snapshot.strategy, snapshot=snapshot, meeting=meeting, requested_by=user, for_decision=for_decision.strip()[:4000]
        )
        if meeting is not None:
            meeting_pack_snapshot_record(meeting=meeting, snapshot=snapshot)
    enqueue(report)
    return report, True


def board_report_render(report: BoardReport) -> BoardReport:
    """Render a requested pack and store it; safe to run twice or concurrently for the same request."""
    with job_claim(report, BOARD_REPORT_LOCK) as claimed:
        if not claimed:
            return report  # done already, or another worker is rendering it right now
        BoardReport.objects.filter(pk=report.pk).update(stage=BoardReport.Stage.READING)
        started = time.monotonic()
        # The sign-off as at the asking: a render run again (a worker lost) says what the first would have said.
        html = board_pack_html(
            report.snapshot, report.meeting, officer_items=officer_items_from(report.for_decision), sign_offs_at=report.requested_at
        )
        from reporting.pdf import render_pdf  # a heavy library, loaded at the first render rather than at every start-up

        rendered = render_pdf(html, on_stage=lambda stage: BoardReport.objects.filter(pk=report.pk).update(stage=stage))
        file_name = f"board-report-{report.pk}.pdf"
        private_file_replace(
            Path(settings.PRIVATE_MEDIA_ROOT) / "board-reports", file_name, lambda path: path.write_bytes(rendered.content)
        )
        job_finish(report, file_name=file_name, page_count=rendered.page_count, render_seconds=round(time.monotonic() - started, 2))
    return report


def board_report_stop(report: BoardReport, *, user: User) -> None:
    """An officer gives up on a pack that is taking too long, to ask for it again."""
    waited = timesince(report.pending_since(), timezone.now())
    job_stop(report, reason=f"Stopped by {user.get_full_name() or user.get_username()} after waiting {waited}, to try again.")


def evidence_pack_request(
    *, strategy: Strategy, user: User, finding: Finding | None = None, enqueue: Callable[[Job], None] = job_enqueue
) -> tuple[EvidencePack, bool]:
    """Ask for an evidence pack for one finding or all, or return the one already pending (no duplicate work)."""
    with transaction.atomic():
        Strategy.objects.select_for_update().get(pk=strategy.pk)
        pending = EvidencePack.objects.filter(strategy=strategy, finding=finding, status__in=Job.PENDING).first()
        if pending:
            return pending, False
        pack = EvidencePack.objects.create(strategy=strategy, finding=finding, requested_by=user)
    enqueue(pack)
    return pack, True


def evidence_pack_produce(pack: EvidencePack) -> EvidencePack:
    """Produce a requested pack's ZIP and PDF; safe to run twice or concurrently for the same request.

    Only what the requester may see goes in: the strategy's own actions and
    their evidence, and nothing at all once they have left the partnership.
    """
    with job_claim(pack, EVIDENCE_PACK_LOCK) as claimed:
        if not claimed:
            return pack  # done already, or another worker is producing it right now
        strategy = Strategy.objects.select_related("partnership").get(pk=pack.strategy_id)
        requester = User.objects.filter(pk=pack.requested_by_id).first()
        if requester is None or membership_for(requester, strategy.partnership_id) is None:
            raise JobRefusedError("The person who asked for this pack no longer belongs to the partnership.")
        started = time.monotonic()
        context = evidence_pack_context(strategy, [pack.finding_id] if pack.finding_id else None)
        folder = Path(settings.PRIVATE_MEDIA_ROOT) / "evidence-packs"
        counts: dict[str, int] = {}

        def write_zip(path: Path) -> None:
            counts["included"], counts["left_out"] = evidence_zip_write(context["entries"], path)

        zip_path = private_file_replace(folder, f"evidence-pack-{pack.pk}.zip", write_zip)
        # The PDF's index says where each file went, so it is rendered after the archive.
        from reporting.pdf import render_pdf  # a heavy library, loaded at the first render rather than at every start-up

        rendered = render_pdf(evidence_pack_html(context))
        private_file_replace(folder, f"evidence-pack-{pack.pk}.pdf", lambda path: path.write_bytes(rendered.content))
        job_finish(
            pack,
            pdf_name=f"evidence-pack-{pack.pk}.pdf",
            zip_name=zip_path.name,
            page_count=rendered.page_count,
            file_count=counts["included"],
            left_out_count=counts["left_out"],
            zip_bytes=zip_path.stat().st_size,
            render_seconds=round(time.monotonic() - started, 2),
        )
    return pack
