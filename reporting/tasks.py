from __future__ import annotations

import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from actions.tasks import TRANSIENT_DATABASE_RETRIES
from reporting.models import BoardReport, EvidencePack
from reporting.services import (
    board_report_fail,
    board_report_render,
    board_reports_housekeep,
    evidence_pack_fail,
    evidence_pack_produce,
)

MAX_RENDER_RETRIES = 2


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    max_retries=MAX_RENDER_RETRIES,
)
def render_board_report(self, report_id: int) -> str:
    report = BoardReport.objects.select_related("snapshot__strategy", "meeting__board").filter(pk=report_id).first()
    if report is None or report.status == BoardReport.Status.READY:
        return "nothing to do"
    try:
        board_report_render(report)
    except SoftTimeLimitExceeded:
        board_report_fail(report, "The report took too long to render.")
        raise
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            board_report_fail(report, f"The report could not be rendered: {exc}")
            return "failed"
        BoardReport.objects.filter(pk=report_id).update(
            status=BoardReport.Status.QUEUED, queued_at=timezone.now(), error=f"Retrying after: {exc}"
        )
        if self.request.is_eager:
            # In-process (no broker): try again now; raising Retry would surface in the officer's request.
            return render_board_report.apply(args=[report_id], retries=self.request.retries + 1).result
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1) + random.uniform(0, 1)) from exc
    return "ready"


@shared_task(bind=True, acks_late=True, soft_time_limit=540, time_limit=600, max_retries=MAX_RENDER_RETRIES)
def produce_evidence_pack(self, pack_id: int) -> str:
    pack = EvidencePack.objects.filter(pk=pack_id).first()
    if pack is None or pack.status == EvidencePack.Status.READY:
        return "nothing to do"
    try:
        evidence_pack_produce(pack)
    except SoftTimeLimitExceeded:
        evidence_pack_fail(pack, "The evidence pack took too long to produce.")
        raise
    except PermissionError as exc:
        evidence_pack_fail(pack, str(exc))
        return "failed"
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            evidence_pack_fail(pack, f"The evidence pack could not be produced: {exc}")
            return "failed"
        EvidencePack.objects.filter(pk=pack_id).update(status=EvidencePack.Status.QUEUED, error=f"Retrying after: {exc}")
        if self.request.is_eager:
            return produce_evidence_pack.apply(args=[pack_id], retries=self.request.retries + 1).result
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1) + random.uniform(0, 1)) from exc
    return "ready"


@shared_task(**TRANSIENT_DATABASE_RETRIES)
def housekeep_board_reports() -> dict:
    """Every few minutes (beat; governance.schedule lists every periodic task): packs stuck past their limits."""
    return board_reports_housekeep()
