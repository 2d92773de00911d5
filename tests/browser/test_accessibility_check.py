"""The accessibility check every browser test uses fails on a page that breaks the rules it checks."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

BROKEN = """<!doctype html><html lang="en"><head><title>A broken page</title></head><body><main>
<h1>Broken</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">
<p style="color:#bbb;background:#fff">Grey on white</p></main></body></html>"""


def test_axe_lists_each_kind_of_violation_on_a_broken_page(page):
    page.set_content(BROKEN)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "on a broken page")
    found = str(failure.value)
    assert "image-alt" in found and "label" in found and "color-contrast" in found, found


CLEAN = """<!doctype html><html lang="en"><head><title>A clean page</title></head><body><main><h1>Clean</h1></main></body></html>"""


def test_a_later_page_of_the_same_tab_is_checked_by_the_axe_it_loaded_itself(page):
    page.set_content(CLEAN)
    assert_accessible(page, "on a clean page")
    page.goto("data:text/html," + quote(BROKEN))
    assert page.evaluate("typeof window.axe?.run === 'function'"), "the new document started with axe-core"
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "on the next page")
    found = str(failure.value)
    assert "image-alt" in found and "label" in found and "color-contrast" in found, found
