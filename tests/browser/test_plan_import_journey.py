"""An officer imports an updated plan in a real browser: upload, check, confirm."""

from __future__ import annotations

import csv

import pytest

from actions.models import Action
from people.models import Membership
from tests.browser.conftest import assert_accessible
from tests.conftest import FIXTURES, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_uploads_checks_and_confirms_a_plan(one_plan, sign_in, live_server, tmp_path):
    officer = make_user("import.officer@example.org", one_plan.partnership, Membership.Role.OFFICER)
    with open(FIXTURES / "cheshire-east-one-plan" / "actions.csv", encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    for row in rows:
        if row[3] == "SL10":
            row[7] = "On track"  # Delayed (Red) becomes Amber
    path = tmp_path / "one-plan.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)

    page = sign_in(officer)
    page.goto(f"{live_server.url}{one_plan.get_absolute_url()}")
    page.get_by_role("link", name="Import an updated plan").click()
    page.wait_for_load_state()
    assert_accessible(page, "on the upload page")
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert "Select a CSV or Excel file to upload" in page.inner_text("main")
    assert_accessible(page, "with an upload error")

    page.get_by_label("Upload the plan").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert "Check what will change" in page.inner_text("main") and "Red → Amber" in page.inner_text("main")
    assert_accessible(page, "on the preview")
    page.get_by_role("button", name="Import these changes").click()
    page.wait_for_load_state()
    assert "Imported one-plan.csv" in page.inner_text("main")
    assert Action.objects.filter(strategy=one_plan, rating__label="Red").count() == 2


def test_a_file_s_problems_fit_a_phone_without_scrolling_sideways(one_plan, sign_in, live_server, page, tmp_path):
    officer = make_user("import.officer@example.org", one_plan.partnership, Membership.Role.OFFICER)
    path = tmp_path / "not-a-plan.csv"
    path.write_text("ref,text,nonsense\nX1,,Maybe\n", encoding="utf-8")

    sign_in(officer)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}{one_plan.get_absolute_url()}")
    page.get_by_role("link", name="Import an updated plan").click()
    page.get_by_label("Upload the plan").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert "Problems in the file" in page.inner_text("main")
    # Each problem is a block of its own at this width: its words wrap within the page, none hidden past the edge.
    table = page.locator("main table").filter(has_text="Problem")
    edge = page.evaluate("document.documentElement.clientWidth")
    assert table.evaluate("t => t.getBoundingClientRect().right") <= edge
    assert_accessible(page, "with the file's problems on a phone")
