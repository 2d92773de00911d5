"""Render HTML to a tagged, accessible PDF with WeasyPrint, fetching nothing but our own static files."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

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


def render_pdf(html: str) -> RenderedPdf:
    """A PDF/UA-1 tagged PDF of the HTML; its title and language come from <title> and <html lang>."""
    fetcher = StaticFilesOnlyFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    content = document.write_pdf(pdf_variant="pdf/ua-1")
    return RenderedPdf(content=content, page_count=len(document.pages), refused_urls=fetcher.refused)
