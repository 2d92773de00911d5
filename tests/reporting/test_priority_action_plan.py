"""The priority action plan: each area for priority action with the actions that answer it and its measures, as Word and PDF."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from actions.models import Milestone
from governance.models import Finding
from tests.kpis.conftest import add_value
from tests.reporting.documents import produce, word_fonts

pytestmark = pytest.mark.django_db


def test_the_plan_sets_out_each_area_with_its_actions_owners_and_measures(client, officer, strategy, finding, indicator, inspection):
    Finding.objects.create(inspection=inspection, kind=Finding.Kind.IMPROVEMENT, number=1, text="An area for improvement only.")
    finding.indicators.add(indicator)
    add_value(indicator, "2024-12", "41")
    add_value(indicator, "2025-05", "63")
    client.force_login(officer)
    content = produce(client, strategy, "priority_action_plan", "docx")
    assert word_fonts(content) == {"Arial"}  # the product's type, as in its pages and PDFs
    document = Document(io.BytesIO(content))
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


def test_each_action_lists_its_milestones_in_a_table_laid_out_for_the_page(client, officer, strategy, finding, action, tmp_path):
    Milestone.objects.create(action=action, title="Audit tool <agreed>", due_date=dt.date(2025, 3, 31), done_at=timezone.now(), position=1)
    Milestone.objects.create(action=action, title="Pilot in two schools", due_date=None, position=2)
    client.force_login(officer)
    document = Document(io.BytesIO(produce(client, strategy, "priority_action_plan", "docx")))
    [table] = document.tables
    first = table.rows[1].cells[0]
    assert [p.text for p in first.paragraphs] == [
        "SP1 Strengthen oversight",
        "Milestones:",
        "Audit tool <agreed> – due March 2025, done",
        "Pilot in two schools – due To be determined",
    ]
    # The action's words take half the width, and the header row is bold and repeats on each page.
    assert [round(column.width.inches, 2) for column in table.columns] == [3.1, 1.3, 1.0, 1.1]
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None

    (tmp_path / "pap.pdf").write_bytes(produce(client, strategy, "priority_action_plan", "pdf"))
    out = subprocess.run(["pdftotext", str(tmp_path / "pap.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(out.split())
    assert "Milestones: • Audit tool <agreed> – due March 2025, done • Pilot in two schools – due To be determined" in text
