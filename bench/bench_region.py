"""A region on one database: every English local area on one install, and one partnership's pages in it.

About 150 partnerships x 300 actions x 3 years of bi-monthly updates: ~45,000
actions and ~800,000 updates, made in SQL from one imported 300-action plan
per partnership shape. It prints each page's time and queries for one
partnership measured alone first and then with the whole region around it
(the indexes lead with the partnership or strategy, so they should match),
the daily sweep over the region, and the database's size.

    bin/with-db python bench/bench_region.py

BENCH_REGION_PARTNERSHIPS (150) and BENCH_REGION_ACTIONS (300) set the size.
"""

from __future__ import annotations

import datetime as dt
import os
import time

import bench_pages
import benchlib

PARTNERSHIPS = int(os.environ.get("BENCH_REGION_PARTNERSHIPS", "150"))
ACTIONS = int(os.environ.get("BENCH_REGION_ACTIONS", "300"))
UPDATES_PER_ACTION = 18  # three years, every two months

# Copies of the measured partnership's plan for every other partnership: same
# groups (sub-groups folded into their parents) and ratings, new strategy rows;
# generated rows are consistent by construction and are not history, so the
# per-row triggers are skipped.
_STRATEGIES = """
INSERT INTO people_partnership (name, slug, la_code, statistical_neighbours)
SELECT 'Region partnership ' || n, 'region-' || n, '', '{}' FROM generate_series(1, %(count)s) AS n;
INSERT INTO actions_strategy (partnership_id, name, scheme_id, description)
SELECT p.id, 'SEND strategy', %(scheme)s, '' FROM people_partnership p WHERE p.slug LIKE 'region-%%';
INSERT INTO actions_priority (strategy_id, name, position, description)
SELECT s.id, pr.name, pr.position, '' FROM actions_strategy s JOIN people_partnership p ON p.id = s.partnership_id
CROSS JOIN actions_priority pr WHERE p.slug LIKE 'region-%%' AND pr.strategy_id = %(template)s;
INSERT INTO actions_deliverygroup (strategy_id, priority_id, name, position, what_needs_to_improve, areas_for_improvement,
    how_we_will_assess, what_we_will_see, delivered_to_date)
SELECT s.id, np.id, g.name, g.position, '', '{}', '{}', '{}', ''
FROM actions_strategy s JOIN people_partnership p ON p.id = s.partnership_id
JOIN actions_deliverygroup g ON g.strategy_id = %(template)s AND g.parent_id IS NULL
JOIN actions_priority op ON op.id = g.priority_id
JOIN actions_priority np ON np.strategy_id = s.id AND np.name = op.name
WHERE p.slug LIKE 'region-%%';
INSERT INTO actions_action (strategy_id, group_id, ref, text, due_date, due_precision, due_text, rating_id, notes, position, version,
    created_at, updated_at, overdue_since)
SELECT s.id, ng.id, a.ref, a.text, a.due_date, a.due_precision, a.due_text, a.rating_id, '', a.position, 1, now(), now(), NULL
FROM actions_strategy s JOIN people_partnership p ON p.id = s.partnership_id
JOIN actions_action a ON a.strategy_id = %(template)s
JOIN actions_deliverygroup og ON og.id = a.group_id
LEFT JOIN actions_deliverygroup top ON top.id = og.parent_id
JOIN actions_deliverygroup ng ON ng.strategy_id = s.id AND ng.name = COALESCE(top.name, og.name) AND ng.parent_id IS NULL
WHERE p.slug LIKE 'region-%%';
INSERT INTO actions_actionupdate (action_id, author_id, created_at, rating_before_id, rating_after_id, narrative, source)
SELECT a.id, NULL, now() - (n * interval '61 days'), a.rating_id, a.rating_id,
    'Progress this period, with partners and families: step ' || n || ' of the work.', 'import'
FROM actions_action a JOIN actions_strategy s ON s.id = a.strategy_id JOIN people_partnership p ON p.id = s.partnership_id
CROSS JOIN generate_series(1, %(updates)s) AS n
WHERE p.slug LIKE 'region-%%';
"""


def region_add(template, count: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(_STRATEGIES, {"count": count, "scheme": template.scheme_id, "template": template.pk, "updates": UPDATES_PER_ACTION})
    benchlib.statistics_gathered()


def main() -> None:
    benchlib.database_start()
    from django.db import connection
    from django.utils import timezone

    from actions.chasing import actions_sweep
    from actions.models import Action, ActionUpdate
    from governance.services import snapshot_take

    measured = benchlib.generated_plan_import(ACTIONS, name="SEND strategy", partnership="Measured partnership")
    people = benchlib.people_add(measured, leads=1)
    benchlib.updates_add(measured, per_action=UPDATES_PER_ACTION)
    snapshot_take(strategy=measured, as_at=timezone.localdate() - dt.timedelta(days=30))

    def pages() -> dict[str, tuple[float, int]]:
        found = {}
        for label, user, url in bench_pages.pages_for(measured, people):
            found[label] = bench_pages.measure(label, user, url, strategy=measured)[:2]
        return found

    alone = pages()
    started = time.perf_counter()
    region_add(measured, PARTNERSHIPS - 1)
    made = time.perf_counter() - started
    in_region = pages()
    actions, updates = Action.objects.count(), ActionUpdate.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    t0 = time.perf_counter()
    first = actions_sweep()
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    actions_sweep()
    second_s = time.perf_counter() - t0
    print(
        f"Region: {PARTNERSHIPS} partnerships, {actions} actions, {updates} updates (made in {made:.0f} s); "
        f"database {size}. {benchlib.machine()}"
    )
    benchlib.table(
        f"One partnership's pages alone and in the region: median of {bench_pages.RUNS} in-process requests",
        ["page", "alone ms", "alone queries", "in region ms", "in region queries"],
        [[label, benchlib.ms(alone[label][0]), alone[label][1], benchlib.ms(in_region[label][0]), in_region[label][1]] for label in alone],
    )
    slowest = max(in_region[label][0] / alone[label][0] for label in alone)
    more_queries = sum(in_region[label][1] - alone[label][1] for label in alone)
    name = f"pages in a region of {PARTNERSHIPS} partnerships, the slowest against alone"
    benchlib.target(name, slowest, 1.25, "×", baseline="the same pages alone")
    benchlib.target("pages in the region, queries more than alone", more_queries, 0, "queries")
    benchlib.table(
        "The daily sweep over the region",
        ["run", "seconds", "what it did"],
        [
            [
                "first (marks overdue, queues notifications)",
                f"{first_s:.2f}",
                f"{first.changed} changed, {first.notifications} notifications",
            ],
            ["second (nothing changed)", f"{second_s:.2f}", "no-op"],
        ],
    )


if __name__ == "__main__":
    main()
