"""An officer makes the partnership's own rating scheme from a shipped one and moves a strategy to it, at a phone's width."""

from __future__ import annotations

import pytest

from actions.models import Action, RatingScheme
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), f"{where} is {width} px wide at 320 px"
    assert_accessible(page, where)


def test_an_officer_copies_a_shipped_scheme_and_moves_a_strategy_to_it(live_server, sign_in, officer, partnership, strategy, action):
    page = sign_in(officer)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/partnerships/{partnership.pk}/rating-schemes/")
    fits(page, "the rating schemes")
    page.get_by_role("link", name="Copy RAG to make a new scheme").click()
    page.wait_for_load_state()
    fits(page, "the new scheme form")
    page.get_by_label("Name").fill("Our RAG")
    page.locator("#id_level_2_label").fill("Amber: on track")
    page.locator("#id_level_2_progress").select_option("on_track")
    page.locator("#id_level_3_label").fill("")  # clearing a label alone is explained, not guessed
    page.get_by_role("button", name="Create the scheme").click()
    page.wait_for_load_state()
    assert "Enter level 4's label, or clear its row" in page.get_by_role("main").inner_text()
    fits(page, "the new scheme form with an error")
    page.locator("#id_level_3_label").fill("Green")
    page.get_by_role("button", name="Create the scheme").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Our RAG"
    fits(page, "the scheme's page")

    page.goto(f"{live_server.url}{strategy.get_absolute_url()}")
    page.get_by_role("link", name="Change the rating scheme").click()
    page.wait_for_load_state()
    page.get_by_label("Our RAG").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    fits(page, "the mapping of levels")
    page.get_by_label("Amber (1 action)").select_option(label="Amber: on track: on track")
    page.get_by_label("Why the scheme is changing").fill("Our board's own key.")
    page.get_by_role("button", name="Preview the change").click()
    page.wait_for_load_state()
    assert "Check the change of rating scheme" in page.get_by_role("heading", level=1).inner_text()
    fits(page, "the preview of the change")
    page.get_by_role("button", name="Change the rating scheme").click()
    page.wait_for_load_state()
    assert "now uses Our RAG" in page.get_by_role("main").inner_text()
    assert Action.objects.get(pk=action.pk).rating.label == "Amber: on track"
    assert RatingScheme.objects.get(code="rag").levels.get(code="amber").label == "Amber"
