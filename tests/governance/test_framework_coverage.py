"""The inspection framework in the product: its edition named, things tagged to its strands, and each strand's coverage."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate
from coproduction.models import FamiliesView
from governance import framework
from governance.coverage import coverage_for
from governance.models import Inspection, StrandLink
from governance.self_evaluation import strand_draft
from tests.kpis.conftest import add_value

pytestmark = pytest.mark.django_db


def test_the_coverage_page_names_the_edition_and_shows_every_strand(client, board, strategy):
    client.force_login(board)
    page = client.get(reverse("governance:coverage", args=[strategy.pk])).content.decode()
    assert "in force from 6 June 2025" in page
    assert "has not yet been checked word for word against the June 2025 text" in page  # says what is not yet checked
    for strand in framework.STRANDS:
        assert f'id="strand-{strand.code}"' in page
    assert "11 of 11 strands lack an action, a measure or recent evidence" in page


def test_an_officer_tags_an_action_and_the_strand_shows_it_by_its_class(client, officer, strategy, group, action, level):
    at_risk = Action.objects.create(strategy=strategy, group=group, ref="SP2", text="Recover timeliness", rating=level("red"))
    client.force_login(officer)
    for tagged in (action, at_risk):
        response = client.post(reverse("governance:action_strands", args=[tagged.pk]), {"strands": ["E1"]})
        assert response.status_code == 302
    assert set(StrandLink.objects.values_list("strand", flat=True)) == {"E1"}

    cover = coverage_for(strategy).strands[0]
    assert [row.ref for row in cover.rows] == ["SP1", "SP2"]
    assert [row.ref for row in cover.at_risk] == ["SP2"]
    assert dict(cover.counts())["At risk"] == 1 and dict(cover.counts())["On track"] == 1

    page = client.get(reverse("governance:coverage", args=[strategy.pk])).content.decode()
    assert "1 at risk, 1 on track, 0 not started, 0 complete" in page


def test_a_strand_lists_its_actions_in_the_order_people_read_refs_and_folds_a_long_list(client, board, strategy, group, action, level):
    """SS2 before SS10, and a strand of many actions shows its counts with the list opening on request."""
    refs = ["SS10", "SS2", "SS1", "EHC-B1", "EHC-A7", "EHC-A10"]
    for ref in refs:
        tagged = Action.objects.create(strategy=strategy, group=group, ref=ref, text=f"Action {ref}", rating=level("green"))
        StrandLink.objects.create(strategy=strategy, strand="E1", action=tagged)
    StrandLink.objects.create(strategy=strategy, strand="E2", action=action)
    assert [row.ref for row in coverage_for(strategy).strands[0].rows] == ["EHC-A7", "EHC-A10", "EHC-B1", "SS1", "SS2", "SS10"]

    client.force_login(board)
    page = lxml.html.fromstring(client.get(reverse("governance:coverage", args=[strategy.pk])).content)
    e1, e2 = page.get_element_by_id("strand-E1"), page.get_element_by_id("strand-E2")
    folded = e1.xpath(".//details[@class='govuk-details']")
    assert len(folded) == 1 and " ".join(folded[0].find("summary").text_content().split()) == "Show the 6 actions of E1"
    assert [a.text for a in folded[0].xpath(".//li/a")] == ["EHC-A7", "EHC-A10", "EHC-B1", "SS1", "SS2", "SS10"]
    # One action is listed as it is: nothing to open.
    assert not e2.xpath(".//details") and [a.text for a in e2.xpath(".//li/a")][:1] == [action.ref]


def test_untagging_removes_the_strand_and_unknown_codes_are_refused(client, officer, strategy, action):
    client.force_login(officer)
    url = reverse("governance:action_strands", args=[action.pk])
    client.post(url, {"strands": ["E1", "L5"]})
    client.post(url, {"strands": ["L5"]})
    assert list(StrandLink.objects.values_list("strand", flat=True)) == ["L5"]
    response = client.post(url, {"strands": ["Z9"]})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert list(StrandLink.objects.values_list("strand", flat=True)) == ["L5"]


def test_a_strand_with_an_action_a_kpi_and_a_recent_update_is_evidenced(officer, strategy, action, indicator):
    StrandLink.objects.create(strategy=strategy, strand="E3", action=action)
    StrandLink.objects.create(strategy=strategy, strand="E3", indicator=indicator)
    add_value(indicator, "2025-04", "61", england="50.3")
    add_value(indicator, "2025-05", "64", england="50.3")
    ActionUpdate.objects.create(action=action, author=officer, rating_after=action.rating, narrative="Panel moved to weekly")
    cover = next(s for s in coverage_for(strategy).strands if s.strand.code == "E3")
    assert cover.gaps == []
    [(row, position)] = cover.kpi_lines
    # One sentence in the self-evaluation: every comparison in it begins in lower case, as the trend beside it does.
    assert position.startswith("64% in May 2025 (better than England (50.3%)") and "better than April 2025 (61%)" in position


def test_a_strand_flags_what_it_lacks(officer, strategy, action, indicator):
    StrandLink.objects.create(strategy=strategy, strand="L1", action=action)
    long_ago = timezone.now() - dt.timedelta(days=200)
    ActionUpdate.objects.create(action=action, author=officer, rating_after=action.rating, narrative="Old", created_at=long_ago)
    cover = next(s for s in coverage_for(strategy).strands if s.strand.code == "L1")
    assert cover.gaps == ["No measure", "No recent evidence"]


def test_a_strand_shows_the_families_view_and_open_findings_of_its_actions(partner, strategy, group, action, finding):
    StrandLink.objects.create(strategy=strategy, strand="E2", action=action)
    FamiliesView.objects.create(
        group=group, level="no_change", narrative="Parents still wait", source="PCF survey Q18", recorded_by=partner
    )
    cover = next(s for s in coverage_for(strategy).strands if s.strand.code == "E2")
    assert [v.narrative for v in cover.families] == ["Parents still wait"]
    assert [f.finding for f in cover.findings] == [finding]


def test_another_partnerships_officer_cannot_tag_or_read(client, outsider, strategy, action):
    client.force_login(outsider)
    assert client.get(reverse("governance:coverage", args=[strategy.pk])).status_code == 404
    assert client.post(reverse("governance:action_strands", args=[action.pk]), {"strands": ["E1"]}).status_code == 404
    assert not StrandLink.objects.exists()


def test_the_product_says_monitoring_inspection():
    assert Inspection.Kind.MONITORING.label == "Monitoring inspection"
    assert "monitoring visit" not in Inspection.Outcome.NONE.label


def test_a_strand_says_its_overdue_actions_are_among_those_counted_on_the_page_and_in_the_draft(client, officer, strategy, group, level):
    """An overdue action is in its class by its rating (here on track) and counted again as overdue: the words say so."""
    from governance.self_evaluation import self_evaluation_draft

    late = dt.date(2025, 1, 31)
    for ref, rating in (("SS1", "amber"), ("SS2", "amber"), ("SS3", "red")):
        tagged = Action.objects.create(
            strategy=strategy, group=group, ref=ref, text=f"Action {ref}", rating=level(rating), due_date=late, due_precision="day"
        )
        StrandLink.objects.create(strategy=strategy, strand="E1", action=tagged)
    Action.objects.filter(ref="SS2").update(due_date=timezone.localdate() + dt.timedelta(days=60))

    client.force_login(officer)
    page = lxml.html.fromstring(client.get(reverse("governance:coverage", args=[strategy.pk])).content)
    said = " ".join(page.get_element_by_id("strand-E1").text_content().split())
    assert "1 at risk, 2 on track, 0 not started, 0 complete; 2 of them are overdue." in said
    draft = self_evaluation_draft(strategy, user=officer, snapshot=None).sections.get(strand="E1").draft
    assert "Actions: 3 tagged (1 at risk, 2 on track; 2 of them are overdue)." in draft
    assert "Overdue:" not in draft  # never a class of its own beside the others


def test_each_open_finding_names_its_inspection_so_two_reports_numbered_alike_are_told_apart(
    client, officer, strategy, action, finding, django_assert_max_num_queries
):
    """A monitoring inspection's priority action 1 and the full inspection's were both listed as "Priority action 1"."""
    StrandLink.objects.create(strategy=strategy, strand="E1", action=action)
    later = Inspection.objects.create(
        strategy=strategy, kind=Inspection.Kind.MONITORING, started_on=dt.date(2026, 7, 6), ended_on=dt.date(2026, 7, 8)
    )
    later.findings.create(kind="priority", number=1, text="Still too slow.").actions.add(action)
    client.force_login(officer)
    page = lxml.html.fromstring(client.get(reverse("governance:coverage", args=[strategy.pk])).content)
    items = page.xpath("//h4[text()='Open inspection findings']/following-sibling::ul[1]/li")
    listed = [" ".join(li.text_content().split()) for li in items]
    assert [line.split(":")[0] for line in listed] == [
        "Priority action 1 (Monitoring inspection, July 2026)",
        "Priority action 1 (Full inspection, January 2025)",
    ]
    cover = next(s for s in coverage_for(strategy).strands if s.strand.code == "E1")
    with django_assert_max_num_queries(0):
        draft = strand_draft(cover)
    assert "Priority action 1 (Monitoring inspection, July 2026): " in draft
    assert "Priority action 1 (Full inspection, January 2025): " in draft
