"""The high-needs budget's pages: year by year figures, savings at risk from their actions, entry by finance leads, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from finance import reads
from finance.models import FinanceActual, FinancePlan, FinanceYear, Mitigation, MitigationSaving, SnapshotMitigation
from finance.services import actual_record
from governance.services import snapshot_take
from tests.conftest import date_boxes

pytestmark = pytest.mark.django_db


def test_a_board_member_reads_the_forecasts_as_a_finance_officer_writes_them(client, board, mitigation, strategy):
    client.force_login(board)
    page = client.get(reverse("finance:plan", args=[strategy.pk])).content.decode()
    assert "£1.07bn unmitigated, £236.7m with the plan's mitigations" in page
    assert "M1 More resourced provision in mainstream" in page
    assert "£17.5m over the plan" in page
    assert "Enter actual figures" not in page  # board members read only


def test_a_year_s_target_reads_as_a_target_not_as_a_figure_in_brackets(client, board, mitigation, strategy):
    # Brackets are how finance officers write a negative figure: a deficit target of £236.7m is not minus £236.7m.
    client.force_login(board)
    page = client.get(reverse("finance:plan", args=[strategy.pk])).content.decode()
    assert "target £236.7m" in page
    assert "(£236.7m)" not in page


def test_an_action_at_risk_puts_its_mitigations_savings_at_risk(client, board, mitigation, strategy, action, level):
    today = timezone.localdate()
    action.due_date = today + dt.timedelta(days=60)
    action.save()
    assert reads.finance_summary(strategy, today=today).totals["at_risk"] == 0
    action.rating = level("red")
    action.save()
    summary = reads.finance_summary(strategy, today=today)
    assert summary.totals["at_risk"] == Decimal("17500000.50")
    assert [row.at_risk for row in summary.years[:2]] == [Decimal("5000000"), Decimal("12500000.50")]
    client.force_login(board)
    assert "At risk</strong>" in client.get(reverse("finance:plan", args=[strategy.pk])).content.decode()


def test_a_year_whose_outturn_is_in_no_longer_counts_its_saving_at_risk_live_or_in_a_snapshot(
    client, finance_lead, mitigation, strategy, officer, action, level
):
    """A finance officer closes a year by entering its outturn (the figure as at 31 March): that year's saving was then
    achieved or missed, not at risk, however the actions that deliver it are rated afterwards."""
    action.rating = level("red")
    action.save()
    actual_record(mitigation=mitigation, year=2024, as_at=dt.date(2024, 12, 31), achieved=Decimal("3000000"), by=finance_lead)
    summary = reads.finance_summary(strategy, today=dt.date(2025, 6, 1))
    assert [row.at_risk for row in summary.years[:2]] == [Decimal("5000000"), Decimal("12500000.50")]
    actual_record(mitigation=mitigation, year=2024, as_at=dt.date(2025, 3, 31), achieved=Decimal("4200000"), by=finance_lead)
    summary = reads.finance_summary(strategy, today=dt.date(2025, 6, 1))
    assert [row.at_risk for row in summary.years[:2]] == [0, Decimal("12500000.50")]
    assert summary.totals["at_risk"] == Decimal("12500000.50") and summary.mitigations[0].at_risk
    # The snapshot freezes the same: the pack of that board says £12.5m at risk, not £17.5m.
    snapshot = snapshot_take(strategy=strategy, as_at=dt.date(2025, 6, 1), taken_by=officer)
    frozen = reads.finance_summary(strategy, today=dt.date(2025, 7, 1), snapshot=snapshot)
    assert frozen.totals["at_risk"] == Decimal("12500000.50")
    # Once every year it plans a saving for is closed, the mitigation is not for decision, however its actions stand.
    actual_record(mitigation=mitigation, year=2025, as_at=dt.date(2026, 3, 31), achieved=Decimal("9000000"), by=finance_lead)
    summary = reads.finance_summary(strategy, today=dt.date(2026, 6, 1))
    assert summary.totals["at_risk"] == 0 and not summary.mitigations[0].at_risk
    assert reads.savings_at_risk(strategy, dt.date(2026, 6, 1)) == []
    client.force_login(finance_lead)
    page = " ".join(client.get(reverse("finance:plan", args=[strategy.pk])).content.decode().split())
    assert "£0: their actions are at risk or overdue, in years whose outturn is not yet in" in page


def test_the_latest_actual_of_a_year_counts_and_the_forecast_follows_it(mitigation, strategy, finance_lead):
    actual_record(mitigation=mitigation, year=2024, as_at=dt.date(2024, 9, 30), achieved=Decimal("1000000"), by=finance_lead)
    actual_record(mitigation=mitigation, year=2024, as_at=dt.date(2025, 3, 31), achieved=Decimal("4200000"), by=finance_lead)
    first = reads.finance_summary(strategy, today=dt.date(2025, 4, 1)).years[0]
    assert first.achieved == Decimal("4200000")
    assert first.planned_forecast == Decimal("105000000") and first.achieved_forecast == Decimal("105800000")
    assert FinanceActual.objects.count() == 2  # the earlier figure stays in the history


def test_the_movement_since_the_last_snapshot_counts_what_changed(client, mitigation, strategy, finance_lead, officer, action, level):
    snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14), taken_by=officer)
    assert SnapshotMitigation.objects.count() == 2
    actual_record(mitigation=mitigation, year=2024, as_at=dt.date(2025, 3, 31), achieved=Decimal("4200000"), by=finance_lead)
    action.rating = level("red")
    action.save()
    movement = reads.finance_summary(strategy, today=dt.date(2025, 6, 1)).movement
    assert movement.as_at == dt.date(2025, 5, 14)
    assert (movement.achieved_then, movement.achieved_now) == (0, Decimal("4200000"))
    # 2024-25's outturn is in: its £5m was achieved or missed, no longer at risk; 2025-26's £12.5m is.
    assert (movement.at_risk_then, movement.at_risk_now) == (0, Decimal("12500000.50"))
    # Said as from and to: "at risk (£333.3m)", a fall in accounting brackets, read as a sum at risk.
    client.force_login(finance_lead)
    page = client.get(reverse("finance:plan", args=[strategy.pk])).content.decode()
    assert "Achieved from £0 to £4.2m; at risk from £0 to £12.5m" in page


def test_a_sum_that_has_not_moved_since_the_last_snapshot_reads_as_still_that_sum(
    client, mitigation, strategy, finance_lead, officer, action, level
):
    action.rating = level("red")
    action.save()
    snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14), taken_by=officer)
    # A figure part way through the year: the year is not closed, so its saving is still at risk.
    actual_record(mitigation=mitigation, year=2024, as_at=dt.date(2024, 12, 31), achieved=Decimal("4200000"), by=finance_lead)
    client.force_login(finance_lead)
    page = " ".join(client.get(reverse("finance:plan", args=[strategy.pk])).content.decode().split())
    assert "Achieved from £0 to £4.2m; at risk still £17.5m" in page  # not "from £17.5m to £17.5m"


def test_a_finance_lead_enters_an_actual(client, finance_lead, mitigation, strategy):
    client.force_login(finance_lead)
    data = {
        "mitigation": str(mitigation.pk),
        "year": "2024-25",
        **date_boxes("as_at", "31/3/2025"),
        "achieved": "£4.2m",
        "note": "Year end",
    }
    response = client.post(reverse("finance:actual_add", args=[strategy.pk]), data)
    assert response.status_code == 302
    assert FinanceActual.objects.get().achieved == Decimal("4200000.00")


def test_the_saving_achieved_says_how_to_type_an_amount_as_the_planned_savings_do(client, finance_lead, mitigation, strategy):
    client.force_login(finance_lead)
    page = client.get(reverse("finance:actual_add", args=[strategy.pk])).content.decode()
    assert '<div id="id_achieved-hint" class="govuk-hint">In pounds, for example 1200000 or £1.2m</div>' in page
    assert 'aria-describedby="id_achieved-hint"' in page


def test_an_actual_outside_the_plans_years_or_in_words_is_refused_beside_its_field(client, finance_lead, mitigation, strategy):
    client.force_login(finance_lead)
    data = {"mitigation": str(mitigation.pk), "year": "2031-32", **date_boxes("as_at", "31/3/2032"), "achieved": "about four million"}
    response = client.post(reverse("finance:actual_add", args=[strategy.pk]), data)
    page = response.content.decode()
    assert response.status_code == 422
    assert "2031-32 is outside the plan&#x27;s years: enter a year from 2024-25 to 2030-31" in page
    assert "The saving achieved: Enter an amount in pounds" in page
    assert not FinanceActual.objects.exists()


def test_a_misplaced_comma_in_an_actual_is_refused_not_saved_as_a_smaller_sum(client, finance_lead, mitigation, strategy):
    client.force_login(finance_lead)
    data = {"mitigation": str(mitigation.pk), "year": "2024-25", **date_boxes("as_at", "31/3/2025"), "achieved": "1,20"}
    response = client.post(reverse("finance:actual_add", args=[strategy.pk]), data)
    assert response.status_code == 422
    assert "The saving achieved: Commas go between thousands" in response.content.decode()
    assert not FinanceActual.objects.exists()


def test_an_actual_as_at_a_date_before_its_financial_year_is_refused_beside_the_date(client, finance_lead, mitigation, strategy):
    client.force_login(finance_lead)
    data = {"mitigation": str(mitigation.pk), "year": "2025-26", **date_boxes("as_at", "30/6/2024"), "achieved": "£1.2m"}
    response = client.post(reverse("finance:actual_add", args=[strategy.pk]), data)
    page = response.content.decode()
    assert response.status_code == 422 and 'href="#id_as_at"' in page
    assert "A figure for 2025-26 cannot be as at a date before the year began on 1 April 2025" in page
    assert not FinanceActual.objects.exists()
    data |= date_boxes("as_at", "31/3/2026")  # the year's end: its outturn
    assert client.post(reverse("finance:actual_add", args=[strategy.pk]), data).status_code == 302


def test_an_actual_as_at_a_date_after_its_financial_year_is_refused_so_it_cannot_outrank_later_figures(
    client, finance_lead, mitigation, strategy
):
    """The latest as-at date counts: a year mistyped (31/12/2030 for a 2026-27 figure) stood as the year's figure, and
    every correct figure entered after it was ignored."""
    client.force_login(finance_lead)
    data = {"mitigation": str(mitigation.pk), "year": "2025-26", **date_boxes("as_at", "31/12/2030"), "achieved": "£1.2m"}
    response = client.post(reverse("finance:actual_add", args=[strategy.pk]), data)
    page = response.content.decode()
    assert response.status_code == 422 and 'href="#id_as_at"' in page
    assert "A figure for 2025-26 cannot be as at a date after the year ended on 31 March 2026" in page
    assert not FinanceActual.objects.exists()


def test_an_empty_plan_or_actual_asks_for_each_year_in_words_of_its_own(client, officer, finance_lead, mitigation, strategy):
    client.force_login(officer)
    plan_page = client.post(reverse("finance:plan_edit", args=[strategy.pk]), {"name": "", "first": "", "last": "", "version": "1"})
    client.force_login(finance_lead)
    actual_page = client.post(reverse("finance:actual_add", args=[strategy.pk]), {"mitigation": str(mitigation.pk)})
    pages = plan_page.content.decode() + actual_page.content.decode()
    assert "Enter the plan&#x27;s first financial year, such as 2024-25" in pages
    assert "Enter the plan&#x27;s last financial year, such as 2030-31" in pages
    assert "Enter the financial year, such as 2025-26" in pages
    assert "This field is required" not in pages


def test_a_negative_grant_or_text_in_a_forecast_saves_none_of_the_figures(client, officer, finance_plan, strategy):
    client.force_login(officer)
    data = {"grant_2024": "-5m", "unmitigated_2025": "lots", "grant_2026": "61000000"}
    response = client.post(reverse("finance:figures_edit", args=[strategy.pk]), data)
    page = response.content.decode()
    assert response.status_code == 422
    assert "The high-needs grant for 2024-25 cannot be negative" in page
    assert "The unmitigated deficit forecast for 2025-26: Enter an amount in pounds" in page
    assert not FinanceYear.objects.filter(year=2026).exists()
    assert FinanceYear.objects.get(year=2024).grant == Decimal("60000000")


def test_each_year_s_figures_are_labelled_by_what_they_hold(client, officer, finance_plan, strategy):
    client.force_login(officer)
    page = client.get(reverse("finance:figures_edit", args=[strategy.pk])).content.decode()
    labels = {"grant": "High-needs grant", "unmitigated": "Unmitigated deficit forecast", "target": "Target deficit forecast"}
    for name, label in labels.items():
        assert f'<label class="govuk-label govuk-label--s" for="id_{name}_2024">{label}</label>' in page


def test_shrinking_the_plan_past_a_planned_saving_is_refused(client, officer, mitigation, strategy):
    client.force_login(officer)
    data = {"name": "DSG management plan", "first": "2025-26", "last": "2030-31", "version": "1"}
    response = client.post(reverse("finance:plan_edit", args=[strategy.pk]), data)
    assert "Savings are planned in 2024-25: keep that year in the plan" in response.content.decode()
    assert FinancePlan.objects.get().first_year == 2024


def test_an_officer_sets_up_a_plan_and_a_mitigation_with_savings_per_year(client, officer, strategy, action):
    client.force_login(officer)
    response = client.post(
        reverse("finance:plan_edit", args=[strategy.pk]), {"name": "DSG management plan", "first": "2024-25", "last": "2030/31"}
    )
    assert response.status_code == 302
    plan = FinancePlan.objects.get()
    assert list(plan.years) == list(range(2024, 2031))
    data = {"ref": "M1", "title": "Banding", "action_refs": "SP1", "planned_2025": "£2.5m", "planned_2026": "3,000,000"}
    assert client.post(reverse("finance:mitigation_add", args=[strategy.pk]), data).status_code == 302
    mitigation = Mitigation.objects.get()
    assert list(mitigation.actions.all()) == [action]
    assert dict(MitigationSaving.objects.values_list("year", "planned")) == {2025: Decimal("2500000"), 2026: Decimal("3000000")}


def test_a_second_mitigation_with_the_same_reference_in_any_case_is_refused(client, officer, mitigation, strategy):
    client.force_login(officer)
    response = client.post(reverse("finance:mitigation_add", args=[strategy.pk]), {"ref": " m1 ", "title": "Banding"})
    assert "There is already a mitigation m1: choose another reference" in response.content.decode()
    assert Mitigation.objects.count() == 1


def test_only_officers_and_finance_leads_change_the_plan_and_other_partnerships_see_nothing(
    client, owner, board, outsider, finance_lead, mitigation, strategy
):
    for person in (owner, board):
        client.force_login(person)
        assert client.get(reverse("finance:actual_add", args=[strategy.pk])).status_code == 403
        assert client.get(reverse("finance:mitigation_edit", args=[mitigation.pk])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("finance:plan", args=[strategy.pk])).status_code == 404
    assert client.get(reverse("finance:mitigation_edit", args=[mitigation.pk])).status_code == 404
    client.force_login(finance_lead)
    assert client.get(reverse("finance:mitigation_edit", args=[mitigation.pk])).status_code == 200


def test_the_spreadsheet_export_holds_each_mitigations_year_to_the_penny(mitigation, strategy):
    from finance.exports import mitigations_table

    table = mitigations_table(strategy, dt.date(2025, 6, 1))
    assert [[str(cell) for cell in row[3:5]] for row in table[1:]] == [["2024-25", "5000000.00"], ["2025-26", "12500000.50"]]


def test_the_mitigations_workbook_holds_amounts_as_numbers_a_finance_officer_can_add_up(client, finance_lead, mitigation, strategy):
    import io

    from openpyxl import load_workbook

    actual_record(mitigation=mitigation, year=2024, as_at=dt.date(2025, 3, 31), achieved=Decimal("4200000.25"), by=finance_lead)
    client.force_login(finance_lead)
    content = client.get(reverse("finance:mitigations_export", args=[strategy.pk])).content
    sheet = load_workbook(io.BytesIO(content)).active
    planned = [row[4] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in planned] == [Decimal("5000000"), Decimal("12500000.5")]
    assert all(cell.data_type == "n" and cell.number_format == "#,##0.00;-#,##0.00" for cell in planned)
    assert sheet["F2"].value == Decimal("4200000.25") and sheet["F3"].value is None  # achieved: none entered for 2025-26


def test_the_dashboard_headline_gives_savings_achieved_against_plan_and_at_risk(client, board, mitigation, strategy, finance_lead, action):
    action.due_date = timezone.localdate() + dt.timedelta(days=60)
    action.save()
    actual_record(mitigation=mitigation, year=2024, as_at=dt.date(2025, 3, 31), achieved=Decimal("4200000"), by=finance_lead)
    client.force_login(board)
    page = client.get(reverse("finance:headline", args=[strategy.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<strong>£4.2m</strong> savings achieved of £5.0m planned for the same years (£17.5m over the plan)" in page
    assert "2030-31: £1.07bn unmitigated, £236.7m with the plan" in page
    assert "For decision" not in page


def test_an_action_becoming_at_risk_puts_its_saving_for_decision_on_the_dashboard(client, board, mitigation, strategy, action, level):
    action.rating = level("red")
    action.save()
    client.force_login(board)
    page = client.get(reverse("finance:headline", args=[strategy.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert (
        "For decision" in page
        and "M1 More resourced provision in mainstream</a>: £17.5m of savings at risk, delivered by SP1 at risk" in page
    )


def test_saving_figures_over_someone_elses_is_refused(client, officer, finance_lead, finance_plan, strategy):
    url = reverse("finance:figures_edit", args=[strategy.pk])
    client.force_login(finance_lead)
    assert client.post(url, {"grant_2025": "£61m", "version": "1"}).status_code == 302
    client.force_login(officer)
    response = client.post(url, {"grant_2025": "£62m", "version": "1"})
    assert "Someone else changed this plan since you opened it" in response.content.decode()
    assert FinanceYear.objects.get(year=2025).grant == Decimal("61000000")


def test_the_mitigations_download_as_a_spreadsheet(client, board, mitigation, strategy):
    import io

    from openpyxl import load_workbook

    client.force_login(board)
    response = client.get(reverse("finance:mitigations_export", args=[strategy.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["Mitigations"]
    assert [row[3:5] for row in sheet.iter_rows(values_only=True)][1:] == [("2024-25", 5000000), ("2025-26", 12500000.5)]


def test_an_officer_makes_a_person_a_finance_lead_who_can_then_enter_figures(client, officer, board, partnership, finance_plan, strategy):
    from people.models import Membership

    membership = Membership.objects.get(user=board, partnership=partnership)
    client.force_login(officer)
    client.post(reverse("people:person_edit", args=[membership.pk]), {"role": "finance_lead"})
    assert Membership.objects.get(pk=membership.pk).role == Membership.Role.FINANCE_LEAD
    client.force_login(board)
    assert client.get(reverse("finance:actual_add", args=[strategy.pk])).status_code == 200


def test_a_mitigation_and_the_figures_save_unchanged_as_their_forms_were_filled_in(client, officer, mitigation, strategy):
    import re

    client.force_login(officer)
    for url in (reverse("finance:mitigation_edit", args=[mitigation.pk]), reverse("finance:figures_edit", args=[strategy.pk])):
        page = client.get(url).content.decode()
        fields = dict(re.findall(r'name="([a-z_0-9]+)" type="(?:text|hidden)"(?: value="([^"]*)")?', page))
        fields |= dict(re.findall(r'type="hidden" name="([a-z_0-9]+)" value="([^"]*)"', page))
        fields |= {name: value for name, value in re.findall(r'<textarea [^>]*name="([a-z_]+)"[^>]*>([^<]*)</textarea>', page)}
        assert client.post(url, fields).status_code == 302, url
    assert dict(MitigationSaving.objects.values_list("year", "planned")) == {2024: Decimal("5000000"), 2025: Decimal("12500000.50")}
    assert FinanceYear.objects.get(year=2030).unmitigated_forecast == Decimal("1070000000")


def test_the_dashboards_first_screen_line_gives_savings_achieved_against_plan(client, board, mitigation, strategy, finance_lead):
    actual_record(mitigation=mitigation, year=2024, as_at=dt.date(2025, 3, 31), achieved=Decimal("4200000"), by=finance_lead)
    client.force_login(board)
    page = client.get(reverse("reporting:dashboard", args=[strategy.pk])).content.decode()
    assert f'data-hx-get="{reverse("finance:headline", args=[strategy.pk])}?part=line"' in page
    line = client.get(reverse("finance:headline", args=[strategy.pk]) + "?part=line", HTTP_HX_REQUEST="true").content.decode()
    assert "<strong>High-needs budget:</strong> £4.2m savings achieved of £5.0m planned for the same years" in line
    assert "For decision" not in line and "<h2" not in line


def test_a_strategy_without_a_finance_plan_has_no_line_on_the_first_screen(client, board, strategy):
    client.force_login(board)
    line = client.get(reverse("finance:headline", args=[strategy.pk]) + "?part=line", HTTP_HX_REQUEST="true").content.decode()
    assert line.strip() == ""


def test_a_mitigation_lists_the_actions_delivering_it_in_plan_order_not_by_ref_as_text(client, board, mitigation, strategy, group, level):
    """Ordered by ref as text, SS10 came before SS2; the plan's own order reads SS2, then SS10."""
    for position, ref in ((2, "SS2"), (10, "SS10")):
        mitigation.actions.add(
            Action.objects.create(strategy=strategy, group=group, ref=ref, text=ref, position=position, rating=level("green"))
        )
    client.force_login(board)
    page = client.get(reverse("finance:plan", args=[strategy.pk])).content.decode()
    assert page.index(">SS2<") < page.index(">SS10<")


def test_the_first_screen_line_says_the_savings_at_risk_are_of_the_whole_plan(
    client, board, mitigation, strategy, action, level, finance_lead
):
    """Achieved is against the years so far; at risk is of every year's savings, so the line says so, not beside the years so far."""
    action.rating = level("red")
    action.save()
    actual_record(mitigation=mitigation, year=2024, as_at=dt.date(2025, 3, 31), achieved=Decimal("4200000"), by=finance_lead)
    client.force_login(board)
    line = client.get(reverse("finance:headline", args=[strategy.pk]) + "?part=line", HTTP_HX_REQUEST="true").content.decode()
    assert "£4.2m savings achieved of £5.0m planned for the same years;" in line
    # 2024-25's outturn is in, so only 2025-26's saving is still at risk.
    assert "£12.5m of the £17.5m planned over the plan at risk</a>" in line
