"""The self-evaluation's and the priority action plan's documents: asked for, then written in the background as jobs.

A document of a strategy with thousands of actions or narratives of the
greatest length takes time, so it is never written in the request: it is a
job on the one job path (jobs.services), with a page that shows how far it
has got, bounded by the job's time limit and by what each document holds
(at most PLAN_ROWS_PER_AREA actions an area, each field's own limit).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import User
from actions.models import Strategy
from governance.models import SelfEvaluationVersion
from jobs.models import Job
from jobs.services import JobRefusedError, job_claim, job_enqueue, job_finish
from people.access import is_officer
from people.models import Membership
from reporting.models import DocumentExport
from reporting.priority_action_plan import priority_action_plan_docx, priority_action_plan_for, priority_action_plan_pdf
from reporting.self_evaluation_docs import self_evaluation_docx, self_evaluation_pdf
from reporting.services import private_file_replace

# First key of the two-key advisory lock taken while writing a document.
DOCUMENT_LOCK = 7003


class NothingToWriteError(ValueError):
    """What was asked for does not exist (no such version, or no area for priority action); the message says which."""


def self_evaluation_version(strategy: Strategy, number: int | None) -> SelfEvaluationVersion | None:
    if number is None:
        return None
    return (
        SelfEvaluationVersion.objects.filter(self_evaluation__strategy=strategy, number=number)
        .select_related("snapshot", "self_evaluation__strategy__partnership")
        .first()
    )


def document_request(
    *,
    strategy: Strategy,
    user: User,
    kind: str,
    file_format: str,
    version_number: int | None = None,
    enqueue: Callable[[Job], None] = job_enqueue,
) -> tuple[DocumentExport, bool]:
    """Ask for a document, or return the same one already pending (no duplicate work); raises NothingToWriteError."""
    if kind == DocumentExport.Kind.SELF_EVALUATION:
        if self_evaluation_version(strategy, version_number) is None:
            raise NothingToWriteError("No such version of this self-evaluation.")
    else:
        version_number = None
        if priority_action_plan_for(strategy) is None:
            raise NothingToWriteError("No inspection of this plan has areas for priority action.")
    with transaction.atomic():
        Strategy.objects.select_for_update().get(pk=strategy.pk)
        same = DocumentExport.objects.filter(strategy=strategy, kind=kind, file_format=file_format, version_number=version_number)
        pending = same.filter(status__in=Job.PENDING).first()
        if pending:
            return pending, False
        document = DocumentExport.objects.create(
            strategy=strategy, kind=kind, file_format=file_format, version_number=version_number, requested_by=user
        )
    enqueue(document)
    return document, True


def _content(document: DocumentExport, strategy: Strategy) -> bytes:
    stage = DocumentExport.objects.filter(pk=document.pk).update
    stage(stage=DocumentExport.Stage.READING)
    if document.kind == DocumentExport.Kind.SELF_EVALUATION:
        version = self_evaluation_version(strategy, document.version_number)
        if version is None:
            raise JobRefusedError("That version of the self-evaluation no longer exists.")
        stage(stage=DocumentExport.Stage.WRITING)
        return self_evaluation_docx(version) if document.file_format == DocumentExport.Format.DOCX else self_evaluation_pdf(version)
    plan = priority_action_plan_for(strategy)
    if plan is None:
        raise JobRefusedError("No inspection of this plan has areas for priority action any more.")
    stage(stage=DocumentExport.Stage.WRITING)
    return priority_action_plan_docx(plan) if document.file_format == DocumentExport.Format.DOCX else priority_action_plan_pdf(plan)


def document_produce(document: DocumentExport) -> DocumentExport:
    """Write a requested document and keep it; safe to run twice or concurrently for the same request.

    Only for someone who may still see it: a requester who has left the
    partnership or is no longer its officer gets nothing.
    """
    with job_claim(document, DOCUMENT_LOCK) as claimed:
        if not claimed:
            return document  # done already, or another worker is writing it right now
        strategy = Strategy.objects.select_related("partnership").get(pk=document.strategy_id)
        membership = Membership.objects.filter(user_id=document.requested_by_id, partnership_id=strategy.partnership_id).first()
        if document.requested_by_id is None or not is_officer(membership):
            raise JobRefusedError("The person who asked for this document is no longer an officer of the partnership.")
        started = time.monotonic()
        content = _content(document, strategy)
        file_name = f"document-{document.pk}.{document.file_format}"
        private_file_replace(Path(settings.PRIVATE_MEDIA_ROOT) / "documents", file_name, lambda path: path.write_bytes(content))
        job_finish(document, file_name=file_name, byte_size=len(content), render_seconds=round(time.monotonic() - started, 2))
    return document
