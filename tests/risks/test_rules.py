"""The register's two rules: each database expression agrees with its Python twin, and both say what a board expects."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from actions.models import Action
from risks import reads, rules
from risks.models import Risk
from tests.risks.conftest import make_risk

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 10, 15)


def test_a_review_date_before_today_is_overdue_and_today_is_not(strategy, owner_post):
    late = make_risk(strategy, owner_post, ref="R1", review_date=TODAY - dt.timedelta(days=1))
    due = make_risk(strategy, owner_post, ref="R2", review_date=TODAY)
    overdue = set(Risk.objects.filter(rules.review_overdue(TODAY)).values_list("ref", flat=True))
    assert overdue == {"R1"}
    assert rules.is_review_overdue(late.review_date, TODAY) and not rules.is_review_overdue(due.review_date, TODAY)


def test_an_at_risk_action_flags_its_risk_only_while_the_risk_is_above_target(strategy, owner_post, action, level):
    action.rating = level("red")
    action.due_date = TODAY + dt.timedelta(days=60)
    action.save()
    above = make_risk(strategy, owner_post, ref="R1", residual=(4, 4), target=(2, 2), actions=[action])
    at_target = make_risk(strategy, owner_post, ref="R2", residual=(2, 2), target=(2, 2), inherent=(3, 3), actions=[action])
    flagged = {row.risk.ref: row.status.actions_in_jeopardy for row in reads.risk_rows(Risk.objects.all(), TODAY)}
    assert flagged == {"R1": True, "R2": False}
    assert "Mitigating actions at risk, above target" in rules.status(above, TODAY).flags
    assert rules.status(at_target, TODAY).flags == []


def test_an_overdue_mitigating_action_counts_as_in_jeopardy_and_a_complete_one_does_not(strategy, owner_post, action, level):
    action.due_date = TODAY - dt.timedelta(days=1)
    action.save()
    risk = make_risk(strategy, owner_post, actions=[action])
    assert rules.with_status(Risk.objects.filter(pk=risk.pk), TODAY).get().actions_in_jeopardy
    action.rating = level("green")
    action.save()
    assert not rules.with_status(Risk.objects.filter(pk=risk.pk), TODAY).get().actions_in_jeopardy


def test_each_expression_agrees_with_its_twin_over_every_combination(strategy, owner_post, group, scheme):
    levels = list(scheme.levels.all())
    dues = [None, TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=3)]
    closings = [None, dt.datetime(2025, 9, 1, tzinfo=dt.UTC)]
    combos = list(itertools.product(levels, dues, [(2, 2), (4, 4)], [TODAY - dt.timedelta(days=1), TODAY], [False, True], closings))
    for i, (lvl, due, residual, review, retired, closed_at) in enumerate(combos):
        act = Action.objects.create(
            strategy=strategy,
            group=group,
            ref=f"X{i}",
            text="x",
            rating=lvl,
            due_date=due,
            due_precision=Action.DuePrecision.DAY if due else Action.DuePrecision.NONE,
            retired_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC) if retired else None,
            retired_reason=Action.Retirement.WITHDRAWN if retired else "",
        )
        reason = "No longer applies." if closed_at else ""
        make_risk(
            strategy,
            owner_post,
            ref=f"R{i}",
            residual=residual,
            target=(2, 2),
            review_date=review,
            actions=[act],
            closed_at=closed_at,
            closed_reason=reason,
        )
    rows = rules.with_status(Risk.objects.filter(strategy=strategy), TODAY).prefetch_related("mitigating_actions__rating")
    checked = 0
    for risk in rows:
        assert rules.status_of(risk) == rules.status(risk, TODAY), risk.ref
        checked += 1
    assert checked == len(combos)
    assert any(rules.status_of(r).actions_in_jeopardy for r in rows) and any(rules.status_of(r).review_overdue for r in rows)
    assert not any(rules.status_of(r).flags for r in rows if r.closed_at)  # a closed risk is flagged by no rule
