"""The priority action plan: each area for priority action with the actions that answer it and its measures, as Word and PDF."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from actions.models import Action, Milestone
from governance.models import Finding
from governance.self_evaluation import self_evaluation_draft
from reporting.priority_action_plan import priority_action_plan_for, priority_action_plan_pdf
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
    assert "41% at the inspection (December 2024); 63% now (May 2025)" in text


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
    assert [round(column.width.inches, 2) for column in table.columns] == [3.0, 1.2, 1.0, 1.05]
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # An action's row is kept whole on a page, never split with its due date on one page and its words on the next.
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows[1:])

    (tmp_path / "pap.pdf").write_bytes(produce(client, strategy, "priority_action_plan", "pdf"))
    out = subprocess.run(["pdftotext", str(tmp_path / "pap.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(out.split())
    assert "Milestones: • Audit tool <agreed> – due March 2025, done • Pilot in two schools – due To be determined" in text


def test_in_the_pdf_each_action_s_row_stays_whole_on_one_page(strategy, finding, action, group, level, tmp_path):
    """A row split at a page's foot put its due date on one page and its words on the next."""
    for number in range(2, 13):
        extra = Action.objects.create(
            strategy=strategy,
            group=group,
            ref=f"EX{number}",
            text=f"Step {number}: " + "agree with schools and the ICB how the panel's decisions are explained to families. " * 6,
            due_date=dt.date(2026, 3, 31),
            due_precision=Action.DuePrecision.MONTH,
            due_text="March 2026",
            rating=level("amber"),
        )
        finding.actions.add(extra)
    pdf = tmp_path / "pap.pdf"
    pdf.write_bytes(priority_action_plan_pdf(priority_action_plan_for(strategy)))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    assert pages >= 2
    for page in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True).stdout
        # Every row on the page has its ref and its due month there: as many of one as of the other.
        assert len(re.findall(r"\bEX\d+ Step", text)) == text.count("March 2026"), f"a row split at the foot of page {page}"


def test_the_word_copies_are_a4_with_the_plan_s_table_between_the_margins(client, officer, strategy, finding):
    """UK partnerships print on A4: a Word copy on US Letter had the printer ask for other paper, its table past the margin."""
    self_evaluation_draft(strategy, user=officer, snapshot=None)
    client.force_login(officer)
    plan = Document(io.BytesIO(produce(client, strategy, "priority_action_plan", "docx")))
    self_evaluation = Document(io.BytesIO(produce(client, strategy, "self_evaluation", "docx", 1)))
    for document in (plan, self_evaluation):
        [section] = document.sections
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        assert round(section.left_margin.mm, 1) == round(section.right_margin.mm, 1) == 25.4
    [section], [table] = plan.sections, plan.tables
    assert sum(column.width for column in table.columns) <= section.page_width - section.left_margin - section.right_margin


def test_each_word_copy_names_the_partnership_as_its_pdf_does(client, officer, strategy, finding):
    """The Word copies named the partnership only in their properties: a copy circulated said whose plan it was nowhere."""
    self_evaluation_draft(strategy, user=officer, snapshot=None)
    client.force_login(officer)
    partnership = strategy.partnership.name
    plan = Document(io.BytesIO(produce(client, strategy, "priority_action_plan", "docx")))
    self_evaluation = Document(io.BytesIO(produce(client, strategy, "self_evaluation", "docx", 1)))
    assert plan.paragraphs[1].text.startswith(f"{partnership}. Answering the areas for priority action")
    assert self_evaluation.paragraphs[1].text.startswith(f"{partnership}. Version 1 ")


def test_each_word_copy_numbers_its_pages_as_its_pdf_does(client, officer, strategy, finding):
    """A printed Word copy read in a meeting had no page numbers: "Page 2 of 7" at the foot of each page, as the PDFs."""
    self_evaluation_draft(strategy, user=officer, snapshot=None)
    client.force_login(officer)
    for kind, version in (("priority_action_plan", None), ("self_evaluation", 1)):
        document = Document(io.BytesIO(produce(client, strategy, kind, "docx", *([version] if version else []))))
        [section] = document.sections
        footer = section.footer.paragraphs[0]
        fields = [f.get(qn("w:instr")) for f in footer._p.iter(qn("w:fldSimple"))]
        assert fields == ["PAGE", "NUMPAGES"] and "".join(t.text for t in footer._p.iter(qn("w:t"))) == "Page 1 of 1"


def test_the_word_copy_says_where_each_action_stands_in_the_pdf_s_words(client, officer, strategy, finding, action):
    """The Word copy said "Amber (on track but overdue)" where the PDF says "Amber, on track but overdue": one wording."""
    Action.objects.filter(pk=action.pk).update(due_date=timezone.localdate() - dt.timedelta(days=40))
    finding.actions.add(action)
    client.force_login(officer)
    plan = Document(io.BytesIO(produce(client, strategy, "priority_action_plan", "docx")))
    [table] = plan.tables
    stands = table.rows[1].cells[3].text
    assert stands.startswith(f"{action.rating.label}, ") and "(" not in stands
    pdf = priority_action_plan_pdf(priority_action_plan_for(strategy))
    assert stands in subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode().replace("\n", " ")
