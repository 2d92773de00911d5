"""Every page each role can reach fits a phone: nothing scrolls sideways at 320 or 390 px, no rating tag runs into the
text above or below it, a table stacked into rows names each cell's column, and axe finds nothing at either width.
No page breaks the Content-Security-Policy or has a script error.

The pages are the permission matrix's: every GET its persona may open, with
the sign-in page, a page that does not exist and, for a signed-in person, a
page they may not open. Long URLs and codes are in the data, as real plans
have them. One browser; each page is visited once per width.

axe runs every rule at 320 px and, at 390 px, the rules that depend on where things fall on the
screen (`LAYOUT_RULES`): the stylesheet lays both widths out alike (test_layout_band.py holds it so),
so the rules that read the document and its styles give the same answer at both.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from actions.commands import month_shift
from actions.models import Action, Notification
from coproduction.models import FamiliesLevel, PublicPage, SummaryDraft
from coproduction.services import families_view_record, page_publish
from governance.decisions import action_arising_record
from governance.services import snapshot_take
from kpis.models import Indicator
from tests.browser.conftest import assert_accessible, watch
from tests.security.conftest import *  # noqa: F403  (every fixture the matrix's URLs name, as new rows add them)
from tests.security.conftest import (  # noqa: F401  (fixtures the matrix's URLs name)
    _empty_cache,
    _private_media,
    api_token,
    evidence_file,
    failed_report,
    finding,
    indicator,
    inspection,
    kpi_upload,
    kpi_value,
    meeting,
    open_invitation,
    owner_membership,
    previewed_benchmark_import,
    previewed_import,
    published_page,
    ready_evidence_pack,
    ready_report,
    sign_off,
    snapshot,
    tracker_import,
)
from tests.security.test_permission_matrix import DEFAULT, MATRIX, url_arg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 390)
# The innermost elements that reach past the right edge, not inside a scrolling region: what to fix when a page is too wide.
PAST_THE_EDGE = """() => {
  const edge = document.documentElement.clientWidth, found = [];
  for (const el of document.querySelectorAll("main *, header *, footer *")) {
    if (el.getBoundingClientRect().right <= edge + 1 || el.querySelector("*")) continue;
    let scroller = el.parentElement;
    const scrolls = (box) => ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
    while (scroller && scroller !== document.body && !scrolls(scroller)) scroller = scroller.parentElement;
    if (scroller === document.body || !scroller) found.push(el.tagName.toLowerCase() + "." + String(el.className).split(" ").join("."));
  }
  return found.slice(0, 5);
}"""
# Captions of tables that scroll in their own region, reaching past the region's visible right edge: cut at the screen's edge.
CUT_CAPTIONS = """() => [...document.querySelectorAll("caption")].filter(caption => {
  let scroller = caption.parentElement;
  while (scroller && !["auto", "scroll"].includes(getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement;
  return scroller && caption.getBoundingClientRect().right > scroller.getBoundingClientRect().right + 1;
}).map(caption => caption.textContent.trim().slice(0, 60))"""
# Tables marked to stack (one block per row below tablet width) that are still wider than the region they sit in.
UNSTACKED = """() => [...document.querySelectorAll("table.app-table--stack")]
  .filter(table => table.getBoundingClientRect().width > table.parentElement.clientWidth + 1)
  .map(table => (table.caption ? table.caption.textContent : table.dataset.testid || "a table").trim().slice(0, 60))"""
# Rating tags that run into a line of text above or below their own (a wrapped line of small text under a
# notification): the glyphs of another line inside the tag's box. Text on the tag's own line is beside it, not under it.
TAGS_OVER_TEXT = """() => {
  const main = document.querySelector("main"), found = [], lines = [], range = document.createRange();
  const shown = (element) => element.checkVisibility({contentVisibilityAuto: true});  // not in a closed <details>
  const tags = main ? [...main.querySelectorAll(".app-rating")].filter(shown).map(tag => [tag, tag.getBoundingClientRect()]) : [];
  if (!tags.length) return found;
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT,
    {acceptNode: n => n.textContent.trim() && !n.parentElement.closest(".app-rating") && shown(n.parentElement) ? 1 : 3});
  for (let node; (node = walker.nextNode());) {
    range.selectNodeContents(node);
    for (const box of range.getClientRects()) lines.push([box, node.textContent.trim().slice(0, 40)]);
  }
  for (const [tag, t] of tags) {
    const hit = lines.find(([b]) => {
      const middle = (b.top + b.bottom) / 2;
      const ownLine = middle >= t.top && middle <= t.bottom;
      return !ownLine && b.width && b.left < t.right && b.right > t.left && b.top < t.bottom - 1 && b.bottom > t.top + 1;
    });
    if (hit) found.push(`${tag.textContent.trim()} over "${hit[1]}"`);
  }
  return found.slice(0, 3);
}"""
# Cells of tables stacked on a phone (one block per cell) that do not name their column: a count, a date or a status on
# a line of its own, with nothing to say what it is. A sentence (an action's text) or a link or button alone says itself.
UNNAMED_CELLS = """() => [...document.querySelectorAll("td:not([colspan]):not([data-label])")]
  .filter(td => getComputedStyle(td).display === "block" && td.checkVisibility() && td.textContent.trim().length <= 30)
  .filter(td => !(td.children.length === 1 && td.children[0].matches("a, button, form")
    && td.textContent.trim() === td.children[0].textContent.trim()))
  .map(td => ((td.closest("table").caption || {}).textContent || "a table").trim().slice(0, 40) + ": " + td.textContent.trim().slice(0, 30))
  .slice(0, 3)"""
LONG_URL = "https://www.example.org/local-offer/send-strategy-2025-2028/appendices/" + "evidence-of-co-production-" * 4 + "final.pdf"
LONG_CODE = "EHCNA-COMPLETED-IN-20-WEEKS-EXCL-EXCEPTS"


PERSONAS = ("anonymous", "owner", "board", "officer", "partner", "finance_lead")
# Each persona's walk in parts of at most this many pages, so that the test processes share the longest (the officer's, about
# a hundred pages) instead of one of them walking it all while the other waits at the end of the run.
PART = 50


def names_for(persona: str) -> list[str]:
    """The named pages (GET) the persona may open, in the matrix's order."""
    return [name for name, row in sorted(MATRIX.items()) if row.method == "get" and row.expect.get(persona, DEFAULT) == "ok"]


def parts() -> list[tuple[str, int]]:
    return [(persona, part) for persona in PERSONAS for part in range(-(-len(names_for(persona)) // PART) or 1)]


def pages_for(request, persona: str, part: int) -> list[str]:
    """One part of the HTML pages the persona may open; the first part also has the error pages they can meet."""
    names = names_for(persona)
    count = -(-len(names) // PART) or 1
    urls = [reverse(name, args=[url_arg(request, arg) for arg in MATRIX[name].args]) for name in names[part::count]]
    if part == 0:
        urls.append("/no-such-page/")
        forbidden = [name for name, row in sorted(MATRIX.items()) if row.method == "get" and row.expect.get(persona) == "forbidden"]
        if persona != "anonymous" and forbidden:
            urls.append(reverse(forbidden[0], args=[url_arg(request, arg) for arg in MATRIX[forbidden[0]].args]))
    return urls


@pytest.mark.parametrize(("persona", "part"), parts(), ids=[f"{persona}-{part}" for persona, part in parts()])
def test_every_page_a_role_reaches_fits_a_phone_and_passes_axe(request, persona, part, sign_in, page, live_server, action, indicator):  # noqa: F811
    Action.objects.filter(pk=action.pk).update(text=f"Strengthen oversight, as the plan's appendix sets out: {LONG_URL}")
    Indicator.objects.filter(pk=indicator.pk).update(code=LONG_CODE)
    urls = pages_for(request, persona, part)
    # An action the board gave at the meeting: its page lists it in a table of four columns, with its rating tag.
    given_at = request.getfixturevalue("meeting")
    action_arising_record(
        meeting=given_at,
        text=f"Agree with the ICB how waiting times are reported: {LONG_URL}",
        owner=request.getfixturevalue("owner_post"),
        due_date=given_at.date,
        by=request.getfixturevalue("officer"),
    )
    violations, script_errors = watch(page)
    if persona != "anonymous":
        person = request.getfixturevalue(persona)
        # A notification on the long action: its line of small text, with the rating tag, wraps on a phone.
        Notification.objects.create(recipient=person, action=action, kind=Notification.Kind.OVERDUE, event_key="reflow")
        sign_in(person)
    problems, visited = [], 0
    for url in urls:
        page.set_viewport_size({"width": WIDTHS[0], "height": 800})
        try:
            shown = page.goto(live_server.url + url)
        except PlaywrightError as error:
            if "Download is starting" in error.message:
                continue  # a download (CSV, PDF, Word), not a page
            raise
        if "text/html" not in shown.headers.get("content-type", ""):
            continue  # an SVG or Atom document, not a page
        visited += 1
        if shown.status >= 500:
            problems.append(f"{url} failed with {shown.status}")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            scroll_width, cut, wide, over, unnamed = page.evaluate(
                f"[document.documentElement.scrollWidth, ({CUT_CAPTIONS})(), ({UNSTACKED})(), ({TAGS_OVER_TEXT})(), ({UNNAMED_CELLS})()]"
            )
            if scroll_width > width:
                problems.append(f"{url} is {scroll_width} px wide at {width} px: {page.evaluate(PAST_THE_EDGE)}")
            if cut:
                problems.append(f"{url} cuts a table's caption at {width} px: {cut}")
            if over:
                problems.append(f"{url} has rating tags running into the text above or below them at {width} px: {over}")
            if unnamed:
                problems.append(f"{url} stacks table cells that do not name their column at {width} px: {unnamed}")
            if wide:
                problems.append(f"{url} has tables that should stack but scroll sideways at {width} px: {wide}")
            try:
                assert_accessible(page, f"at {width} px", layout_only=width != WIDTHS[0])
            except AssertionError as failure:
                problems.append(str(failure))
    # Most of a part are pages, not downloads: a walk that reached only a handful would check next to nothing.
    least = 3 if persona == "anonymous" else len(urls) // 2
    assert visited > least, f"only {visited} of {len(urls)} pages were checked for {persona}"
    assert not problems, "\n".join(problems)
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
    assert not script_errors, "Script errors:\n" + "\n".join(script_errors)


# Every tag whose label runs past its own box: the rest of the label would be white on white.
CUT_TAGS = (
    "() => [...document.querySelectorAll('.govuk-tag')].filter(t => t.scrollWidth > t.clientWidth + 1).map(t => t.textContent.trim())"
)


def test_a_trend_of_many_boards_and_a_families_view_s_longest_label_fit_a_phone(  # noqa: F811
    sign_in, page, live_server, strategy, action, group, officer, partner, board
):
    for months in range(6):  # a board every two months for a year: a column each in the dashboard's trend
        snapshot_take(strategy=strategy, as_at=month_shift(strategy.ratings_as_at, 2 * months), taken_by=officer)
    families_view_record(
        group=group,
        user=partner,
        level=FamiliesLevel.IMPROVEMENT,
        narrative="The new panel explains its decisions.",
        source="Survey",
        publishable=True,
    )
    public = PublicPage.objects.create(strategy=strategy, slug="northshire-progress")
    SummaryDraft.objects.create(group=group, you_said="You asked for reasons.", we_did="The panel now writes them.")
    page_publish(page=public, user=officer)
    sign_in(board)
    pages = [
        reverse("reporting:dashboard", args=[strategy.pk]),
        reverse("reporting:group_detail", args=[group.pk]),
        reverse("coproduction:public_page", args=[public.slug]),
    ]
    for url in pages:
        for width in (1280, *WIDTHS):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(live_server.url + url)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{url} scrolls sideways at {width} px"
            assert page.evaluate(CUT_TAGS) == [], f"{url} cuts a tag's label at {width} px"
        assert_accessible(page, "at 320 px")
    assert page.get_by_text("Families see improvement").first.is_visible()
