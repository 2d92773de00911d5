"""The pack jobs' tasks. Thin: each runs its service through jobs.tasks.job_run, which retries and fails them."""

from __future__ import annotations

from celery import shared_task

from jobs.tasks import job_run
from reporting.documents import document_produce
from reporting.models import BoardReport, DocumentExport, EvidencePack
from reporting.services import board_report_render, evidence_pack_produce

MAX_RENDER_RETRIES = 2


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=BoardReport.time_limit - 60,
    time_limit=BoardReport.time_limit,
    max_retries=MAX_RENDER_RETRIES,
)
def render_board_report(self, report_id: int) -> str:
    return job_run(self, BoardReport, report_id, board_report_render, failed="The pack could not be produced")


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=EvidencePack.time_limit - 60,
    time_limit=EvidencePack.time_limit,
    max_retries=MAX_RENDER_RETRIES,
)
def produce_evidence_pack(self, pack_id: int) -> str:
    return job_run(self, EvidencePack, pack_id, evidence_pack_produce, failed="The evidence pack could not be produced")


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=DocumentExport.time_limit - 60,
    time_limit=DocumentExport.time_limit,
    max_retries=MAX_RENDER_RETRIES,
)
def produce_document(self, document_id: int) -> str:
    return job_run(self, DocumentExport, document_id, document_produce, failed="The document could not be written")
