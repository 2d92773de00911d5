"""The board pack's risk and finance pages: as the snapshot froze them, restricted risks left out, within the page budget."""

from __future__ import annotations

import datetime as dt
import io

import lxml.html
import pytest
from django.core.management import call_command

from governance.services import snapshot_take
from reporting.report import board_pack_html
from risks.models import Risk
from risks.services import risk_rescore
from tests.reporting.test_board_pack_layout import assert_reads_in_ten_minutes, two_boards  # noqa: F401  (fixture)
from tests.reporting.test_board_report import unlabelled_cells

pytestmark = pytest.mark.django_db
# ruff: noqa: F811  (two_boards is a fixture)


@pytest.fixture
def seeded(one_plan):
    call_command("seed_risks_demo", stdout=io.StringIO())
    call_command("seed_finance_demo", stdout=io.StringIO())
    return one_plan


@pytest.mark.slow
def test_the_pack_holds_the_top_risks_heat_map_movement_and_the_finance_page_within_budget(seeded, two_boards):
    risk = Risk.objects.get(strategy=seeded, ref="R2")
    risk_rescore(risk=risk, version=None, scores={"residual_likelihood": 2}, reason="Backlog cleared.", by=None)
    third = snapshot_take(strategy=seeded, as_at=dt.date(2025, 9, 14))
    document = board_pack_html(third)
    risks = document.split('id="pack-risks"')[1].split("</section>")[0]
    assert "R1 Sufficiency of specialist places" in risks and "20 Extreme" in risks
    assert 'data-score="25"' in risks and "1 risk: R4" in risks  # every cell counted and named
    assert (
        'R2 Timeliness of EHC needs assessments</th><td data-label="Movement">Fallen</td><td data-label="Score then, now">16, 8</td>'
        in risks
    )
    assert "R10" not in document and "Provider contract dispute" not in document  # restricted: never in a pack
    finance = document.split('id="pack-finance"')[1].split("</section>")[0]
    assert "<svg" in finance and "£1.07bn" in finance and "£236.7m" in finance
    assert "M2 More local special school and resourced provision places (illustrative)" in finance
    assert "The top 5 risks by score" in document and "High-needs budget" in document
    # Every section's table cells, the risks' and the budget's among them, name their column for a phone.
    assert unlabelled_cells(lxml.html.fromstring(document)) == []
    # With the risk register and the budget beside the plan, the pack still reads in ten minutes: 16 pages at most,
    # every ref, no stranded heading, no page left mostly empty between sections.
    assert_reads_in_ten_minutes(third)


def test_the_contents_name_the_risk_and_finance_sections_as_a_sentence_like_the_others(seeded):
    document = lxml.html.fromstring(board_pack_html(snapshot_take(strategy=seeded, as_at=dt.date(2025, 9, 14))))
    entries = [" ".join(li.text_content().split()) for li in document.xpath("//ol[@class='cover-contents']/li")]
    assert "Risks: the top risks, the heat map and the risks that moved" in entries
    assert "Finance: the forecast and the mitigations' savings against plan" in entries
    assert [entry for entry in entries if ": " in entry and entry.split(": ", 1)[1][0].isupper()] == []


def test_an_action_becoming_at_risk_puts_its_risk_to_the_board_but_never_a_restricted_one(risk, restricted_risk, action, level, strategy):
    from actions.models import Action
    from reporting.report import board_pack_context

    def raised() -> list:
        snapshot = snapshot_take(strategy=strategy, as_at=dt.date.today() - dt.timedelta(days=len(strategy.snapshots.all())))
        return [item for item in board_pack_context(snapshot)["for_decision"] if item.source == "Rule: risk register"]

    restricted_risk.mitigating_actions.add(action)
    Action.objects.filter(pk=action.pk).update(rating=level("amber"), due_date=dt.date.today() + dt.timedelta(days=60))  # on track
    assert raised() == []
    Action.objects.filter(pk=action.pk).update(rating=level("red"))
    [item] = raised()
    assert item.title == "Risk R1: Sufficiency of specialist places"
    assert "Mitigating actions at risk, above target" in item.detail and item.refs == [action.ref]
