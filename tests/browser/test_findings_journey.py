"""An officer records an inspection finding, links it to the actions that answer it, and produces an evidence pack, in a real browser."""

from __future__ import annotations

import zipfile

import pytest

from governance.models import Finding
from people.models import Membership
from reporting.models import EvidencePack
from tests.browser.conftest import assert_accessible
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_records_a_finding_and_downloads_its_evidence_pack(one_plan, sign_in, live_server, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    officer = make_user("programme.officer@example.org", one_plan.partnership, Membership.Role.OFFICER)
    page = sign_in(officer)
    page.goto(f"{live_server.url}/strategies/{one_plan.pk}/findings/")
    assert page.get_by_role("heading", level=1).inner_text() == "Inspection findings"
    page.get_by_role("link", name="Record an inspection").click()
    page.get_by_role("button", name="Record the inspection").click()
    page.get_by_text("There is a problem").wait_for()
    assert_accessible(page, "with errors on the inspection form")
    page.get_by_role("link", name="Enter the first day of the inspection").click()
    assert page.evaluate("document.activeElement.id") == "id_started_on"  # the summary's link lands on the field
    for field, (day, month, year) in (("First day", ("12", "2", "2024")), ("Last day", ("23", "2", "2024"))):
        group = page.get_by_role("group", name=f"{field} of the inspection")
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    page.get_by_role("radio", name="Full inspection").check()
    page.get_by_label("Ofsted").check()
    page.get_by_label("CQC").check()
    page.get_by_label("lead to inconsistent experiences", exact=False).check()
    page.get_by_role("button", name="Record the inspection").click()
    page.get_by_text("Inspection recorded").wait_for()

    page.get_by_role("link", name="Add a finding").click()
    page.get_by_label("Area for priority action").check()
    page.get_by_label("Number in the report").fill("1")
    page.get_by_label("The finding, as the report wrote it").fill("Improve the timeliness of EHC needs assessments.")
    page.get_by_label("Actions that answer it (optional)").fill("EHC-B1, EHC-C1, NOPE")
    page.get_by_role("button", name="Add the finding").click()
    page.get_by_text("There is no action with the ref NOPE in this plan").first.wait_for()
    assert_accessible(page, "with an error on the finding form")
    page.get_by_label("Actions that answer it (optional)").fill("EHC-B1, EHC-C1")
    page.get_by_role("button", name="Add the finding").click()
    page.get_by_text("Priority action 1 recorded").wait_for()
    assert page.get_by_role("link", name="EHC-B1").count() == 1 and page.get_by_text("Progress: 2 actions").count() == 1
    assert_accessible(page, "on the findings page")
    page.set_viewport_size({"width": 320, "height": 800})
    edge = page.evaluate("document.documentElement.clientWidth")
    widest = page.evaluate("() => Math.max(...[...document.querySelectorAll('main table')].map(t => t.getBoundingClientRect().right))")
    assert widest <= edge, "on a phone each action is a block within the page, none of it past the edge"
    page.set_viewport_size({"width": 1280, "height": 800})
    # Each action's ref stays on one line in its narrow column ("EHC-B1", never "EHC-" over "B1").
    refs = "[...document.querySelectorAll('main tbody th a')]"
    split = page.evaluate(f"() => {refs}.filter(a => a.getClientRects().length > 1).map(a => a.textContent)")
    assert page.get_by_role("link", name="EHC-C1").count() == 1 and split == []

    page.get_by_role("button", name="Produce an evidence pack for priority action 1").click()
    page.get_by_text("The evidence pack is ready").wait_for(timeout=60000)
    assert_accessible(page, "on the evidence pack page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the evidence files", exact=False).click()
    path = tmp_path / "pack.zip"
    download.value.save_as(path)
    assert zipfile.ZipFile(path).namelist() == ["index-of-evidence.csv"]  # the plan's imported updates carry no files
    pack = EvidencePack.objects.get()
    assert pack.finding == Finding.objects.get() and pack.requested_by == officer
