"""The priority action plan's due date: reckoned from the report, in the calendar, chased like an action, closed by what follows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from actions.models import Notification
from governance.cycle import cycle_for, priority_action_plan_due, priority_action_plans_chase, working_days_after
from governance.models import Inspection

pytestmark = pytest.mark.django_db

DUE = dt.date(2025, 3, 14)  # 35 working days after Friday 24 January 2025, when the fixture's inspection ended


def test_working_days_skip_weekends():
    assert working_days_after(dt.date(2025, 1, 24), 1) == dt.date(2025, 1, 27)  # Friday to Monday
    assert working_days_after(dt.date(2025, 1, 24), 35) == DUE


def test_the_plan_is_due_35_working_days_after_the_report_and_says_how_it_stands(strategy, finding, inspection):
    plan = priority_action_plan_due(strategy, dt.date(2025, 3, 10))
    assert plan.inspection == inspection and plan.due == DUE and plan.standing == "Due in 4 days"
    assert priority_action_plan_due(strategy, DUE).standing == "Due today"
    assert priority_action_plan_due(strategy, DUE + dt.timedelta(days=1)).standing == "Overdue by 1 day"
    inspection.published_on = dt.date(2025, 3, 3)  # a published report counts from its publication
    inspection.save()
    assert priority_action_plan_due(strategy, DUE).due == dt.date(2025, 4, 21)


def test_no_plan_without_an_area_for_priority_action_and_none_once_an_inspection_follows(strategy, inspection, finding):
    assert "priority-action-plan" in {d.key for d in cycle_for(strategy, dt.date(2025, 2, 1))}
    Inspection.objects.create(
        strategy=strategy, kind=Inspection.Kind.MONITORING, started_on=dt.date(2026, 7, 6), ended_on=dt.date(2026, 7, 8)
    )
    assert priority_action_plan_due(strategy, dt.date(2026, 8, 1)) is None
    assert "priority-action-plan" not in {d.key for d in cycle_for(strategy, dt.date(2026, 8, 1))}


def test_no_plan_for_areas_for_improvement_only(strategy, inspection):
    inspection.findings.create(kind="improvement", number=1, text="Co-produce the local offer.")
    assert priority_action_plan_due(strategy, dt.date(2025, 2, 1)) is None


def told(user) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "message"))


def test_officers_are_reminded_as_the_plan_nears_and_chased_once_a_week_after_it_passes(strategy, finding, officer, board, owner):
    assert priority_action_plans_chase(today=DUE - dt.timedelta(days=40)) == 0  # too early
    priority_action_plans_chase(today=DUE - dt.timedelta(days=28))
    priority_action_plans_chase(today=DUE - dt.timedelta(days=27))  # the same step again: not told twice
    assert told(officer) == [("due_soon", f"The priority action plan is due on 14 March 2025: due in 28 days ({strategy.name})")]
    priority_action_plans_chase(today=DUE - dt.timedelta(days=7))
    priority_action_plans_chase(today=DUE)
    priority_action_plans_chase(today=DUE + dt.timedelta(days=1))
    priority_action_plans_chase(today=DUE + dt.timedelta(days=3))  # the same week overdue: not again
    priority_action_plans_chase(today=DUE + dt.timedelta(days=8))
    kinds = [kind for kind, _ in told(officer)]
    assert kinds == ["due_soon", "due_soon", "due_soon", "overdue", "overdue"]
    assert told(officer)[-1][1].startswith("The priority action plan was due on 14 March 2025: overdue by 8 days")
    assert told(board) == [] and told(owner) == []  # officers own the plan
    notice = Notification.objects.filter(recipient=officer).first()
    assert notice.link == f"/strategies/{strategy.pk}/priority-action-plan/" and notice.deadline == DUE
    assert list(Notification.objects.visible_to(officer)) != []  # shown on the officer's notifications page


def test_a_submitted_plan_is_no_longer_chased_or_in_the_calendar(strategy, finding, inspection, officer):
    inspection.plan_submitted_on = dt.date(2025, 3, 12)
    inspection.save()
    plan = priority_action_plan_due(strategy, DUE + dt.timedelta(days=30))
    assert plan.standing == "Submitted on 12 March 2025" and not plan.is_overdue
    assert priority_action_plans_chase(today=DUE + dt.timedelta(days=1)) == 0 and told(officer) == []
    assert "priority-action-plan" not in {d.key for d in cycle_for(strategy, DUE)}


def test_the_page_says_the_date_is_reckoned_from_the_inspection_s_last_day_until_the_report_is_published(
    client, officer, strategy, finding, inspection
):
    """Before a report is published the date counted from the inspection's end, while the page said "after the report
    was published": an officer could take a provisional date for the inspectorates' own."""
    client.force_login(officer)
    page = reverse("reporting:priority_action_plan_page", args=[strategy.pk])
    text = " ".join(client.get(page).content.decode().split())
    assert "after the last day of the inspection, as the date the report was published is not recorded yet" in text
    assert "after the report was published;" not in text
    inspection.published_on = dt.date(2025, 3, 3)
    inspection.save()
    text = " ".join(client.get(page).content.decode().split())
    assert "Reckoned as 35 working days after the report was published;" in text
    assert "last day of the inspection" not in text
