"""An officer readies the partnership for inspection on a phone: coverage, the self-evaluation and the priority action plan.

At 320 px nothing scrolls sideways and axe finds nothing on each page, while
a document is being written and once it is ready; the documents download.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from docx import Document

from actions.models import Action
from governance import framework
from governance.models import Finding, Inspection
from governance.self_evaluation import self_evaluation_draft, self_evaluation_save
from people.models import Membership
from tests.browser.conftest import assert_accessible
from tests.browser.test_reflow import LONG_URL, PAST_THE_EDGE
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_a_phone(page, what: str) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{what} is {width} px wide at 320 px: {page.evaluate(PAST_THE_EDGE)}"
    assert_accessible(page, f"on {what} at 320 px")


def test_an_officer_on_a_phone_reads_coverage_and_produces_the_self_evaluation_and_the_plan(
    one_plan, sign_in, live_server, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    officer = make_user("programme.officer@example.org", one_plan.partnership, Membership.Role.OFFICER)
    ended = timezone.localdate() - dt.timedelta(days=20)
    inspection = Inspection.objects.create(
        strategy=one_plan, started_on=ended - dt.timedelta(days=11), ended_on=ended, outcome="systemic", is_illustrative=True
    )
    finding = Finding.objects.create(
        inspection=inspection, kind=Finding.Kind.PRIORITY, number=1, text=f"Improve the timeliness of EHC plans: {LONG_URL}"
    )
    finding.actions.set(Action.objects.filter(strategy=one_plan, ref__startswith="EHC-B"))
    self_evaluation_draft(one_plan, user=officer, snapshot=None)
    self_evaluation_save(one_plan, user=officer, base=1, texts={"E1": {"strengths": f"Panels meet weekly. {LONG_URL}"}})

    page = sign_in(officer)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/strategies/{one_plan.pk}/framework/")
    assert page.get_by_role("heading", level=1).inner_text() == "Inspection framework coverage"
    fits_a_phone(page, "the coverage page")

    page.get_by_role("link", name="Self-evaluation").first.click()
    page.get_by_role("heading", name="Self-evaluation", level=1).wait_for()
    fits_a_phone(page, "the self-evaluation")
    # A strand at a time: open one from the list, write the partnership's words, and the list says it is done.
    e2 = page.locator("#strand-E2")
    assert " ".join(e2.locator(".govuk-task-list__status").inner_text().split()) == "Draft only"
    e2.get_by_role("link").click()
    page.get_by_role("heading", level=1, name="E2:", exact=False).wait_for()
    fits_a_phone(page, "a strand of the self-evaluation")
    page.get_by_label("Evidence").fill("Audit of 40 plans with the Parent Carer Forum")
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_text("E2 saved: version 3 of the self-evaluation.").wait_for()
    assert " ".join(page.locator("#strand-E2 .govuk-task-list__status").inner_text().split()) == "Own words written"
    page.locator("#strand-E1").get_by_role("link").click()
    assert f"Panels meet weekly. {LONG_URL}" in page.get_by_label("Strengths").input_value()
    fits_a_phone(page, "the strand holding a long address")
    page.get_by_role("link", name="Self-evaluation", exact=True).click()
    page.get_by_role("button", name="Produce as Word").click()
    page.get_by_text("The document is ready").wait_for(timeout=60000)
    fits_a_phone(page, "the self-evaluation's document page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the self-evaluation", exact=False).click()
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"][0] == f"E1: {framework.STRANDS[0].statement}"

    page.goto(f"{live_server.url}/strategies/{one_plan.pk}/priority-action-plan/")
    assert page.get_by_text("Due in ").count() == 1
    fits_a_phone(page, "the priority action plan")
    page.get_by_role("button", name="Produce as PDF").click()
    page.get_by_text("The document is ready").wait_for(timeout=60000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the priority action plan", exact=False).click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
