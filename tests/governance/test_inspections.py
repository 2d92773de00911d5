"""Inspections and findings: recorded by officers, linked to actions and KPIs from either side, their progress by the rule book."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate
from governance.inspections import findings_for, findings_unaddressed
from governance.models import Finding, Inspection
from governance.services import snapshot_take
from kpis.models import Indicator, Travel
from reporting.report import board_pack_context
from tests.conftest import date_boxes
from tests.kpis.conftest import add_value

pytestmark = pytest.mark.django_db


def inspection_post(**overrides) -> dict:
    data = {
        "kind": "full",
        **date_boxes("started_on", dt.date(2024, 2, 12)),
        **date_boxes("ended_on", dt.date(2024, 2, 23)),
        **date_boxes("published_on", dt.date(2024, 4, 10)),
        "inspectorates": ["ofsted", "cqc"],
        "outcome": "inconsistent",
        "report_url": "https://reports.ofsted.gov.uk/provider/44/80533",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_an_officer_records_an_inspection_with_the_frameworks_outcome(client, officer, strategy):
    client.force_login(officer)
    response = client.post(reverse("governance:inspection_create", args=[strategy.pk]), inspection_post())
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#inspection-{inspection.pk}")
    assert (inspection.started_on, inspection.ended_on, inspection.inspectorates) == (
        dt.date(2024, 2, 12),
        dt.date(2024, 2, 23),
        ["ofsted", "cqc"],
    )
    page = client.get(reverse("reporting:findings", args=[strategy.pk])).content.decode()
    assert "lead to inconsistent experiences and outcomes for children and young people" in page
    assert "Ofsted and CQC" in page and 'href="https://reports.ofsted.gov.uk/provider/44/80533"' in page


def test_a_long_finding_offered_to_an_action_is_cut_at_a_word_with_an_ellipsis(client, officer, finding, action):
    Finding.objects.filter(pk=finding.pk).update(text="Leaders should urgently improve the timeliness " * 8)
    client.force_login(officer)
    page = client.get(reverse("governance:action_findings", args=[action.pk])).content.decode()
    label = re.search(r"Priority action 1 \([^)]*\): ([^<]*)</label>", page)[1].strip()
    assert label == ("Leaders should urgently improve the timeliness " * 4).strip() + "…"  # 24 whole words, then the ellipsis


def test_a_new_inspection_has_no_type_or_outcome_chosen_until_the_officer_chooses_them(client, officer, strategy):
    client.force_login(officer)
    page = client.get(reverse("governance:inspection_create", args=[strategy.pk])).content.decode()
    assert 'name="kind"' in page and 'name="outcome"' in page
    assert not re.findall(r'<input[^>]*name="(?:kind|outcome)"[^>]*checked', page)
    response = client.post(reverse("governance:inspection_create", args=[strategy.pk]), inspection_post(kind="", outcome=""))
    page = response.content.decode()
    assert not Inspection.objects.exists()
    assert "Select the type of inspection" in page and "Select the outcome, or that there is no overall outcome" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (date_boxes("ended_on", dt.date(2024, 2, 1)), "ended_on", "must be the same as or after the first day"),
        ({"started_on_day": "", "started_on_month": "", "started_on_year": ""}, "started_on", "Enter the first day of the inspection"),
        ({"started_on_day": "31", "started_on_month": "2"}, "started_on", "must be a real date"),
        # A day too large for any date was a server error until the fuzz sent its hostile values to the three boxes.
        ({"started_on_day": "9223372036854775808"}, "started_on", "must be a real date"),
        ({"started_on_month": ""}, "started_on", "must include a month"),
        ({"inspectorates": []}, "inspectorates", "Select the inspectorates"),
        ({"report_url": "javascript:alert(1)"}, "report_url", "starting with https://"),
        # A year mistyped put the report, or the plan, before the inspection: its plan came out due before it began.
        (date_boxes("published_on", dt.date(2023, 4, 10)), "published_on", "published on or after the last day of the inspection"),
        (date_boxes("plan_submitted_on", dt.date(2023, 5, 1)), "plan_submitted_on", "submitted on or after the last day"),
        # Dates still to come: a plan recorded as submitted next year was no longer chased from today.
        (date_boxes("published_on", dt.date.today() + dt.timedelta(days=400)), "published_on", "must be today or in the past"),
        (date_boxes("plan_submitted_on", dt.date.today() + dt.timedelta(days=400)), "plan_submitted_on", "must be today or in the past"),
        # Recorded with no outcome, a full inspection was silently left out of the inspection cycle and the calendar.
        ({"outcome": "none"}, "outcome", "A full inspection reports one of the three outcomes"),
    ],
)
def test_a_bad_inspection_is_refused_with_a_message_by_the_field(client, officer, strategy, overrides, field, message):
    client.force_login(officer)
    response = client.post(reverse("governance:inspection_create", args=[strategy.pk]), inspection_post(**overrides))
    page = response.content.decode()
    assert response.status_code == 200 and not Inspection.objects.exists()
    assert "There is a problem" in page and f'href="#id_{field}"' in page and message in page
    assert f'id="id_{field}"' in page  # the summary's link lands on the field


def test_an_officer_records_a_finding_linked_to_actions_by_ref_and_to_kpis(client, officer, inspection, action, make_action, indicator):
    other = make_action(ref="EHC-B1")
    client.force_login(officer)
    url = reverse("governance:finding_create", args=[inspection.pk])
    response = client.post(
        url,
        {
            "kind": "priority",
            "number": "1",
            "text": "Improve timeliness.",
            "action_refs": f"{action.ref}, ehc-b1",
            "indicators": [indicator.pk],
        },
    )
    finding = Finding.objects.get()
    assert response.status_code == 302
    assert set(finding.actions.all()) == {action, other} and list(finding.indicators.all()) == [indicator]
    edit = client.get(reverse("governance:finding_edit", args=[finding.pk])).content.decode()
    assert "EHC-B1, SP1" in edit


def test_a_findings_actions_may_be_typed_separated_by_spaces(client, officer, inspection, action, make_action):
    other = make_action(ref="EHC-B1")
    client.force_login(officer)
    url = reverse("governance:finding_create", args=[inspection.pk])
    assert "separated by commas or spaces" in client.get(url).content.decode()
    response = client.post(url, {"kind": "priority", "number": "1", "text": "Improve timeliness.", "action_refs": f"{action.ref} ehc-b1"})
    assert response.status_code == 302
    assert set(Finding.objects.get().actions.all()) == {action, other}


def test_a_finding_refuses_unknown_refs_and_another_plans_actions_and_a_duplicate_number(
    client, officer, inspection, finding, other_partnership, scheme
):
    from actions.models import DeliveryGroup, Priority, Strategy

    elsewhere = Strategy.objects.create(partnership=other_partnership, name="Other plan", scheme=scheme)
    priority = Priority.objects.create(strategy=elsewhere, name="P")
    group = DeliveryGroup.objects.create(strategy=elsewhere, priority=priority, name="G")
    Action.objects.create(strategy=elsewhere, group=group, ref="THEIRS1", text="Not ours", rating=scheme.levels.first())
    client.force_login(officer)
    url = reverse("governance:finding_create", args=[inspection.pk])
    response = client.post(url, {"kind": "priority", "number": "1", "text": "Again.", "action_refs": "THEIRS1, NOPE9"})
    page = response.content.decode()
    assert response.status_code == 200 and Finding.objects.count() == 1
    assert "There is no action with the ref THEIRS1, NOPE9 in this plan" in page
    assert "There is already an area for priority action 1: choose another number" in page


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("99999999", "That number is too large: enter its number in the report, such as 1"),
        ("-3", "The number must be a whole number, such as 1"),
    ],
)
def test_a_finding_number_out_of_range_is_refused_in_words_not_with_a_limit(client, officer, inspection, number, message):
    client.force_login(officer)
    url = reverse("governance:finding_create", args=[inspection.pk])
    page = client.post(url, {"kind": "priority", "number": number, "text": "Kept words.", "action_refs": ""}).content.decode()
    assert page.count(message) == 2 and "Ensure this value" not in page and "32767" not in page
    assert "Kept words." in page and not Finding.objects.exists()


def test_an_action_and_a_kpi_are_linked_to_findings_from_their_own_side(client, officer, finding, make_action, indicator):
    other = make_action(ref="QA1")
    client.force_login(officer)
    response = client.post(reverse("governance:action_findings", args=[other.pk]), {"findings": [finding.pk]})
    assert response.status_code == 302 and response.url == other.get_absolute_url()
    client.post(reverse("governance:indicator_findings", args=[indicator.pk]), {"findings": [finding.pk]})
    assert other in finding.actions.all() and indicator in finding.indicators.all()
    action_page = client.get(other.get_absolute_url()).content.decode()
    assert "Inspection findings it answers" in action_page and "Priority action 1" in action_page
    # Unticking from the action's side removes the link.
    client.post(reverse("governance:action_findings", args=[other.pk]), {})
    assert other not in finding.actions.all()


def test_a_findings_progress_follows_the_rule_book(inspection, strategy, make_action, level):
    today = timezone.localdate()
    finding = Finding.objects.create(inspection=inspection, kind=Finding.Kind.PRIORITY, number=1, text="Timeliness")
    finding.actions.set(
        [
            make_action(ref="C1", rating="green", due=today - dt.timedelta(days=40)),  # complete, even though past due
            make_action(ref="T1", rating="amber", due=today + dt.timedelta(days=90)),  # on track
            make_action(ref="O1", rating="amber", due=today - dt.timedelta(days=40)),  # on track, and overdue beside it
            make_action(ref="R1", rating="red", due=today + dt.timedelta(days=90)),  # at risk
            make_action(ref="N1", rating="grey", due=None),  # not started
        ]
    )
    (progress,) = findings_for(strategy)[0].findings
    # Each action in one class, as the dashboard counts it; overdue counted beside, overlapping the classes.
    assert progress.counts == {"at_risk": 1, "on_track": 2, "not_started": 1, "complete": 1, "overdue": 1}
    assert progress.summary() == "5 actions: 1 at risk, 2 on track, 1 not started, 1 complete; 1 of them is overdue"


def test_a_kpis_travel_is_measured_from_the_value_at_the_inspection(inspection, finding, indicator):
    add_value(indicator, "2024-12", "60")
    add_value(indicator, "2025-01", "62")  # the inspection ended in January 2025
    add_value(indicator, "2025-06", "71")
    finding.indicators.add(indicator)
    (kpi,) = findings_for(inspection.strategy)[0].findings[0].kpis
    assert kpi.at_inspection.period == "2025-01" and kpi.row.latest.period == "2025-06" and kpi.travel == Travel.BETTER
    lower = Indicator.objects.create(
        strategy=inspection.strategy, code="AVG", name="Average weeks", unit="weeks", direction="lower", frequency="monthly"
    )
    add_value(lower, "2025-01", "30")
    add_value(lower, "2025-05", "33")
    finding.indicators.add(lower)
    travels = {k.indicator.code: k.travel for k in findings_for(inspection.strategy)[0].findings[0].kpis}
    assert travels["AVG"] == Travel.WORSE


def test_the_findings_page_says_a_kpi_has_no_value_since_the_inspection_and_writes_kpis_so(client, board, inspection, finding, indicator):
    add_value(indicator, "2024-12", "60")
    add_value(indicator, "2025-01", "62")  # the inspection ended in January 2025; nothing newer
    finding.indicators.add(indicator)
    later = Indicator.objects.create(
        strategy=inspection.strategy, code="NEW", name="Measured from June", unit="percentage", direction="higher", frequency="monthly"
    )
    add_value(later, "2025-06", "40")  # nothing before the inspection
    finding.indicators.add(later)
    client.force_login(board)
    page = " ".join(client.get(reverse("reporting:findings", args=[inspection.strategy_id])).content.decode().split())
    # Neither can be compared: said so, rather than "0 better, 0 worse" as if both had held steady.
    assert "2 KPIs since the inspection: 0 better, 0 worse; 2 with no value to compare yet" in page and "2 kpis" not in page
    assert 'data-label="Since the inspection">No value since the inspection<' in page
    assert 'data-label="Since the inspection">No value before the inspection<' in page
    assert "No earlier value" not in page  # there is one: the value at the inspection


def test_the_findings_page_shows_each_findings_actions_latest_narrative_and_progress(client, board, finding, action, level):
    Action.objects.filter(pk=action.pk).update(due_date=timezone.localdate() + dt.timedelta(days=60))
    ActionUpdate.objects.create(action=action, rating_after=level("amber"), narrative="Weekly timeliness huddles started <b>now</b>.")
    client.force_login(board)
    page = client.get(reverse("reporting:findings", args=[action.strategy_id])).content.decode()
    assert "Area for priority action 1" in page and "Improve the timeliness of EHC needs assessments." in page
    assert "Weekly timeliness huddles started &lt;b&gt;now&lt;/b&gt;." in page
    assert "Progress: 1 action: 1 on track." in page and "1 of 1 updated since the inspection" in page
    assert "Record an inspection" not in page and "Produce an evidence pack" not in page  # a board member reads only


@pytest.mark.parametrize("size", [5, 60])
def test_the_findings_page_issues_a_bounded_number_of_queries(
    client, officer, inspection, make_action, indicator, size, django_assert_max_num_queries
):
    for n in range(size // 5):
        finding = Finding.objects.create(inspection=inspection, kind=Finding.Kind.IMPROVEMENT, number=n + 1, text=f"Finding {n}")
        finding.actions.set([make_action(ref=f"F{n}-{i}") for i in range(5)])
        finding.indicators.add(indicator)
    add_value(indicator, "2025-01", "70")
    client.force_login(officer)
    with django_assert_max_num_queries(17):
        response = client.get(reverse("reporting:findings", args=[inspection.strategy_id]))
    assert response.status_code == 200 and response.content.decode().count('class="app-finding"') == size // 5


def test_another_partnerships_inspection_finding_and_pack_are_not_found(client, outsider, inspection, finding):
    client.force_login(outsider)
    for url in (
        reverse("reporting:findings", args=[inspection.strategy_id]),
        reverse("governance:inspection_edit", args=[inspection.pk]),
        reverse("governance:finding_create", args=[inspection.pk]),
        reverse("governance:finding_edit", args=[finding.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("reporting:evidence_pack_request", args=[inspection.strategy_id]), {"finding": finding.pk}).status_code == 404
    )


def test_a_finding_with_no_action_is_an_exception_on_the_dashboard(client, board, inspection, finding):
    lonely = Finding.objects.create(inspection=inspection, kind=Finding.Kind.IMPROVEMENT, number=1, text="Co-produce with families.")
    assert findings_unaddressed(inspection.strategy) == [lonely]
    client.force_login(board)
    page = client.get(reverse("reporting:dashboard", args=[inspection.strategy_id])).content.decode()
    assert "Inspection findings with no action (1)" in page and f"#finding-{lonely.pk}" in page and f"#finding-{finding.pk}" not in page


def test_the_board_pack_has_a_findings_section_from_the_snapshot_only_when_there_are_findings(strategy, action, officer, level, inspection):
    snapshot = snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14), taken_by=officer)
    assert board_pack_context(snapshot)["findings"] == []  # an inspection with no findings: no section
    finding = Finding.objects.create(inspection=inspection, kind=Finding.Kind.PRIORITY, number=1, text="Timeliness")
    finding.actions.add(action)
    action.rating = level("red")  # after the snapshot: the pack still shows the frozen rating
    action.save()
    (item,) = board_pack_context(snapshot)["findings"]
    assert item.findings[0].counts["on_track"] == 1 and item.findings[0].counts["at_risk"] == 0
    from reporting.report import board_pack_html

    html = board_pack_html(snapshot)
    assert 'id="pack-findings">Inspection findings</h2>' in html and "Priority action 1: Timeliness" in html


def test_areas_for_priority_action_are_listed_before_areas_for_improvement(inspection, strategy):
    Finding.objects.create(inspection=inspection, kind=Finding.Kind.IMPROVEMENT, number=1, text="Improvement")
    Finding.objects.create(inspection=inspection, kind=Finding.Kind.PRIORITY, number=2, text="Second priority")
    Finding.objects.create(inspection=inspection, kind=Finding.Kind.PRIORITY, number=1, text="First priority")
    listed = [p.finding.text for p in findings_for(strategy)[0].findings]
    assert listed == ["First priority", "Second priority", "Improvement"]


def test_saving_a_finding_someone_else_changed_meanwhile_is_refused_and_keeps_your_text(client, officer, finding):
    client.force_login(officer)
    url = reverse("governance:finding_edit", args=[finding.pk])
    loaded = client.get(url).content.decode()
    assert 'name="version" value="1"' in loaded
    client.post(url, {"kind": "priority", "number": "1", "text": "Their wording.", "action_refs": "SP1", "version": "1"})
    mine = {"kind": "priority", "number": "1", "text": "My wording.", "action_refs": "SP1", "version": "1"}
    response = client.post(url, mine)
    page = response.content.decode()
    finding.refresh_from_db()
    assert response.status_code == 200 and finding.text == "Their wording." and finding.version == 2
    assert "Someone else changed this since you opened it" in page and "My wording." in page
    assert 'name="version" value="2"' in page  # submitting again, having looked, saves
    assert client.post(url, {**mine, "version": "2"}).status_code == 302
    finding.refresh_from_db()
    assert finding.text == "My wording." and finding.version == 3


def test_saving_an_inspection_or_a_finding_says_so_and_returns_to_its_place_on_the_findings_page(client, officer, strategy, action):
    client.force_login(officer)
    findings = reverse("reporting:findings", args=[strategy.pk])

    def sent(name: str, pk: int, data: dict) -> tuple[str, list[str]]:
        response = client.post(reverse(f"governance:{name}", args=[pk]), data)
        return response.url, [str(message) for message in get_messages(response.wsgi_request)]  # not shown yet, so they pile up

    url, said = sent("inspection_create", strategy.pk, inspection_post())
    inspection = Inspection.objects.get()
    assert url == f"{findings}#inspection-{inspection.pk}" and said[-1] == f"Inspection recorded: {inspection}. Now add its findings."
    url, said = sent("inspection_edit", inspection.pk, inspection_post(notes="Revisit in a year.", version="1"))
    assert url == f"{findings}#inspection-{inspection.pk}" and said[-1] == f"Inspection saved: {inspection}."
    url, said = sent("finding_create", inspection.pk, {"kind": "priority", "number": "2", "text": "Plan transitions.", "action_refs": ""})
    finding = Finding.objects.get()
    assert url == f"{findings}#finding-{finding.pk}" and said[-1] == "Priority action 2 recorded."
    url, said = sent("finding_edit", finding.pk, {"kind": "improvement", "number": "2", "text": "Plan transitions.", "version": "1"})
    assert url == f"{findings}#finding-{finding.pk}" and said[-1] == "Improvement 2 saved."


def test_the_dashboard_and_the_findings_page_count_the_same_actions_on_track_and_say_overdue_overlaps(
    client, board, inspection, strategy, make_action
):
    """Before one classification the findings page counted an overdue on-track action as overdue only, the dashboard as on track."""
    today = timezone.localdate()
    Action.objects.filter(strategy=strategy).delete()
    finding = Finding.objects.create(inspection=inspection, kind=Finding.Kind.PRIORITY, number=1, text="Timeliness")
    finding.actions.set(
        [
            make_action(ref="T1", rating="amber", due=today + dt.timedelta(days=90)),
            make_action(ref="O1", rating="amber", due=today - dt.timedelta(days=40)),
            make_action(ref="R1", rating="red", due=today - dt.timedelta(days=40)),
        ]
    )
    client.force_login(board)
    dashboard = " ".join(re.sub(r"<[^>]+>", " ", client.get(reverse("reporting:dashboard", args=[strategy.pk])).content.decode()).split())
    findings = " ".join(re.sub(r"<[^>]+>", " ", client.get(reverse("reporting:findings", args=[strategy.pk])).content.decode()).split())
    assert "2 On track" in dashboard and "1 At risk" in dashboard and "2 Overdue" in dashboard
    said = "Overdue overlaps the other figures: 1 of the 2 on track and 1 of the 1 at risk are overdue."
    assert said in dashboard
    assert "3 actions: 1 at risk, 2 on track; 2 of them are overdue" in findings
    assert "2 On track" in findings and "2 Of which overdue" in findings
    # The page's own account of its counts agrees: overdue is among the classes, not counted first in place of them.
    assert "by what its rating means; those overdue are among them, counted again beside." in findings
