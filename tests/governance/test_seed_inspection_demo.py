"""The demo's inspection cycle: areas for priority action bring the framework's outcome, a plan submitted, what comes next."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance.cycle import cycle_for, priority_action_plan_due
from governance.models import Inspection, SelfEvaluationVersion
from tests.governance.test_seed_inspection import demo  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_plan_in_progress_and_the_monitoring_inspection_and_engagement_meeting_ahead(demo):  # noqa: F811
    demo()
    out = io.StringIO()
    call_command("seed_inspection_demo", stdout=out)
    inspection = Inspection.objects.get(is_illustrative=True)
    today = timezone.localdate()
    assert inspection.outcome == Inspection.Outcome.SYSTEMIC and inspection.published_on < today
    plan = priority_action_plan_due(inspection.strategy, today)
    assert plan.submitted_on and plan.submitted_on <= plan.due and not plan.is_overdue
    ahead = {d.key: d for d in cycle_for(inspection.strategy, today) if d.day > today}
    assert "monitoring" in ahead and "engagement-1" in ahead
    latest = SelfEvaluationVersion.objects.filter(self_evaluation__strategy=inspection.strategy).first()
    assert latest.number == 2 and latest.sections.get(strand="E1").strengths.startswith("Illustrative:")

    call_command("seed_inspection_demo", stdout=io.StringIO())  # again: nothing changes, nothing is added
    assert Inspection.objects.get(pk=inspection.pk).published_on == inspection.published_on
    assert SelfEvaluationVersion.objects.filter(self_evaluation__strategy=inspection.strategy).count() == 2


def test_an_inspection_an_officer_has_changed_is_left_as_it_is(demo):  # noqa: F811
    demo()
    # An officer records the outcome the report really gave: the demo never puts it back.
    Inspection.objects.filter(is_illustrative=True).update(version=2, outcome=Inspection.Outcome.INCONSISTENT)
    call_command("seed_inspection_demo", stdout=io.StringIO())
    demo()
    assert Inspection.objects.get(is_illustrative=True).outcome == Inspection.Outcome.INCONSISTENT
