"""The two phone widths the reflow walk checks fall in one layout band of the stylesheet.

The walk runs every axe rule at the first width and, at the second, only the rules that depend on where
things fall on the screen (`LAYOUT_RULES`): the document and the styles that apply to it are the same at
both, so long as no media query of the stylesheet tells the two widths apart. This holds it so.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from tests.browser.test_reflow import WIDTHS

QUERY = re.compile(r"\((min|max)-width:\s*([\d.]+)(px|em|rem)\)")


def _boundaries(css: str) -> list[tuple[str, float]]:
    return [(kind, float(size) * (1 if unit == "px" else 16)) for kind, size, unit in QUERY.findall(css)]


def _apart(kind: str, size: float, narrow: int, wide: int) -> bool:
    """Whether a `(kind-width: size)` query applies at one of the widths and not at the other."""
    return (narrow < size <= wide) if kind == "min" else (narrow <= size < wide)


def test_no_media_query_of_the_stylesheet_tells_the_walk_s_two_widths_apart():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text(encoding="utf-8")
    boundaries = _boundaries(css)
    assert ("min", 40.0625 * 16) in boundaries, "the stylesheet's tablet breakpoint was not found: the pattern no longer reads it"
    narrow, wide = WIDTHS
    assert [b for b in boundaries if _apart(*b, narrow, wide)] == []


def test_a_query_between_the_widths_would_be_found():
    assert _apart(*_boundaries("@media (min-width: 22.5em) { a { color: red } }")[0], 320, 390)
    assert _apart(*_boundaries("@media (max-width: 359px) { a { color: red } }")[0], 320, 390)
    assert not _apart(*_boundaries("@media (max-width: 19.99em) { a { color: red } }")[0], 320, 390)
