"""The buttons that produce a document as Word and as PDF: a GOV.UK button group, side by side or stacked evenly on a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.governance.conftest import finding, inspection  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOXES = """() => [...document.querySelectorAll("main button")]
  .filter((b) => b.textContent.startsWith("Produce as"))
  .map((b) => [b.textContent.trim(), b.getBoundingClientRect()])
  .map(([text, r]) => [text, Math.round(r.left), Math.round(r.width), Math.round(r.top)])"""


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_the_word_and_pdf_buttons_are_the_same_size_and_line_up(sign_in, live_server, officer, strategy, finding, width):  # noqa: F811
    page = sign_in(officer)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + reverse("reporting:priority_action_plan_page", args=[strategy.pk]))
    (word, left_w, width_w, top_w), (pdf, left_p, width_p, top_p) = page.evaluate(BOXES)
    assert (word, pdf) == ("Produce as Word", "Produce as PDF")
    if width < 641:  # stacked: one above the other, as wide as each other and the column
        assert left_w == left_p and width_w == width_p and top_p > top_w
    else:  # side by side on one line
        assert top_w == top_p and left_p > left_w + width_w


GROUP = """() => [...document.querySelector("main .govuk-button-group").querySelectorAll(".govuk-button")]
  .map((b) => [b.textContent.trim(), b.getBoundingClientRect()])
  .map(([text, r]) => [text, Math.round(r.left), Math.round(r.width), Math.round(r.top)])"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_findings_page_s_record_and_evidence_pack_buttons_line_up(sign_in, live_server, officer, strategy, finding, width):  # noqa: F811
    """A link styled as a button beside a form's button: side by side with their tops level, or stacked as wide as each other."""
    page = sign_in(officer)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + reverse("reporting:findings", args=[strategy.pk]))
    (record, left_r, width_r, top_r), (pack, left_p, width_p, top_p) = page.evaluate(GROUP)
    assert (record, pack) == ("Record an inspection", "Produce an evidence pack for all findings")
    if width < 641:
        assert left_r == left_p and width_r == width_p and top_p > top_r
    else:
        assert top_r == top_p and left_p > left_r + width_r
    # The button still sends its form, with its CSRF token (the request is stopped there: producing the pack is tested elsewhere).
    asks = live_server.url + reverse("reporting:evidence_pack_request", args=[strategy.pk])
    page.route(asks, lambda route: route.abort())
    with page.expect_request(asks) as sent:
        page.get_by_role("button", name="Produce an evidence pack for all findings").click()
    assert sent.value.method == "POST" and "csrfmiddlewaretoken=" in (sent.value.post_data or "")
