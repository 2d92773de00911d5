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


# Two links 10 px apart, each 12 px square: too small and too close (WCAG 2.2's target size), only once laid out.
CRAMPED = """<!doctype html><html lang="en"><head><title>A cramped page</title></head><body><main><h1>Cramped</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#bbb;background:#fff">Grey on white</p>
<p><a href="#a" style="display:inline-block;width:12px;height:12px;overflow:hidden">A</a><a href="#b"
style="display:inline-block;width:12px;height:12px;overflow:hidden;margin-left:2px">B</a></p></main></body></html>"""


def test_the_check_at_a_second_width_runs_the_rules_that_depend_on_layout_and_only_those(page):
    page.set_content(CRAMPED)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "at a second width", layout_only=True)
    found = str(failure.value)
    assert "color-contrast" in found and "target-size" in found, found
    # The image's missing text is the same at every width: the full check at the first width finds it.
    assert "image-alt" not in found, found
