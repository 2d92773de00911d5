"""The self-evaluation: drafted from the tracker strand by strand, edited by officers into immutable versions, compared."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
from django.db import ProgrammingError, transaction
from django.urls import reverse

from governance import framework
from governance.models import SelfEvaluationSection, SelfEvaluationVersion, StrandLink
from governance.self_evaluation import StaleVersionError, self_evaluation_draft, self_evaluation_save
from governance.services import snapshot_take
from tests.kpis.conftest import add_value

pytestmark = pytest.mark.django_db


def sections_post(base: int, **texts) -> dict:
    data = {"base": str(base)}
    for key, text in texts.items():
        code, name = key.split("_", 1)
        data[f"{code}-{name}"] = text
    return data


def section(version: SelfEvaluationVersion, code: str) -> SelfEvaluationSection:
    return version.sections.get(strand=code)


def test_the_draft_says_what_is_on_track_and_at_risk_and_where_the_kpis_stand(officer, strategy, group, action, indicator, level):
    from actions.models import Action

    late = Action.objects.create(strategy=strategy, group=group, ref="SP9", text="Recover assessment timeliness", rating=level("red"))
    for tagged in (action, late):
        StrandLink.objects.create(strategy=strategy, strand="E1", action=tagged)
    StrandLink.objects.create(strategy=strategy, strand="E1", indicator=indicator)
    add_value(indicator, "2025-04", "48", england="50.3", region="55", statistical_neighbours="52")
    add_value(indicator, "2025-05", "52", england="50.3", region="55", statistical_neighbours="52")

    version = self_evaluation_draft(strategy, user=officer, snapshot=None)
    draft = section(version, "E1").draft
    assert "At risk: SP9 Recover assessment timeliness" in draft
    assert "On track or complete: SP1 Strengthen oversight" in draft
    assert "Better than England (50.3%)" in draft and "Worse than the region (55%)" in draft
    assert "Same as statistical neighbours (52%)" in draft and "better than 2025-04 (48%)" in draft
    assert section(version, "L6").draft.startswith("No action is tagged to this strand.")


def test_a_list_that_ends_in_a_cut_action_ends_once(officer, strategy, group, level):
    from actions.models import Action

    words = "Agree and implement arrangements to regularly review high-cost placements, including existing placements and new"
    long = Action.objects.create(strategy=strategy, group=group, ref="EHC-A6", text=words + " ones arising", rating=level("red"))
    StrandLink.objects.create(strategy=strategy, strand="E1", action=long)
    draft = section(self_evaluation_draft(strategy, user=officer, snapshot=None), "E1").draft
    [at_risk] = [line for line in draft.splitlines() if line.startswith("At risk:")]
    assert at_risk.endswith("…") and not at_risk.endswith("….")


def test_a_draft_from_a_snapshot_keeps_its_figures_after_the_plan_moves(officer, strategy, action, indicator, level):
    StrandLink.objects.create(strategy=strategy, strand="E3", action=action)
    StrandLink.objects.create(strategy=strategy, strand="E3", indicator=indicator)
    add_value(indicator, "2025-04", "61")
    snapshot = snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14), taken_by=officer)
    add_value(indicator, "2025-05", "90")
    action.rating = level("red")
    action.save()

    draft = section(self_evaluation_draft(strategy, user=officer, snapshot=snapshot), "E3").draft
    assert "61% in 2025-04" in draft and "90%" not in draft
    assert "At risk" not in draft


def test_an_officer_edits_into_a_new_version_and_the_draft_again_keeps_their_words(client, officer, strategy):
    client.force_login(officer)
    client.post(reverse("governance:self_evaluation_draft", args=[strategy.pk]), {"snapshot": ""})
    response = client.post(
        reverse("governance:self_evaluation", args=[strategy.pk]),
        sections_post(1, E1_strengths="Panels meet weekly", E1_improve="Timeliness <b>still</b> low"),
    )
    assert response.status_code == 302
    client.post(reverse("governance:self_evaluation_draft", args=[strategy.pk]), {"snapshot": ""})
    latest = SelfEvaluationVersion.objects.get(number=3)
    assert (section(latest, "E1").strengths, section(latest, "E1").improve) == ("Panels meet weekly", "Timeliness <b>still</b> low")
    assert [v.source for v in SelfEvaluationVersion.objects.order_by("number")] == ["drafted", "edited", "drafted"]
    page = client.get(reverse("governance:self_evaluation", args=[strategy.pk])).content.decode()
    assert "Timeliness &lt;b&gt;still&lt;/b&gt; low" in page


def test_a_save_from_an_older_version_is_refused_and_nothing_is_lost(client, officer, strategy):
    self_evaluation_draft(strategy, user=officer, snapshot=None)
    self_evaluation_save(strategy, user=officer, base=1, texts={"E1": {"strengths": "First officer's words"}})
    client.force_login(officer)
    response = client.post(reverse("governance:self_evaluation", args=[strategy.pk]), sections_post(1, E1_strengths="Second"))
    assert response.status_code == 409
    assert "Version 2 was saved since you began" in response.content.decode()
    assert section(SelfEvaluationVersion.objects.get(number=2), "E1").strengths == "First officer's words"
    with pytest.raises(StaleVersionError):
        self_evaluation_save(strategy, user=officer, base=1, texts={})


def test_versions_are_never_changed(officer, strategy):
    version = self_evaluation_draft(strategy, user=officer, snapshot=None)
    with pytest.raises(ProgrammingError), transaction.atomic():
        SelfEvaluationSection.objects.filter(version=version).update(strengths="rewritten")


def test_two_versions_compare_line_by_line(client, officer, strategy):
    self_evaluation_draft(strategy, user=officer, snapshot=None)
    self_evaluation_save(strategy, user=officer, base=1, texts={"L5": {"evidence": "Audit of 40 plans\nParent survey"}})
    self_evaluation_save(strategy, user=officer, base=2, texts={"L5": {"evidence": "Audit of 60 plans\nParent survey"}})
    client.force_login(officer)
    page = client.get(reverse("governance:self_evaluation_compare", args=[strategy.pk]) + "?from=2&to=3").content.decode()
    assert 'Removed: </span><strong aria-hidden="true">− </strong>Audit of 40 plans' in page
    assert 'Added: </span><strong aria-hidden="true">+ </strong>Audit of 60 plans' in page
    assert client.get(reverse("governance:self_evaluation_compare", args=[strategy.pk]) + "?from=2&to=9").status_code == 404


def test_only_officers_of_the_partnership_reach_it(client, board, outsider, strategy):
    url = reverse("governance:self_evaluation", args=[strategy.pk])
    client.force_login(board)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_the_page_opens_with_the_strands_each_leading_to_its_own_section(client, officer, strategy):
    """Eleven strands, each a draft and three boxes: the page is long, so it opens with a way to each strand."""
    self_evaluation_draft(strategy, user=officer, snapshot=None)
    client.force_login(officer)
    page = lxml.html.fromstring(client.get(reverse("governance:self_evaluation", args=[strategy.pk])).content)
    contents = page.xpath("//nav[@aria-labelledby='strands-heading']//a")
    assert [link.text.split(":")[0] for link in contents] == [strand.code for strand in framework.STRANDS]
    for link in contents:
        heading = page.get_element_by_id(link.get("href").removeprefix("#"))
        assert heading.tag == "h2" and heading.text_content().startswith(link.text.split(":")[0] + ":")
