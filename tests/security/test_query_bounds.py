"""Every page a programme officer can open issues the same number of queries however big the plan grows.

For each page of the permission matrix, the queries of one request are counted
on the shared small partnership grown by a few of everything the pages list
(actions with owners and updates by named people, families' views, KPI values,
people, notifications), then again once it has grown by ten times as many. A
page whose queries grow with the plan (one query per row) fails here, whichever
issue added it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action, ActionUpdate, Notification
from governance.services import snapshot_take
from people.models import Membership, Post
from tests.conftest import make_user
from tests.security.test_permission_matrix import DEFAULT, MATRIX, url_arg

pytestmark = pytest.mark.django_db

SMALL, LARGE = 4, 40
PAGES = sorted(name for name, row in MATRIX.items() if row.method == "get" and row.expect.get("officer", DEFAULT) == "ok")


def grow(strategy, group, officer, by: int, tag: str) -> None:
    """`by` more actions, and more of everything else the pages list, in the strategy and partnership the pages show."""
    from coproduction.models import FamiliesLevel, FamiliesView
    from kpis.models import Indicator, KpiValue

    partnership = strategy.partnership
    levels = list(strategy.scheme.levels.all())
    posts = Post.objects.bulk_create([Post(partnership=partnership, title=f"Grown post {tag}{i}") for i in range(max(1, by // 4))])
    actions = Action.objects.bulk_create(
        [
            Action(
                strategy=strategy,
                group=group,
                ref=f"G{tag}{i}",
                text=f"Grown action {i}",
                rating=levels[i % len(levels)],
                due_date=dt.date(2025, 1 + i % 12, 1) if i % 5 else None,
                due_precision=Action.DuePrecision.DAY if i % 5 else Action.DuePrecision.NONE,
                position=1000 + len(tag) * 100 + i,
            )
            for i in range(by)
        ]
    )
    Action.owners.through.objects.bulk_create(
        [Action.owners.through(action_id=a.pk, post_id=posts[i % len(posts)].pk) for i, a in enumerate(actions)]
    )
    people = [
        make_user(f"grown{tag}{i}@example.org", partnership, Membership.Role.DELIVERY_LEAD, [posts[i % len(posts)]])
        for i in range(max(1, by // 4))
    ]
    ActionUpdate.objects.bulk_create(
        [
            ActionUpdate(action=a, author=people[i % len(people)], rating_after=a.rating, narrative=f"Update {i}")
            for i, a in enumerate(actions * 2)
        ]
    )
    FamiliesView.objects.bulk_create(
        [
            FamiliesView(group=group, level=FamiliesLevel.SOME, narrative=f"View {i}", source="Survey", recorded_by=officer)
            for i in range(max(1, by // 4))
        ]
    )
    for indicator in Indicator.objects.filter(strategy=strategy):
        KpiValue.objects.bulk_create(
            [
                KpiValue(
                    indicator=indicator,
                    period=f"{1900 + len(tag) * 50 + i}",
                    period_start=dt.date(1900 + len(tag) * 50 + i, 4, 1),
                    value=40 + i,
                )
                for i in range(max(1, by // 2))
            ]
        )
    Notification.objects.bulk_create(
        [Notification(recipient=officer, action=a, kind=Notification.Kind.OVERDUE, event_key=f"grown-{a.pk}") for a in actions]
    )
    grow_risks(strategy, posts, actions, tag, officer)
    grow_mitigations(strategy, actions, tag)


def grow_mitigations(strategy, actions, tag: str) -> None:
    """Mitigations of the strategy's finance plan (when it has one), with savings, actuals and delivering actions."""
    from decimal import Decimal

    from finance.models import FinanceActual, FinancePlan, Mitigation, MitigationSaving

    plan = FinancePlan.objects.filter(strategy=strategy).first()
    if plan is None:
        return
    mitigations = Mitigation.objects.bulk_create(
        [Mitigation(plan=plan, ref=f"GM{tag}{i}", title=f"Grown mitigation {i}") for i in range(max(1, len(actions) // 2))]
    )
    Mitigation.actions.through.objects.bulk_create(
        [Mitigation.actions.through(mitigation_id=m.pk, action_id=actions[i % len(actions)].pk) for i, m in enumerate(mitigations)]
    )
    MitigationSaving.objects.bulk_create(
        [MitigationSaving(mitigation=m, year=year, planned=Decimal("1000.50")) for m in mitigations for year in plan.years]
    )
    FinanceActual.objects.bulk_create(
        [FinanceActual(mitigation=m, year=plan.first_year, as_at=dt.date(2025, 3, 31), achieved=Decimal("900")) for m in mitigations]
    )


def grow_risks(strategy, posts, actions, tag: str, officer) -> None:
    """Risks with mitigating actions and re-scores (some closed), and a snapshot that froze them."""
    from risks.models import Risk, RiskScore

    risks = Risk.objects.bulk_create(
        [
            Risk(
                strategy=strategy,
                ref=f"GR{tag}{i}",
                title=f"Grown risk {i}",
                cause="Cause",
                effect="Effect",
                owner=posts[i % len(posts)],
                category=Risk.Category.WORKFORCE,
                inherent_likelihood=5,
                inherent_impact=5,
                residual_likelihood=1 + i % 5,
                residual_impact=1 + (i // 5) % 5,
                target_likelihood=1,
                target_impact=2,
                review_date=dt.date(2025, 1 + i % 12, 1),
                # Every fourth closed, with who and why: the register lists them apart.
                closed_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC) if i % 4 == 3 else None,
                closed_by=officer if i % 4 == 3 else None,
                closed_reason="No longer applies" if i % 4 == 3 else "",
            )
            for i in range(max(1, len(actions) // 2))
        ]
    )
    Risk.mitigating_actions.through.objects.bulk_create(
        [
            Risk.mitigating_actions.through(risk_id=r.pk, action_id=actions[(i + k) % len(actions)].pk)
            for i, r in enumerate(risks)
            for k in (0, 1)
        ]
    )
    RiskScore.objects.bulk_create(
        [
            RiskScore(risk=r, inherent_likelihood=5, inherent_impact=5, residual_likelihood=2, residual_impact=2, reason="Grown")
            for r in risks
        ]
    )


def queries_of(client, url: str) -> int:
    cache.clear()  # counted as built, not as served from the cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return len(captured)


@pytest.mark.parametrize("name", PAGES)
def test_a_page_issues_the_same_queries_for_a_small_and_a_grown_plan(client, request, name, officer, strategy, group):
    row = MATRIX[name]
    url = reverse(name, args=[url_arg(request, arg) for arg in row.args])
    client.force_login(officer)
    grow(strategy, group, officer, SMALL, "a")
    queries_of(client, url)  # the session's first request does its one-off work
    small = queries_of(client, url)
    grow(strategy, group, officer, LARGE, "bb")
    large = queries_of(client, url)
    # Never more (the strategy page shows a small plan whole and a grown one group by group: fewer).
    assert large <= small, f"GET {url}: {small} queries with {SMALL} more actions, {large} with {SMALL + LARGE}"


def queries_small_and_grown(client, url: str, headers: dict, officer, strategy, group) -> tuple[int, int]:
    """The queries of a request (each built afresh) once the plan has grown a little, and once it has grown ten times as much."""

    def count() -> int:
        cache.clear()  # counted as built, not as served from the cache
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, headers=headers)
        assert response.status_code == 200
        return len(captured)

    client.force_login(officer)
    grow(strategy, group, officer, SMALL, "a")
    count()
    small = count()
    grow(strategy, group, officer, LARGE, "bb")
    return small, count()


@pytest.mark.parametrize("query", ["?show=all", "?open={group}", "htmx"])
def test_the_strategy_page_and_a_group_it_opens_issue_the_same_queries_for_a_small_and_a_grown_plan(
    client, query, officer, strategy, group
):
    """The strategy page with everything shown, with a group opened, and a group's actions fetched by htmx."""
    if query == "htmx":
        url, headers = reverse("actions:strategy_group_actions", args=[strategy.pk, group.pk]), {"HX-Request": "true"}
    else:
        url, headers = reverse("actions:strategy_detail", args=[strategy.pk]) + query.format(group=group.pk), {}
    small, large = queries_small_and_grown(client, url, headers, officer, strategy, group)
    assert large == small


@pytest.mark.parametrize(
    "part", ["exceptions/risk", "exceptions/overdue", "exceptions/needs_update", "movement", "dashboard?movement=1&overdue_page=1"]
)
def test_the_dashboards_parts_read_on_request_issue_the_same_queries_for_a_small_and_a_grown_plan(client, part, officer, strategy, group):
    """Each exception list and the movement, fetched by htmx when opened or scrolled to, and the dashboard showing them without htmx."""
    snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14))
    dashboard = reverse("reporting:dashboard", args=[strategy.pk])
    if part.startswith("dashboard"):
        url, headers = dashboard + part.removeprefix("dashboard"), {}
    else:
        url, headers = f"{dashboard}{part}/", {"HX-Request": "true"}
    small, large = queries_small_and_grown(client, url, headers, officer, strategy, group)
    assert large == small
