"""The pack's sections and their page allowances, what it asks the board to decide, and whose update it prints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from actions.models import Action, ActionUpdate
from governance.decisions import action_arising_record
from governance.models import Board as BoardModel
from governance.models import Meeting
from governance.services import snapshot_take
from kpis.models import Indicator, KpiValue, period_start
from reporting import for_decision, sections
from reporting.report import board_pack_context, board_pack_html


def test_the_sections_allowances_fit_the_pack_and_keep_slots_for_risks_and_finance():
    found = {section.key: section for section in sections.pack_sections()}
    assert sum(section.pages for section in found.values()) <= sections.PACK_PAGES == 16
    assert found["risks"].pages >= 1 and found["finance"].pages >= 1
    # The register and the budget fill their slots, each printing only when the snapshot has something to show.
    assert (found["risks"].when, found["finance"].when) == ("pack_has_risks", "pack_has_finance")
    with pytest.raises(KeyError):
        sections.fill_section("weather", template="reporting/pdf/sections/kpis.html")


def test_a_filled_slot_prints_its_section_with_its_providers_context(action, monkeypatch):
    monkeypatch.setattr(sections, "_SECTIONS", list(sections._SECTIONS))
    sections.fill_section("risks", template="reporting/pdf/sections/movement.html", provider=lambda context: {"movement": None}, when="")
    snapshot = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    context = board_pack_context(snapshot)
    assert [s.key for s in context["sections"]].index("risks") < [s.key for s in context["sections"]].index("appendix")
    assert "Risks" in [s.title for s in context["sections"]]


def test_the_board_is_asked_the_officers_items_first_then_what_providers_raise(action, monkeypatch):
    monkeypatch.setattr(for_decision, "_PROVIDERS", list(for_decision._PROVIDERS))
    for_decision.register_provider(lambda context: [for_decision.ForDecision("Approve the risk register", source="Risks")])
    snapshot = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    items = for_decision.officer_items_from("- Agree the SEND sufficiency plan\n\n* Note the <b>inspection</b> date\n")
    document = board_pack_html(snapshot, officer_items=items)
    opening = document.split('id="pack-summary"')[0]
    assert opening.index("Agree the SEND sufficiency plan") < opening.index("Note the &lt;b&gt;inspection&lt;/b&gt; date")
    assert opening.index("Note the &lt;b&gt;inspection&lt;/b&gt; date") < opening.index("Approve the risk register")


def test_an_action_overdue_three_months_is_put_to_the_board(action):
    Action.objects.filter(pk=action.pk).update(due_date=dt.date(2025, 1, 31))
    snapshot = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    (item,) = [i for i in board_pack_context(snapshot)["for_decision"] if i.source == "Rule: long overdue"]
    assert item.refs == [action.ref] and "1 action overdue" in item.title


def test_a_kpi_that_crossed_its_tolerance_is_put_to_the_board_with_its_figures_in_words(action):
    indicator = Indicator.objects.create(
        strategy=action.strategy,
        code="EHC-AVGWK",
        name="Average weeks to issue a new EHC plan",
        unit=Indicator.Unit.WEEKS,
        direction=Indicator.Direction.LOWER,
        frequency=Indicator.Frequency.ANNUAL,
        target=Decimal("23"),
        tolerance=Decimal("2"),
    )
    for period, value in (("2023", "26"), ("2024", "24.1")):
        KpiValue.objects.create(
            indicator=indicator, period=period, period_start=period_start(indicator.frequency, period), value=Decimal(value)
        )
    snapshot = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    (item,) = [i for i in board_pack_context(snapshot)["for_decision"] if i.source == "Rule: KPI crossed its target or tolerance"]
    assert item.title == "Agree the response to Average weeks to issue a new EHC plan, now within tolerance"
    assert item.detail == "24.1 weeks for 2024, better than 2023; target ≤ 23 weeks."


def test_an_exception_shows_its_latest_update_by_a_person_never_the_import(action, owner, level):
    Action.objects.filter(pk=action.pk).update(rating=level("red"))
    ActionUpdate.objects.create(
        action=action, author=owner, rating_before=level("amber"), rating_after=level("red"), narrative="Recruitment paused."
    )
    ActionUpdate.objects.create(
        action=action,
        rating_before=level("red"),
        rating_after=level("red"),
        narrative="Imported from actions.csv",
        source=ActionUpdate.Source.IMPORT,
    )
    snapshot = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 7, 14))
    (listed,) = board_pack_context(snapshot)["risk_listed"]
    assert listed.update.narrative == "Recruitment paused." and listed.update.author == owner


def test_an_exception_with_only_its_import_says_so(action, level):
    Action.objects.filter(pk=action.pk).update(rating=level("red"))
    ActionUpdate.objects.create(
        action=action, rating_before=level("amber"), rating_after=level("red"), narrative="Imported", source=ActionUpdate.Source.IMPORT
    )
    snapshot = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 7, 14))
    exceptions = board_pack_html(snapshot).split('id="pack-exceptions"')[1]
    assert "No update since the plan was imported" in exceptions and "Imported" not in exceptions.split("Also to note")[0].replace(
        "imported", ""
    )


def test_the_pack_opens_with_the_last_meetings_actions_arising_and_their_state(action, officer, owner_post, strategy):
    board = BoardModel.objects.create(partnership=strategy.partnership, name="SEND and AP Partnership Board")
    held = Meeting.objects.create(board=board, strategy=strategy, date=dt.date(2025, 5, 20), status=Meeting.Status.HELD)
    arising = action_arising_record(
        meeting=held, text="Bring the sufficiency plan to the July board", owner=owner_post, due_date=dt.date(2025, 7, 1), by=officer
    )
    snapshot = snapshot_take(strategy=strategy, as_at=dt.date(2025, 7, 14))
    document = board_pack_html(snapshot)
    opening = document.split('id="pack-decide"')[0]
    assert "Actions arising from the SEND and AP Partnership Board, 20 May 2025" in opening
    assert arising.action.ref in opening and "Bring the sufficiency plan to the July board" in opening
    assert "Overdue (" in opening  # due 1 July, not complete by 14 July: its state in words


def test_the_items_an_officer_writes_on_the_request_open_the_rendered_pack(client, action, officer, settings):
    from pypdf import PdfReader

    from reporting.models import BoardReport
    from reporting.services import board_report_render

    snapshot = snapshot_take(strategy=action.strategy, as_at=dt.date(2025, 5, 14))
    client.force_login(officer)
    client.post(
        reverse("reporting:report_request", args=[action.strategy_id]),
        {"snapshot": snapshot.pk, "for_decision": "Agree the SEND sufficiency plan\nNote the inspection date"},
    )
    report = board_report_render(BoardReport.objects.get(snapshot=snapshot))
    report.refresh_from_db()
    first_page = PdfReader(settings.PRIVATE_MEDIA_ROOT / "board-reports" / report.file_name).pages[0].extract_text()
    assert "Agree the SEND sufficiency plan" in " ".join(first_page.split())
    assert "Note the inspection date" in " ".join(first_page.split())
