"""The register's pages: what each role sees, the heat map without colour alone, re-scoring with a reason, and bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import Membership
from risks.models import Risk, RiskScale, RiskScore
from tests.actions.conftest import make_action  # noqa: F401  (fixture)
from tests.conftest import date_boxes
from tests.markup import shown
from tests.risks.conftest import make_risk

pytestmark = pytest.mark.django_db
# ruff: noqa: F811  (make_action is a fixture)


def next_review() -> dict:
    """The next review date's three boxes, as the re-score form asks for them."""
    return date_boxes("review_date", timezone.localdate() + dt.timedelta(days=90))


def new_risk(owner_post, **changes) -> dict:
    """The new-risk form as an officer fills it in (R5, EHCP timeliness), with `changes` on top."""
    return {
        "ref": "R5",
        "title": "EHCP timeliness",
        "category": "statutory",
        "owner": str(owner_post.pk),
        "cause": "Rising requests; educational psychologist vacancies.",
        "effect": "Plans issued late; tribunals.",
        "inherent_likelihood": "5",
        "inherent_impact": "4",
        "residual_likelihood": "4",
        "residual_impact": "4",
        "target_likelihood": "2",
        "target_impact": "4",
        **next_review(),
        **changes,
    }


def test_the_register_shows_each_risk_its_score_in_words_and_the_heat_map_counts(client, board, risk, strategy):
    client.force_login(board)
    page = client.get(reverse("risks:register", args=[strategy.pk])).content.decode()
    assert "R1 Sufficiency of specialist places" in page
    assert "16 Extreme" in page  # likelihood 4 × impact 4, named as well as coloured
    assert "1 risk: R1" in page  # the heat map cell says how many and which
    assert "4 Likely" in page and "4 Major" in page  # the scale's words on the axes
    assert "SP1</a> on track" in page  # the mitigating action with its class from the rule book


def test_risks_of_equal_score_are_listed_as_people_count_them(client, board, strategy, owner_post):
    """R7 before R10, in the heat map's cell and the register's table, not R10 first as text sorts them."""
    for ref in ("R10", "R7", "R9"):
        make_risk(strategy, owner_post, ref=ref, title=f"Risk {ref}")
    client.force_login(board)
    page = client.get(reverse("risks:register", args=[strategy.pk])).content.decode()
    assert "3 risks: R7, R9, R10" in page
    listed = re.findall(r">(R\d+) Risk R\d+<", page)
    assert listed == ["R7", "R9", "R10"]


def test_a_partnership_relabels_its_scale_and_every_page_uses_its_words(client, officer, risk, strategy):
    client.force_login(officer)
    data = {f"likelihood_{n}": f"L{n} words" for n in range(1, 6)} | {f"impact_{n}": f"I{n} words" for n in range(1, 6)}
    response = client.post(reverse("risks:risk_scale", args=[strategy.pk]), data)
    assert response.status_code == 302
    page = client.get(risk.get_absolute_url()).content.decode()
    assert "4 L4 words" in page and "4 I4 words" in page


def test_another_partnership_is_told_the_risk_does_not_exist(client, outsider, risk, strategy):
    client.force_login(outsider)
    assert client.get(risk.get_absolute_url()).status_code == 404
    assert client.get(reverse("risks:register", args=[strategy.pk])).status_code == 404


def test_a_restricted_risk_is_hidden_from_a_board_member_until_the_officer_allows_the_role(client, board, risk, restricted_risk, strategy):
    client.force_login(board)
    page = client.get(reverse("risks:register", args=[strategy.pk])).content.decode()
    assert "Provider contract dispute" not in page and "R9" not in shown(page)
    assert client.get(restricted_risk.get_absolute_url()).status_code == 404
    RiskScale.objects.create(partnership=strategy.partnership, restricted_roles=[Membership.Role.BOARD_MEMBER])
    assert "Provider contract dispute" in client.get(reverse("risks:register", args=[strategy.pk])).content.decode()


def test_a_restricted_risks_owner_and_the_officer_read_it(client, group_lead, officer, restricted_risk):
    for person in (group_lead, officer):  # the group lead holds the risk's owner post
        client.force_login(person)
        assert client.get(restricted_risk.get_absolute_url()).status_code == 200


def test_the_owner_rescores_with_a_reason_and_the_history_keeps_both_scorings(client, owner, risk):
    client.force_login(owner)
    data = {
        "inherent_likelihood": "5",
        "inherent_impact": "4",
        "residual_likelihood": "3",
        "residual_impact": "4",
        "reason": "Two new resourced provisions opened in September.",
        "version": str(risk.version),
        **next_review(),
    }
    response = client.post(reverse("risks:risk_rescore", args=[risk.pk]), data)
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.residual_score == 12
    assert list(RiskScore.objects.filter(risk=risk).values_list("residual_likelihood", "residual_impact")) == [(3, 4), (4, 4)]
    page = client.get(risk.get_absolute_url()).content.decode()
    assert "Two new resourced provisions opened in September." in page


def test_a_score_outside_the_scale_or_no_reason_is_refused_beside_the_field_and_nothing_changes(client, owner, risk):
    client.force_login(owner)
    data = {"inherent_likelihood": "5", "inherent_impact": "4", "residual_likelihood": "7", "residual_impact": "x", "reason": ""}
    response = client.post(reverse("risks:risk_rescore", args=[risk.pk]), data)
    page = response.content.decode()
    assert response.status_code == 422
    assert "The likelihood with the controls must be on the scale, from 1 to 5" in page
    assert "The impact with the controls must be on the scale, from 1 to 5" in page
    assert "Enter why the score has changed" in page
    assert RiskScore.objects.filter(risk=risk).count() == 1


def test_a_rescore_is_the_review_it_sets_the_next_review_date_and_clears_review_overdue(client, officer, strategy, owner_post, action):
    risk = make_risk(strategy, owner_post, actions=[action], review_date=timezone.localdate() - dt.timedelta(days=7))
    client.force_login(officer)
    form = client.get(reverse("risks:risk_rescore", args=[risk.pk])).content.decode()
    assert 'name="review_date_day"' in form and "Re-scoring is a review" in form
    data = {
        "inherent_likelihood": "4",
        "inherent_impact": "4",
        "residual_likelihood": "4",
        "residual_impact": "4",
        "reason": "Reviewed at the board: the score stands.",
        "version": str(risk.version),
    }
    stale = client.post(reverse("risks:risk_rescore", args=[risk.pk]), data | date_boxes("review_date", risk.review_date))
    assert stale.status_code == 422 and "The next review date must be after today" in stale.content.decode()
    assert RiskScore.objects.filter(risk=risk).count() == 1
    later = timezone.localdate() + dt.timedelta(days=90)
    assert client.post(reverse("risks:risk_rescore", args=[risk.pk]), data | date_boxes("review_date", later)).status_code == 302
    risk.refresh_from_db()
    assert risk.review_date == later and RiskScore.objects.filter(risk=risk).count() == 2
    assert "Review overdue" not in client.get(reverse("risks:register", args=[strategy.pk])).content.decode()


def test_a_rescore_over_someone_elses_is_refused(client, owner, officer, risk):
    stale = str(risk.version)
    client.force_login(officer)
    base = {"inherent_likelihood": "5", "inherent_impact": "4", "residual_likelihood": "3", "residual_impact": "3", "reason": "First."}
    base |= next_review()
    assert client.post(reverse("risks:risk_rescore", args=[risk.pk]), base | {"version": stale}).status_code == 302
    client.force_login(owner)
    response = client.post(reverse("risks:risk_rescore", args=[risk.pk]), base | {"residual_likelihood": "4", "version": stale})
    assert "Someone else changed this risk since you opened it" in response.content.decode()
    risk.refresh_from_db()
    assert risk.residual_likelihood == 3


def test_board_members_partners_and_other_leads_cannot_change_a_risk(client, board, partner, other_lead, risk):
    for person in (board, partner, other_lead):
        client.force_login(person)
        assert client.get(reverse("risks:risk_rescore", args=[risk.pk])).status_code == 403
        assert client.get(reverse("risks:risk_edit", args=[risk.pk])).status_code == 403


def test_a_finance_lead_changes_finance_risks_only(client, partnership, strategy, lead_post, risk):
    from tests.conftest import make_user

    finance = make_user("finance@example.org", partnership, Membership.Role.FINANCE_LEAD)
    deficit = make_risk(strategy, lead_post, ref="R2", title="DSG deficit", category=Risk.Category.FINANCE)
    client.force_login(finance)
    assert client.get(reverse("risks:risk_rescore", args=[deficit.pk])).status_code == 200
    assert client.get(reverse("risks:risk_rescore", args=[risk.pk])).status_code == 403


def summary_and_page_order(page: str) -> tuple[list[str], list[str]]:
    """The fields the error summary links to, in its order, and the same fields in the order the form shows them."""
    summary, form = page.split('<div class="govuk-error-summary__body">', 1)[1].split("</ul>", 1)
    linked = re.findall(r'href="#(id_[a-z_]+)"', summary)
    return linked, sorted(linked, key=lambda field_id: form.index(f'id="{field_id}"'))


def test_the_error_summary_lists_a_risks_problems_in_the_order_of_the_form(client, officer, strategy, risk):
    client.force_login(officer)
    added = client.post(reverse("risks:risk_add", args=[strategy.pk]), {"ref": "R11", "title": "Transport costs"})
    linked, shown_order = summary_and_page_order(added.content.decode())
    assert "id_review_date" in linked and "id_inherent_likelihood" in linked and linked == shown_order
    rescored = client.post(reverse("risks:risk_rescore", args=[risk.pk]), {"residual_likelihood": "9", "version": str(risk.version)})
    linked, shown_order = summary_and_page_order(rescored.content.decode())
    assert linked[0] == "id_inherent_likelihood" and "id_reason" in linked and linked == shown_order


def test_an_officer_adds_a_risk_linking_actions_by_ref(client, officer, strategy, owner_post, action):
    client.force_login(officer)
    data = new_risk(owner_post, action_refs="sp1")
    response = client.post(reverse("risks:risk_add", args=[strategy.pk]), data)
    assert response.status_code == 302
    risk = Risk.objects.get(ref="R5")
    assert list(risk.mitigating_actions.all()) == [action]
    assert risk.scores.count() == 1


def test_a_risks_mitigating_actions_may_be_typed_separated_by_spaces(client, officer, strategy, owner_post, make_action):
    first, second = make_action(ref="1.1"), make_action(ref="1.2")
    client.force_login(officer)
    assert "separated by commas or spaces" in client.get(reverse("risks:risk_add", args=[strategy.pk])).content.decode()
    data = new_risk(owner_post, action_refs="1.1 1.2")
    assert client.post(reverse("risks:risk_add", args=[strategy.pk]), data).status_code == 302
    assert set(Risk.objects.get(ref="R5").mitigating_actions.all()) == {first, second}


@pytest.mark.parametrize("days_ago", [1, 0])
def test_a_new_risk_with_a_review_date_not_after_today_is_refused_as_a_re_score_is(client, officer, strategy, owner_post, days_ago):
    client.force_login(officer)
    data = new_risk(owner_post, **date_boxes("review_date", timezone.localdate() - dt.timedelta(days=days_ago)))
    response = client.post(reverse("risks:risk_add", args=[strategy.pk]), data)
    assert response.status_code == 422
    assert "The next review date must be after today" in shown(response.content.decode())
    assert not Risk.objects.filter(ref="R5").exists()


def test_adding_a_risk_with_bad_input_says_what_to_fix_and_saves_nothing(client, officer, strategy, owner_post, risk):
    client.force_login(officer)
    data = {
        "ref": "r1",
        "title": "",
        "category": "statutory",
        "owner": str(owner_post.pk),
        "cause": "c",
        "effect": "e",
        "inherent_likelihood": "0",
        "inherent_impact": "4",
        "residual_likelihood": "4",
        "residual_impact": "4",
        "target_likelihood": "2",
        "target_impact": "4",
        "action_refs": "SP1, NOPE",
        **date_boxes("review_date", "31/2/2025"),
    }
    response = client.post(reverse("risks:risk_add", args=[strategy.pk]), data)
    page = response.content.decode()
    assert response.status_code == 422
    for message in (
        "There is already a risk r1 in this register",
        "Enter the risk in a few words",
        "The likelihood before controls must be on the scale, from 1 to 5",
        "There is no action with the ref NOPE in this plan",
        "The next review date must be a real date",
    ):
        assert message in page
    assert Risk.objects.count() == 1


def test_the_score_with_controls_cannot_exceed_the_score_before_them(client, owner, risk):
    client.force_login(owner)
    data = {"inherent_likelihood": "2", "inherent_impact": "2", "residual_likelihood": "4", "residual_impact": "4", "reason": "x"}
    response = client.post(reverse("risks:risk_rescore", args=[risk.pk]), data | {"version": str(risk.version)} | next_review())
    assert "The score with the controls cannot be higher than the score before them" in response.content.decode()


def test_the_dashboard_headline_names_the_top_risks_and_those_for_decision(client, board, risk, restricted_risk, strategy, action, level):
    action.rating = level("red")
    action.save()
    client.force_login(board)
    page = client.get(reverse("risks:headline", args=[strategy.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page  # the fragment the dashboard loads
    assert "R1 Sufficiency of specialist places</a> <strong" in page and "16 Extreme" in page
    assert "mitigating actions at risk, above target" in page
    assert "R9" not in shown(page)  # restricted: not for a board member here


def test_the_dashboard_loads_the_risks_and_money_beside_the_plan(client, board, strategy):
    client.force_login(board)
    page = client.get(reverse("reporting:dashboard", args=[strategy.pk])).content.decode()
    assert f'data-hx-get="{reverse("risks:headline", args=[strategy.pk])}"' in page
    assert f'data-hx-get="{reverse("finance:headline", args=[strategy.pk])}"' in page


def test_the_register_downloads_as_a_spreadsheet_without_restricted_risks(client, board, risk, restricted_risk, strategy):
    import io

    from openpyxl import load_workbook

    client.force_login(board)
    response = client.get(reverse("risks:register_export", args=[strategy.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="send-strategy-2025-2028-risks-')
    sheet = load_workbook(io.BytesIO(response.content))["Risks"]
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["Ref", "R1"]


def test_the_register_spreadsheet_holds_scores_as_numbers_and_the_review_as_a_date_so_they_sort(client, officer, risk, strategy):
    import io

    from openpyxl import load_workbook

    make_risk(strategy, risk.owner, ref="R2", residual=(3, 3), inherent=(3, 3), target=(1, 1))
    client.force_login(officer)
    sheet = load_workbook(io.BytesIO(client.get(reverse("risks:register_export", args=[strategy.pk])).content))["Risks"]
    header = [cell.value for cell in sheet[1]]
    scores = [row[header.index("Score now")] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in scores] == [16, 9] and all(cell.data_type == "n" for cell in scores)
    review = sheet.cell(row=2, column=header.index("Review date") + 1)
    assert review.is_date and review.value.date() == risk.review_date


def test_the_owner_changes_what_the_risk_says_and_its_actions_but_an_edit_over_someone_elses_is_refused(
    client, owner, officer, risk, owner_post, make_action
):
    other = make_action(ref="SP2")
    url = reverse("risks:risk_edit", args=[risk.pk])
    data = {
        "ref": "R1",
        "title": "Sufficiency of local specialist places",
        "category": "sufficiency",
        "owner": str(owner_post.pk),
        "cause": risk.cause,
        "effect": risk.effect,
        "target_likelihood": "2",
        "target_impact": "2",
        "action_refs": "SP1, sp2",
        **next_review(),
        "version": str(risk.version),
    }
    client.force_login(owner)
    assert client.post(url, data).status_code == 302
    risk.refresh_from_db()
    assert risk.title == "Sufficiency of local specialist places" and risk.target_score == 4
    assert set(risk.mitigating_actions.values_list("ref", flat=True)) == {"SP1", other.ref}
    assert risk.residual_score == 16  # scores move only by a re-score
    client.force_login(officer)
    response = client.post(url, data | {"title": "Stale edit"})
    assert "Someone else changed this risk since you opened it" in response.content.decode()
    risk.refresh_from_db()
    assert risk.title == "Sufficiency of local specialist places"


def test_an_edit_keeps_an_overdue_review_date_left_as_it_was_but_refuses_a_new_one_not_after_today(client, owner, strategy, owner_post):
    risk = make_risk(strategy, owner_post, review_date=timezone.localdate() - dt.timedelta(days=7))
    url = reverse("risks:risk_edit", args=[risk.pk])
    data = {
        "ref": risk.ref,
        "title": "Sufficiency of local specialist places",
        "category": risk.category,
        "owner": str(owner_post.pk),
        "cause": risk.cause,
        "effect": risk.effect,
        "target_likelihood": str(risk.target_likelihood),
        "target_impact": str(risk.target_impact),
        "version": str(risk.version),
    }
    client.force_login(owner)
    moved = client.post(url, data | date_boxes("review_date", timezone.localdate() - dt.timedelta(days=1)))
    assert moved.status_code == 422 and "The next review date must be after today" in shown(moved.content.decode())
    assert client.post(url, data | date_boxes("review_date", risk.review_date)).status_code == 302
    risk.refresh_from_db()
    assert risk.title == "Sufficiency of local specialist places" and risk.review_date < timezone.localdate()


def test_the_edit_form_saves_unchanged_as_it_was_filled_in(client, owner, risk):
    """The review date is offered as day/month/year, which the form reads back (a date shown in words was refused)."""
    import re

    client.force_login(owner)
    url = reverse("risks:risk_edit", args=[risk.pk])
    page = client.get(url).content.decode()
    boxes = dict(
        re.findall(r'name="review_date_(day|month|year)" type="text" inputmode="numeric" spellcheck="false" value="([^"]*)"', page)
    )
    assert boxes == {"day": str(risk.review_date.day), "month": str(risk.review_date.month), "year": str(risk.review_date.year)}


def test_the_dashboards_first_screen_line_gives_the_top_risks_without_restricted_ones(client, board, risk, restricted_risk, strategy):
    client.force_login(board)
    page = client.get(reverse("reporting:dashboard", args=[strategy.pk])).content.decode()
    assert f'data-hx-get="{reverse("risks:headline", args=[strategy.pk])}?part=line"' in page
    line = client.get(reverse("risks:headline", args=[strategy.pk]) + "?part=line", HTTP_HX_REQUEST="true").content.decode()
    assert "<strong>Top risks:</strong>" in line and "R1 Sufficiency of specialist places</a> (16, extreme)" in line
    assert "R9" not in shown(line) and "Provider contract dispute" not in line


def test_a_risk_lists_its_mitigating_actions_in_plan_order_not_by_ref_as_text(client, board, risk, strategy, make_action):
    """Ordered by ref as text, SS10 came before SS2; the plan's own order reads SS2, then SS10."""
    for position, ref in ((2, "SS2"), (10, "SS10")):
        risk.mitigating_actions.add(make_action(ref=ref, position=position))
    client.force_login(board)
    page = client.get(reverse("risks:risk_detail", args=[risk.pk])).content.decode()
    assert page.index(">SS2</a>") < page.index(">SS10</a>")
