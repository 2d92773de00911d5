"""The buttons that produce a document as Word and as PDF: a GOV.UK button group, side by side or stacked evenly on a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.governance.conftest import finding, inspection  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each button's words and box, in the order of the page: those of the first button group of `main`.
BOXES = """() => [...document.querySelector("main .govuk-button-group").querySelectorAll(".govuk-button")]
  .map((b) => [b.textContent.trim(), b.getBoundingClientRect()])
  .map(([text, r]) => [text, Math.round(r.left), Math.round(r.width), Math.round(r.top)])"""


def assert_pair_lines_up(page, width: int, words: tuple[str, str]) -> None:
    """Two buttons of a GOV.UK button group: side by side with their tops level, or on a phone one above the other,
    as wide as each other and the column."""
    (first, left_a, width_a, top_a), (second, left_b, width_b, top_b) = page.evaluate(BOXES)
    assert (first, second) == words
    if width < 641:
        assert left_a == left_b and width_a == width_b and top_b > top_a
    else:
        assert top_a == top_b and left_b > left_a + width_a


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_the_word_and_pdf_buttons_are_the_same_size_and_line_up(sign_in, live_server, officer, strategy, finding, width):  # noqa: F811
    page = sign_in(officer)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + reverse("reporting:priority_action_plan_page", args=[strategy.pk]))
    assert_pair_lines_up(page, width, ("Produce as Word", "Produce as PDF"))


@pytest.mark.parametrize("width", [390, 1280])
def test_the_findings_page_s_record_and_evidence_pack_buttons_line_up(sign_in, live_server, officer, strategy, finding, width):  # noqa: F811
    """A link styled as a button beside a form's button: it sat 12 px lower at 1280, inside its form inside the group."""
    page = sign_in(officer)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + reverse("reporting:findings", args=[strategy.pk]))
    assert_pair_lines_up(page, width, ("Record an inspection", "Produce an evidence pack for all findings"))
    # The button still sends its form, with its CSRF token (the request is stopped there: producing the pack is tested elsewhere).
    asks = live_server.url + reverse("reporting:evidence_pack_request", args=[strategy.pk])
    page.route(asks, lambda route: route.abort())
    with page.expect_request(asks) as sent:
        page.get_by_role("button", name="Produce an evidence pack for all findings").click()
    assert sent.value.method == "POST" and "csrfmiddlewaretoken=" in (sent.value.post_data or "")
