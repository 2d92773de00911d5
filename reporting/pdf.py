"""Render HTML to a tagged, accessible PDF with WeasyPrint, fetching nothing but our own static files."""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import pikepdf
from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Documents are rendered against this made-up origin: a URL that does not
# start with it (file://, http://anything, data:) is never fetched.
BASE_URL = "https://report.invalid/"


class StaticFilesOnlyFetcher(URLFetcher):
    """Serves /static/… from the project's static files and refuses everything else.

    Narrative text is escaped before it reaches a template, but should any
    markup slip through, a PDF render must not read local files or call out
    to the network on its behalf.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=["https"])
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        static_prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
        if url.startswith(static_prefix):
            relative = unquote(urlsplit(url).path[len(settings.STATIC_URL) :])
            path = finders.find(relative) if ".." not in relative.split("/") else None
            if path:
                with open(path, "rb") as handle:
                    body = handle.read()
                mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})
        self.refused.append(url)
        raise ValueError(f"Refused to fetch {url!r}: reports may only use the product's own static files.")


@dataclass
class RenderedPdf:
    content: bytes
    page_count: int
    refused_urls: list[str]


def render_pdf(html: str, on_stage: Callable[[str], None] | None = None) -> RenderedPdf:
    """A PDF/UA-1 tagged PDF of the HTML; its title and language come from <title> and <html lang>.

    `on_stage` hears "laying_out" before the pages are laid out and "writing" before the PDF is written.
    """
    tell = on_stage or (lambda stage: None)
    fetcher = StaticFilesOnlyFetcher()
    tell("laying_out")
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    tell("writing")
    content = header_cells_scoped(document.write_pdf(pdf_variant="pdf/ua-1"))
    return RenderedPdf(content=content, page_count=len(document.pages), refused_urls=fetcher.refused)


def header_cells_scoped(content: bytes) -> bytes:
    """The PDF with every table header cell (/TH) carrying its /Scope, as PDF/UA-1 (7.5) asks.

    WeasyPrint tags <th> as /TH but drops the HTML `scope`, so a screen reader
    cannot tie a data cell to its headers. Our tables follow one convention
    (headers of columns in <thead>, headers of rows as the first cell of a body
    row), so the scope follows from where the cell sits: /Column under /THead,
    /Row elsewhere.
    """
    with pikepdf.open(io.BytesIO(content)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return content
        _scope_headers(root.get("/K"), in_head=False)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _scope_headers(node, *, in_head: bool) -> None:
    if isinstance(node, pikepdf.Array):
        for child in node:
            _scope_headers(child, in_head=in_head)
        return
    if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
        return  # a marked-content id or an object reference: no structure below it
    role = node.S
    if role == "/TH":
        _set_scope(node, pikepdf.Name.Column if in_head else pikepdf.Name.Row)
    _scope_headers(node.get("/K"), in_head=in_head or role == "/THead")


def _set_scope(cell: pikepdf.Dictionary, scope: pikepdf.Name) -> None:
    """Add /Scope to the cell's Table attributes (WeasyPrint writes /A << /O /Table >> without one)."""
    attributes = cell.get("/A")
    found = [attributes] if isinstance(attributes, pikepdf.Dictionary) else list(attributes or [])
    table = next((a for a in found if isinstance(a, pikepdf.Dictionary) and a.get("/O") == "/Table"), None)
    if table is None:
        table = pikepdf.Dictionary(O=pikepdf.Name.Table)
        cell.A = pikepdf.Array([*found, table]) if found else table
    if "/Scope" not in table:
        table.Scope = scope
