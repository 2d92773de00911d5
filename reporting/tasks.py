"""The pack jobs' tasks. Thin: each runs its service through jobs.tasks.job_run, which retries and fails them."""

from __future__ import annotations

from jobs.tasks import job_run, job_task
from reporting.documents import document_produce
from reporting.models import BoardReport, DocumentExport, EvidencePack
from reporting.services import board_report_render, evidence_pack_produce

MAX_RENDER_RETRIES = 2


@job_task(BoardReport, max_retries=MAX_RENDER_RETRIES)
def render_board_report(self, report_id: int) -> str:
    return job_run(self, BoardReport, report_id, board_report_render, failed="The pack could not be produced")


@job_task(EvidencePack, max_retries=MAX_RENDER_RETRIES)
def produce_evidence_pack(self, pack_id: int) -> str:
    return job_run(self, EvidencePack, pack_id, evidence_pack_produce, failed="The evidence pack could not be produced")


@job_task(DocumentExport, max_retries=MAX_RENDER_RETRIES)
def produce_document(self, document_id: int) -> str:
    return job_run(self, DocumentExport, document_id, document_produce, failed="The document could not be written")
