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
    assert "52% in May 2025 (better than England (50.3%); worse than the region (55%)" in draft  # mid-sentence, in lower case
    assert "same as statistical neighbours (52%)" in draft and "better than April 2025 (48%)" in draft
    assert "Better than" not in draft and "Worse than" not in draft and "Same as" not in draft
    assert section(version, "L6").draft.startswith("No action is tagged to this strand.")


def test_what_families_say_reads_without_a_stop_inside_its_brackets(officer, partner, strategy, group, action):
    from coproduction.services import families_view_record

    StrandLink.objects.create(strategy=strategy, strand="E1", action=action)
    families_view_record(group=group, user=partner, level="worse", narrative="Decisions are not explained.", source="Forum survey")
    draft = section(self_evaluation_draft(strategy, user=officer, snapshot=None), "E1").draft
    [families] = [line for line in draft.splitlines() if line.startswith("What families say:")]
    assert families.endswith("Getting worse (Decisions are not explained).") and ".)" not in families


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
    assert "61% in April 2025" in draft and "90%" not in draft
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
    for url in (
        reverse("governance:self_evaluation_strand", args=[strategy.pk, "E1"]),
        reverse("governance:self_evaluation", args=[strategy.pk]) + "?show=all",
    ):
        assert "Timeliness &lt;b&gt;still&lt;/b&gt; low" in client.get(url).content.decode()


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


def test_the_page_lists_the_strands_with_what_is_left_to_do_each_opening_a_page_of_its_own(client, officer, strategy):
    """Eleven strands, each a draft and three boxes, made a page 13,762 px tall: it is a task list, one strand a page."""
    self_evaluation_draft(strategy, user=officer, snapshot=None)
    self_evaluation_save(strategy, user=officer, base=1, texts={"E2": {"evidence": "Audit of 40 plans"}})
    client.force_login(officer)
    response = client.get(reverse("governance:self_evaluation", args=[strategy.pk]))
    page = lxml.html.fromstring(response.content)
    assert not page.xpath("//textarea")
    items = page.xpath("//ul[@class='govuk-task-list']/li")
    assert [item.get("id") for item in items] == [f"strand-{strand.code}" for strand in framework.STRANDS]
    statuses = {item.get("id"): " ".join(item.xpath(".//*[@class='govuk-task-list__status']")[0].text_content().split()) for item in items}
    assert statuses["strand-E2"] == "Own words written" and statuses["strand-E1"] == "Draft only"
    for item in items:
        [link] = item.xpath(".//a")
        strand_page = lxml.html.fromstring(client.get(link.get("href")).content)
        [heading] = strand_page.xpath("//h1")
        assert heading.text_content().strip().startswith(item.get("id").removeprefix("strand-") + ":")
        assert len(strand_page.xpath("//textarea")) == 3
    # Everything on one page, as before, when asked for.
    everything = lxml.html.fromstring(client.get(reverse("governance:self_evaluation", args=[strategy.pk]) + "?show=all").content)
    assert len(everything.xpath("//form[@method='post']//textarea")) == 3 * len(framework.STRANDS)


def test_a_strand_saved_on_its_own_page_keeps_every_other_strand_and_returns_to_the_list(client, officer, strategy):
    self_evaluation_draft(strategy, user=officer, snapshot=None)
    self_evaluation_save(strategy, user=officer, base=1, texts={"E2": {"evidence": "Audit of 40 plans"}})
    client.force_login(officer)
    url = reverse("governance:self_evaluation_strand", args=[strategy.pk, "E1"])
    page = client.get(url).content.decode()
    assert 'name="base" value="2"' in page and 'name="E2-evidence"' not in page
    response = client.post(url, {"base": "2", "E1-strengths": "Panels meet weekly", "E1-improve": "", "E1-evidence": ""}, follow=True)
    assert response.redirect_chain[-1][0].endswith("#strand-E1")
    assert "E1 saved: version 3 of the self-evaluation." in response.content.decode()
    latest = SelfEvaluationVersion.objects.get(number=3)
    assert section(latest, "E1").strengths == "Panels meet weekly"
    assert section(latest, "E2").evidence == "Audit of 40 plans"
    assert section(latest, "E1").draft == section(SelfEvaluationVersion.objects.get(number=1), "E1").draft


def test_a_strand_saved_from_an_older_version_is_refused_with_the_words_kept_on_the_page(client, officer, strategy):
    self_evaluation_draft(strategy, user=officer, snapshot=None)
    self_evaluation_save(strategy, user=officer, base=1, texts={"E1": {"strengths": "First officer's words"}})
    client.force_login(officer)
    url = reverse("governance:self_evaluation_strand", args=[strategy.pk, "E1"])
    response = client.post(url, {"base": "1", "E1-strengths": "Second <officer's> words"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Version 2 was saved since you began" in page and "Second &lt;officer&#x27;s&gt; words" in page
    assert SelfEvaluationVersion.objects.count() == 2


def test_a_strand_page_is_for_the_partnership_s_officers_and_real_strands_only(client, officer, board, outsider, strategy):
    self_evaluation_draft(strategy, user=officer, snapshot=None)
    url = reverse("governance:self_evaluation_strand", args=[strategy.pk, "E1"])
    client.force_login(board)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(officer)
    assert client.get(reverse("governance:self_evaluation_strand", args=[strategy.pk, "Z9"])).status_code == 404
