"""Co-production in a real browser: the forum records the families' view, a signatory signs off, families read the public page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from coproduction.models import PublicPage, SummaryDraft
from coproduction.services import page_publish
from governance.models import Board, Meeting
from governance.signoff import sign_offs_for, signatory_nominate
from people.models import Membership, Organisation
from tests.browser.conftest import assert_accessible
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _rating_schemes(transactional_db):
    from actions.models import RatingLevel, RatingScheme
    from actions.schemes import install_schemes

    install_schemes(RatingScheme, RatingLevel)


def test_the_forum_records_the_families_view_and_the_board_sees_the_disagreement(one_plan, sign_in, live_server):
    forum = make_user("forum@example.org", one_plan.partnership, Membership.Role.COPRODUCTION)
    group = one_plan.delivery_groups.get(name__startswith="2. Inclusion")
    page = sign_in(forum)
    page.goto(f"{live_server.url}{group.get_absolute_url()}")
    with page.expect_navigation():
        page.get_by_role("link", name="Record the families' view").click()
    assert_accessible(page, "on the families' view form")
    page.get_by_role("button", name="Record the families' view").click()  # nothing chosen: errors where the partner looks
    assert "Choose what families say about this area" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, "on the families' view form with errors")
    page.get_by_label("No change yet").check()
    page.get_by_label("What families are saying").fill("Support still depends on the school.")
    page.get_by_label("Where this comes from").fill("Forum survey, spring")
    page.get_by_role("button", name="Record the families' view").click()
    page.wait_for_url(re.compile(rf"/groups/{group.pk}/$"))
    assert "Disagrees with the officers' ratings" in page.get_by_role("main").inner_text()
    assert_accessible(page, "on the group page with the families' view")
    page.goto(f"{live_server.url}/strategies/{one_plan.pk}/dashboard/")
    assert "Families' view disagrees with the officers' ratings: 1 delivery group" in page.get_by_role("main").inner_text()
    assert_accessible(page, "on the dashboard with a disagreement")

    # On a phone the matrix stacks: the group's figures sit on a line each can share, the view's tag below its label.
    page.set_viewport_size({"width": 320, "height": 800})
    lines, clearance = page.evaluate(STACKED_ROW, group.name)
    assert all(max(bottoms) - min(bottoms) <= 1 for bottoms in lines), f"figures on one line sit at different heights: {lines}"
    assert clearance >= 2, f"the families' view tag touches the line below it ({clearance} px apart)"


# For the matrix row of the named group: the bottom of each cell's first text, grouped by line (cells whose boxes share a
# height), and the space between the families' view tag and the next line's cells.
STACKED_ROW = """(name) => {
  const row = [...document.querySelectorAll('.app-matrix tbody tr')].find(r => r.textContent.includes(name));
  const cells = [...row.querySelectorAll('td[data-label]')];
  const textBottom = (cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT, {acceptNode: n => n.textContent.trim() ? 1 : 3});
    const range = document.createRange();
    range.selectNodeContents(walker.nextNode());
    return Math.round(range.getBoundingClientRect().bottom);
  };
  const lines = [];
  for (const cell of cells) {
    const box = cell.getBoundingClientRect();
    const line = lines.find(l => box.top < l.bottom && box.bottom > l.top);
    if (!line) { lines.push({top: box.top, bottom: box.bottom, bottoms: [textBottom(cell)]}); continue; }
    line.bottoms.push(textBottom(cell));
    line.top = Math.min(line.top, box.top);
    line.bottom = Math.max(line.bottom, box.bottom);
  }
  const tag = row.querySelector('td[data-label] .govuk-tag').getBoundingClientRect();
  const below = cells.map(c => c.getBoundingClientRect()).filter(b => b.top >= tag.top + tag.height / 2 && b.left < tag.right);
  const clearance = Math.min(...below.map(b => b.top)) - tag.bottom;
  return [lines.map(l => l.bottoms), Math.round(clearance)];
}"""


def test_a_signatory_signs_off_on_the_board(one_plan, sign_in, live_server):
    partnership = one_plan.partnership
    officer = make_user("officer@example.org", partnership, Membership.Role.OFFICER)
    council = Organisation.objects.get(partnership=partnership, kind=Organisation.Kind.COUNCIL)
    director = make_user("director@example.org", partnership, Membership.Role.BOARD_MEMBER)
    signatory_nominate(organisation=council, user=director, by=officer)
    board = Board.objects.filter(partnership=partnership).first()
    day = timezone.localdate() + dt.timedelta(days=10)
    meeting = Meeting.objects.create(board=board, strategy=one_plan, date=day, papers_deadline=day - dt.timedelta(days=5))
    sign_offs_for(meeting)
    page = sign_in(director)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/sign-off/")
    assert_accessible(page, "on the sign-off board")
    # The box for a reason sits beneath the answer that needs one, not after both as if either did.
    decline = page.get_by_label("We cannot sign off yet").bounding_box()
    reason = page.get_by_label("Why you cannot sign off yet").bounding_box()
    assert reason["y"] > decline["y"] and reason["x"] > decline["x"]
    page.get_by_label("Our updates are complete and accurate for this meeting").check()
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert "1 of 4 organisations signed off" in page.get_by_role("main").inner_text()
    assert_accessible(page, "on the sign-off board after signing")


@pytest.fixture
def published_one_plan(one_plan):
    officer = make_user("officer@example.org", one_plan.partnership, Membership.Role.OFFICER)
    public = PublicPage.objects.create(strategy=one_plan, slug="one-plan", introduction="Our progress, for families.")
    group = one_plan.delivery_groups.get(name__startswith="8. Training")
    SummaryDraft.objects.create(group=group, you_said="You asked for training for parents.", we_did="We ran four sessions.")
    page_publish(page=public, user=officer)
    return public


@pytest.mark.parametrize("width", [1280, 390])
def test_families_read_the_public_page_without_signing_in_or_javascript(published_one_plan, browser, live_server, width):
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/progress/one-plan/")
    main = page.get_by_role("main")
    assert "We ran four sessions." in main.inner_text()
    assert page.get_by_role("heading", name="What you will see, and when").count() == 0  # no deliverables imported
    page.get_by_role("link", name="Right Time").click()  # contents work as plain links
    assert page.url.endswith("#priority-" + str(published_one_plan.strategy.priorities.get(name="Right Time").pk))
    assert not context.cookies()
    context.close()
    # axe needs script: check the same page with it on.
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/progress/one-plan/")
    assert_accessible(page, f"on the public page at {width}px")
    page.emulate_media(media="print")
    assert page.locator(".app-public__contents").is_hidden()
    context.close()
