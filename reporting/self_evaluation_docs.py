"""The self-evaluation as documents: a Word copy officers edit and circulate, a tagged PDF, and reading an edited Word copy back.

The Word copy holds plain text only (no fields, macros, hyperlinks or images),
so nothing in it runs or calls out when opened. Each strand is a level-one
heading that starts with its code ("E1: …"); under it, level-two headings
name the parts. Those headings are the anchors an upload is read by: text
under "Draft from the tracker" is the tracker's and is never read back.
"""

from __future__ import annotations

import io
import re
import zipfile

from django.template.loader import render_to_string

from governance import framework
from governance.models import SelfEvaluationVersion
from governance.self_evaluation import FIELD_MAX_CHARS, FIELDS, sections_by_strand
from reporting.word import clean_text, word_document

DRAFT_HEADING = "Draft from the tracker"
# The most paragraphs an uploaded copy may have: a self-evaluation is a few dozen pages, not a library.
UPLOAD_MAX_PARAGRAPHS = 20_000
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
_STRAND_HEADING = re.compile(r"^\s*([A-Z]\d+)\s*[:.\-–]")


class UnreadableDocumentError(ValueError):
    """The upload is not a Word copy of a self-evaluation that can be read; the message says why, for the person uploading."""


def _paragraphs(document, text: str) -> None:
    """A paragraph a line, a blank line between paragraphs kept as an empty one: the copy reads back as it was written."""
    for line in clean_text(text).strip().splitlines():
        document.add_paragraph(line if line.strip() else "")


def _intro(version: SelfEvaluationVersion) -> str:
    figures = (
        f"Figures as at the snapshot of {version.snapshot.as_at:%-d %B %Y}."
        if version.snapshot
        else f"Figures as they stood on {version.created_at:%-d %B %Y}."
    )
    return f"Version {version.number} ({version.source_in_sentence}). {figures} Strands from {version.edition}."


def self_evaluation_docx(version: SelfEvaluationVersion) -> bytes:
    """The version as a Word document: a section per strand with the draft and the officers' words."""
    strategy = version.self_evaluation.strategy
    sections = sections_by_strand(version)
    document = word_document(f"Self-evaluation: {strategy.name}", strategy.partnership.name)
    document.add_heading(clean_text(f"Self-evaluation: {strategy.name}"), level=0)
    document.add_paragraph(clean_text(f"{strategy.partnership.name}. {_intro(version)}"))  # as the PDF opens
    document.add_paragraph(
        "Edit the text under Strengths, What we know we must improve and Evidence. Keep the headings as they are: "
        "they tell the product where each part belongs when this copy is uploaded."
    )
    for strand in framework.STRANDS:
        section = sections.get(strand.code)
        document.add_heading(f"{strand.code}: {strand.statement}", level=1)
        document.add_heading(DRAFT_HEADING, level=2)
        _paragraphs(document, section.draft if section else "")
        for name, label in FIELDS.items():
            document.add_heading(label, level=2)
            _paragraphs(document, getattr(section, name) if section else "")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# The PDF is for reading and circulating, and is written in bounded time: each part prints at most this many
# characters, a paragraph a line, and says where the rest is (the Word copy holds every word).
PDF_PART_MAX_CHARS = 6_000


def _pdf_part(text: str) -> dict:
    text = clean_text(text or "")
    shown = text[:PDF_PART_MAX_CHARS]
    return {"lines": [line for line in shown.splitlines() if line.strip()], "left_out": len(text) - len(shown)}


def self_evaluation_pdf(version: SelfEvaluationVersion) -> bytes:
    """The version as a tagged PDF (PDF/UA-1)."""
    sections = sections_by_strand(version)
    strands = [
        (strand, {name: _pdf_part(getattr(sections.get(strand.code), name, "")) for name in ("draft", *FIELDS)})
        for strand in framework.STRANDS
    ]
    html = render_to_string(
        "reporting/pdf/self_evaluation.html",
        {"version": version, "strategy": version.self_evaluation.strategy, "intro": _intro(version), "strands": strands, "fields": FIELDS},
    )
    from reporting.pdf import render_pdf  # a heavy library, loaded at the first render rather than at every start-up

    return render_pdf(html).content


def read_self_evaluation_docx(data: bytes) -> dict[str, dict[str, str]]:
    """The officers' words of each strand in an edited Word copy, by its headings; raises UnreadableDocumentError."""
    # A heavy library, loaded at the first document rather than at every start-up.
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    if len(data) > UPLOAD_MAX_BYTES:
        raise UnreadableDocumentError(f"The file is larger than {UPLOAD_MAX_BYTES // (1024 * 1024)} MB.")
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise UnreadableDocumentError(
            "The file is not a Word document (.docx). Save it from Word as a .docx and upload it again."
        ) from None
    labels = {label.lower(): name for name, label in FIELDS.items()}
    found: dict[str, dict[str, list[str]]] = {}
    strand_code: str | None = None
    part: str | None = None
    for count, paragraph in enumerate(document.paragraphs):
        if count > UPLOAD_MAX_PARAGRAPHS:
            raise UnreadableDocumentError(f"The document has more than {UPLOAD_MAX_PARAGRAPHS:,} paragraphs: is it the self-evaluation?")
        style = (paragraph.style.name if paragraph.style is not None else "").lower()
        text = paragraph.text
        if style.startswith("heading 1") or style == "title":
            match = _STRAND_HEADING.match(text)
            strand_code = match.group(1) if match and match.group(1) in framework.STRANDS_BY_CODE else None
            part = None
            if strand_code:
                found.setdefault(strand_code, {name: [] for name in FIELDS})
        elif style.startswith("heading 2") and strand_code:
            part = labels.get(text.strip().lower())  # None for the draft: the tracker's text is never read back
        elif strand_code and part:
            found[strand_code][part].append(text)
    if not found:
        raise UnreadableDocumentError(
            "No strand headings were found (such as “E1: Children and young people’s needs…” in the Heading 1 style). "
            "Upload a copy downloaded from this page, with its headings kept."
        )
    return {code: {name: "\n".join(lines).strip()[:FIELD_MAX_CHARS] for name, lines in parts.items()} for code, parts in found.items()}
