"""The self-evaluation as Word and PDF, and an edited Word copy read back into a new version after a preview."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from governance import framework
from governance.models import SelfEvaluationVersion
from governance.self_evaluation import self_evaluation_draft, self_evaluation_save
from tests.reporting.documents import produce, word_fonts

pytestmark = pytest.mark.django_db

HOSTILE = 'Evidence <w:fldSimple w:instr="INCLUDEPICTURE http://evil.example/x"/> & {{ not a template }}\x07 end'


@pytest.fixture
def version(officer, strategy):
    self_evaluation_draft(strategy, user=officer, snapshot=None)
    return self_evaluation_save(strategy, user=officer, base=1, texts={"E1": {"strengths": "Panels meet weekly", "evidence": HOSTILE}})


def download(client, officer, strategy, number: int, kind: str) -> bytes:
    client.force_login(officer)
    return produce(client, strategy, "self_evaluation", kind, number)


def test_the_word_copy_has_a_section_per_strand_with_the_officers_words(client, officer, strategy, version):
    content = download(client, officer, strategy, version.number, "docx")
    assert word_fonts(content) == {"Arial"}  # the product's type, as in its pages and PDFs
    document = Document(io.BytesIO(content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{s.code}: {s.statement}" for s in framework.STRANDS]
    text = [p.text for p in document.paragraphs]
    assert "Panels meet weekly" in text
    assert any(framework.EDITION in line for line in text)


def test_user_text_stays_text_in_the_word_copy_no_fields_links_or_macros(client, officer, strategy, version):
    content = download(client, officer, strategy, version.number, "docx")
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        names = package.namelist()
        body = package.read("word/document.xml").decode()
        rels = package.read("word/_rels/document.xml.rels").decode()
    assert "<w:fldSimple" not in body and "&lt;w:fldSimple" in body
    assert "instrText" not in body and "hyperlink" not in rels.lower() and "evil.example" not in rels
    assert not [name for name in names if "vbaProject" in name]
    document = Document(io.BytesIO(content))
    assert any(p.text.startswith("Evidence <w:fldSimple") and p.text.endswith("end") for p in document.paragraphs)


@pytest.mark.skipif(
    shutil.which("soffice") is None and os.environ.get("CI") != "true",
    reason="LibreOffice (soffice) is not installed on this machine; .ci/run installs it, so under CI this runs",
)
def test_the_word_copy_opens_in_libreoffice(client, officer, strategy, version, tmp_path):
    path = tmp_path / "self-evaluation.docx"
    path.write_bytes(download(client, officer, strategy, version.number, "docx"))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    pdf = tmp_path / "self-evaluation.pdf"
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "E1: Children and young people" in text and "Panels meet weekly" in text and "L6: Leaders create" in text
    # Set in a sans-serif throughout (Arial, or the Liberation Sans that stands in for it), never the template's serif.
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Sans" in fonts and "Serif" not in fonts, fonts


def test_the_pdf_is_tagged_and_carries_each_strand(client, officer, strategy, version, tmp_path):
    content = download(client, officer, strategy, version.number, "pdf")
    assert "/StructTreeRoot" in PdfReader(io.BytesIO(content)).trailer["/Root"]
    (tmp_path / "se.pdf").write_bytes(content)
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "se.pdf"), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "L5: Leaders evaluate services and make improvements." in text and "Panels meet weekly" in text


def edited_copy(content: bytes, strengths: str) -> bytes:
    document = Document(io.BytesIO(content))
    paragraphs = document.paragraphs
    for i, paragraph in enumerate(paragraphs):
        if paragraph.text == "Panels meet weekly":
            paragraph.text = strengths
            paragraphs[i].insert_paragraph_before("A second strength written in Word")
            break
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_an_edited_word_copy_becomes_a_new_version_after_a_preview(client, officer, strategy, version):
    edited = edited_copy(download(client, officer, strategy, version.number, "docx"), "Panels meet twice a week")
    url = reverse("reporting:self_evaluation_upload", args=[strategy.pk])
    preview = client.post(url, {"document": SimpleUploadedFile("se.docx", edited)})
    page = preview.content.decode()
    assert preview.status_code == 200 and "Check what the Word copy changes" in page
    assert 'Added: </span><strong aria-hidden="true">+ </strong>Panels meet twice a week' in page
    assert SelfEvaluationVersion.objects.count() == 2  # nothing saved by the preview

    confirm = page.split('name="confirm" value="', 1)[1].split('"', 1)[0]
    assert client.post(url, {"confirm": confirm}).status_code == 302
    latest = SelfEvaluationVersion.objects.get(number=3)
    e1 = latest.sections.get(strand="E1")
    assert latest.source == "uploaded"
    assert e1.strengths == "A second strength written in Word\nPanels meet twice a week"
    assert e1.evidence.startswith("Evidence <w:fldSimple")
    assert e1.draft == version.sections.get(strand="E1").draft


def test_a_version_uploaded_from_word_keeps_words_capital_on_the_page_and_in_the_next_copy(client, officer, strategy, version):
    edited = edited_copy(download(client, officer, strategy, version.number, "docx"), "Panels meet twice a week")
    url = reverse("reporting:self_evaluation_upload", args=[strategy.pk])
    page = client.post(url, {"document": SimpleUploadedFile("se.docx", edited)}).content.decode()
    confirm = page.split('name="confirm" value="', 1)[1].split('"', 1)[0]
    assert client.post(url, {"confirm": confirm}).status_code == 302
    page = client.get(reverse("governance:self_evaluation", args=[strategy.pk])).content.decode()
    assert "Version 3: uploaded from Word by" in page and "from word" not in page
    text = [p.text for p in Document(io.BytesIO(download(client, officer, strategy, 3, "docx"))).paragraphs]
    assert any(line.startswith(f"{strategy.partnership.name}. Version 3 (uploaded from Word).") for line in text)


def test_an_upload_that_is_not_a_word_copy_is_refused_with_a_message(client, officer, strategy, version):
    client.force_login(officer)
    url = reverse("reporting:self_evaluation_upload", args=[strategy.pk])
    response = client.post(url, {"document": SimpleUploadedFile("se.docx", b"not a zip at all")})
    assert response.status_code == 422 and "The file is not a Word document (.docx)" in response.content.decode()
    blank = io.BytesIO()
    Document().save(blank)
    response = client.post(url, {"document": SimpleUploadedFile("se.docx", blank.getvalue())})
    assert response.status_code == 422 and "No strand headings were found" in response.content.decode()
    assert SelfEvaluationVersion.objects.count() == 2


def test_an_upload_over_a_newer_version_is_refused(client, officer, strategy, version):
    edited = edited_copy(download(client, officer, strategy, version.number, "docx"), "From Word")
    url = reverse("reporting:self_evaluation_upload", args=[strategy.pk])
    page = client.post(url, {"document": SimpleUploadedFile("se.docx", edited)}).content.decode()
    self_evaluation_save(strategy, user=officer, base=2, texts={"E1": {"strengths": "Saved in the product meanwhile"}})
    confirm = page.split('name="confirm" value="', 1)[1].split('"', 1)[0]
    client.post(url, {"confirm": confirm})
    assert SelfEvaluationVersion.objects.count() == 3
    assert SelfEvaluationVersion.objects.get(number=3).sections.get(strand="E1").strengths == "Saved in the product meanwhile"


def test_words_written_in_the_browser_come_back_from_an_unchanged_word_copy_as_no_change(client, officer, strategy):
    """A browser sends a textarea's lines ending CR LF and the Word copy dropped blank lines: uploading the copy as it was
    downloaded listed the strand as changed, with its blank line 'Removed'."""
    version = self_evaluation_draft(strategy, user=officer, snapshot=None)
    client.force_login(officer)
    strand = reverse("governance:self_evaluation_strand", args=[strategy.pk, "E2"])
    written = {"base": version.number, "E2-strengths": "Families co-produce plans\r\n\r\nYoung people chair reviews\r\n- most of them"}
    assert client.post(strand, {**written, "E2-improve": "", "E2-evidence": ""}).status_code == 302
    saved = SelfEvaluationVersion.objects.get(number=version.number + 1)
    assert saved.sections.get(strand="E2").strengths == "Families co-produce plans\n\nYoung people chair reviews\n- most of them"

    content = download(client, officer, strategy, saved.number, "docx")
    text = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    at = text.index("Families co-produce plans")
    assert text[at : at + 4] == ["Families co-produce plans", "", "Young people chair reviews", "- most of them"]
    upload = reverse("reporting:self_evaluation_upload", args=[strategy.pk])
    preview = client.post(upload, {"document": SimpleUploadedFile("se.docx", content)})
    page = preview.content.decode()
    assert "Check what the Word copy changes" in page and "E2: Strengths" not in page and "Removed:" not in page
    assert 'disabled aria-disabled="true">Save as version' in page  # nothing to save
