"""A document asked for on the page is written by a real worker through a real Redis broker, and its page follows it."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from reporting.models import DocumentExport
from tests.worker import Worker, redis_url_or_skip, use_broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_writes_the_priority_action_plan_the_officer_asked_for(client, officer, strategy, finding, tmp_path, settings):
    broker = redis_url_or_skip()
    private = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT = private
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as deployed: the request hands the job to the broker
    client.force_login(officer)
    with use_broker(broker):
        response = client.post(
            reverse("reporting:document_request", args=[strategy.pk]), {"kind": "priority_action_plan", "format": "docx"}
        )
    document = DocumentExport.objects.get()
    assert response.url == reverse("reporting:document_detail", args=[document.pk]) and document.status == "queued"
    assert "Queued" in client.get(response.url, headers={"HX-Request": "true"}).content.decode()

    worker = Worker(broker, tmp_path / "worker.log", PRIVATE_MEDIA_ROOT=str(private))
    try:
        wait_for(lambda: DocumentExport.objects.get(pk=document.pk).status == "ready", "the document", [worker.log])
    finally:
        worker.stop()
    document.refresh_from_db()
    assert document.attempts == 1 and document.stage == "writing" and document.byte_size > 0
    assert "The document is ready" in client.get(response.url).content.decode()
    download = client.get(reverse("reporting:document_download", args=[document.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(download.streaming_content))).paragraphs)
    assert "Improve the timeliness of EHC needs assessments." in text
