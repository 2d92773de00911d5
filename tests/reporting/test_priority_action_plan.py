"""The priority action plan: each area for priority action with the actions that answer it and its measures, as Word and PDF."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.urls import reverse
from docx import Document

from governance.models import Finding
from tests.kpis.conftest import add_value
from tests.reporting.documents import produce

pytestmark = pytest.mark.django_db


def test_the_plan_sets_out_each_area_with_its_actions_owners_and_measures(client, officer, strategy, finding, indicator, inspection):
    Finding.objects.create(inspection=inspection, kind=Finding.Kind.IMPROVEMENT, number=1, text="An area for improvement only.")
    finding.indicators.add(indicator)
    add_value(indicator, "2024-12", "41")
    add_value(indicator, "2025-05", "63")
    client.force_login(officer)
    document = Document(io.BytesIO(produce(client, strategy, "priority_action_plan", "docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Priority action 1" in text and "Improve the timeliness of EHC needs assessments." in text
    assert "An area for improvement only." not in text
    assert "SP1 Strengthen oversight" in cells and "September 2025" in cells
    assert "41% at the inspection (2024-12); 63% now (2025-05)" in text


def test_the_plan_as_a_tagged_pdf(client, officer, strategy, finding, tmp_path):
    client.force_login(officer)
    content = produce(client, strategy, "priority_action_plan", "pdf")
    assert content.startswith(b"%PDF")
    (tmp_path / "pap.pdf").write_bytes(content)
    out = subprocess.run(["pdftotext", str(tmp_path / "pap.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(out.split())
    assert "Priority action 1" in text and "Improve the timeliness of EHC needs assessments." in text
    assert "SP1" in text and "Strengthen oversight" in text


def test_no_plan_without_an_area_for_priority_action(client, officer, strategy):
    client.force_login(officer)
    request = reverse("reporting:document_request", args=[strategy.pk])
    assert client.post(request, {"kind": "priority_action_plan", "format": "docx"}).status_code == 404
    assert client.get(reverse("reporting:priority_action_plan_page", args=[strategy.pk])).url == reverse(
        "reporting:findings", args=[strategy.pk]
    )
