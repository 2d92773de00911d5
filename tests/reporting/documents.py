"""Produce a self-evaluation or priority action plan document as an officer does: ask, follow to its page, download."""

from __future__ import annotations

import io
import re
import zipfile

from django.urls import reverse

from reporting.models import DocumentExport
from reporting.tasks import produce_document


def produce(client, strategy, kind: str, file_format: str, version: int | None = None) -> bytes:
    """Ask for the document, see its page wait for it, run the job as a worker would, see it ready, and download it."""
    data = {"kind": kind, "format": file_format, **({"version": str(version)} if version else {})}
    response = client.post(reverse("reporting:document_request", args=[strategy.pk]), data)
    assert response.status_code == 302, response
    document = DocumentExport.objects.filter(strategy=strategy, kind=kind, file_format=file_format).first()
    assert response.url == reverse("reporting:document_detail", args=[document.pk])
    waiting = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-hx-trigger="every 1s"' in waiting and "Queued" in waiting
    produce_document.apply(args=[document.pk])
    document.refresh_from_db()
    assert document.status == DocumentExport.Status.READY, document.error
    page = client.get(response.url).content.decode()
    assert "The document is ready" in page and "data-hx-trigger" not in page
    download = client.get(reverse("reporting:document_download", args=[document.pk]))
    assert download.status_code == 200 and download["Content-Disposition"] == f'attachment; filename="{document.download_name()}"'
    return b"".join(download.streaming_content)


def word_fonts(content: bytes) -> set[str]:
    """Every font a Word document's defaults, styles and text name, "a theme font" among them where one is left (in Word a
    theme font outranks a named one, so the document would open in the template's Cambria and Calibri)."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        xml = package.read("word/styles.xml").decode() + package.read("word/document.xml").decode()
    named = set(re.findall(r'w:(?:ascii|hAnsi|cs)="([^"]+)"', xml))
    return named | ({"a theme font"} if re.search(r'w:(?:asciiTheme|hAnsiTheme|eastAsiaTheme|cstheme)="', xml) else set())
