"""The overdue sweep over 100,000 actions, and the snapshot of a 2,000-action plan, beside plain SQL over the same rows.

The sweep (actions.chasing.actions_sweep) runs twice: the first run sets the
flags and queues notifications, the second finds nothing to change. Each pair
runs in a transaction that is rolled back afterwards, so every repeat starts
from the same unflagged rows; the checks a commit would run (the deferred
foreign keys of every row written) are run inside the timing, and the tables
are vacuumed between repeats, as autovacuum leaves them between daily runs.

    bin/with-db python bench/bench_sweep.py
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

import benchlib

SWEEP_ACTIONS = int(os.environ.get("BENCH_SWEEP_ACTIONS", "100000"))
SNAPSHOT_ACTIONS = int(os.environ.get("BENCH_LARGE_PLAN", "2000"))
RUNS = int(os.environ.get("BENCH_SWEEP_RUNS", "3"))

# Copies of a small imported plan's actions, made in SQL: due months spread
# over four years around today, all five ratings, one in twelve with no owner.
_ACTIONS_INSERT = """
INSERT INTO actions_action (ref, text, due_date, due_precision, due_text, notes, position, version, created_at, updated_at,
    group_id, rating_id, strategy_id, overdue_since)
SELECT 'BULK-' || n, 'Generated action ' || n || ': improve support for children and young people with SEND',
    (date_trunc('month', %(today)s::date) + ((n %% 48) - 24) * interval '1 month' + interval '1 month - 1 day')::date,
    'month', '', '', n, 1, now(), now(),
    (%(groups)s::bigint[])[1 + n %% cardinality(%(groups)s::bigint[])],
    (%(levels)s::bigint[])[1 + (n / 7) %% cardinality(%(levels)s::bigint[])],
    %(strategy)s, NULL
FROM generate_series(1, %(count)s) AS n
"""
_OWNERS_INSERT = """
INSERT INTO actions_action_owners (action_id, post_id)
SELECT a.id, (%(posts)s::bigint[])[1 + a.id %% cardinality(%(posts)s::bigint[])]
FROM actions_action a WHERE a.strategy_id = %(strategy)s AND a.ref LIKE 'BULK-%%' AND a.id %% 12 <> 0
"""


def sweep_data(count: int):
    """A partnership with a 100-action imported plan, padded in SQL to `count` actions, with its people."""
    from django.db import connection, transaction

    from actions.models import Action, DeliveryGroup
    from people.models import Post

    strategy = benchlib.generated_plan_import(100, name="Regional plan", partnership="Regional partnership")
    benchlib.people_add(strategy, leads=20)
    params = {
        "today": dt.date.today(),
        "groups": list(DeliveryGroup.objects.filter(strategy=strategy).values_list("pk", flat=True)),
        "levels": list(strategy.scheme.levels.values_list("pk", flat=True)),
        "posts": list(Post.objects.filter(partnership=strategy.partnership).values_list("pk", flat=True)),
        "strategy": strategy.pk,
        "count": count - 100,
    }
    # Generated rows are consistent by construction and are not history: skip
    # the per-row triggers, which cost ten times the insert itself.
    # (session_replication_role needs a superuser, as the local server's postgres role is.)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(_ACTIONS_INSERT, params)
        cursor.execute(_OWNERS_INSERT, params)
    vacuum()
    return Action.objects.count()


def vacuum() -> None:
    """The tables as a live install has them between daily runs: vacuumed and analysed."""
    from django.db import connection

    with connection.cursor() as cursor:
        # Inside a transaction (a test of the generator) VACUUM cannot run: statistics are enough there.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


def in_rolled_back_transaction(run):
    from django.db import transaction

    def wrapped():
        with transaction.atomic():
            result = run()
            transaction.set_rollback(True)
        return result

    return wrapped


def main() -> None:
    benchlib.database_start()
    from django.db import connection, transaction

    from actions.chasing import actions_sweep
    from actions.models import Action
    from governance.services import snapshot_take

    started = time.perf_counter()
    total = sweep_data(SWEEP_ACTIONS)
    made = time.perf_counter() - started
    large = benchlib.generated_plan_import(SNAPSHOT_ACTIONS)
    updates = benchlib.updates_add(large)
    print(
        f"Data: {total} actions for the sweep (made in {made:.1f} s); a {SNAPSHOT_ACTIONS}-action plan with {updates} updates. "
        f"{benchlib.machine()}"
    )

    def committed(cursor) -> None:
        # What COMMIT would check: the deferred foreign keys of every row written.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    first_times, second_times, results = [], [], []
    first_cpu, second_cpu = [], []
    for _ in range(RUNS):
        vacuum()
        with transaction.atomic(), connection.cursor() as cursor:
            c0, t0 = benchlib.database_cpu_seconds(), time.perf_counter()
            first = actions_sweep()
            committed(cursor)
            c1, t1 = benchlib.database_cpu_seconds(), time.perf_counter()
            second = actions_sweep()
            committed(cursor)
            c2, t2 = benchlib.database_cpu_seconds(), time.perf_counter()
            transaction.set_rollback(True)
        first_times.append(t1 - t0)
        second_times.append(t2 - t1)
        first_cpu.append(c1 - c0)
        second_cpu.append(c2 - c1)
        results.append((first, second))
    first, second = results[0]

    today = dt.date.today()

    def plain_count():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE due_date < %s), count(*) FILTER (WHERE due_date BETWEEN %s AND %s) FROM actions_action",
                [today, today, today + dt.timedelta(days=14)],
            )
            return cursor.fetchone()

    def plain_update():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE actions_action SET overdue_since = due_date + 1 WHERE due_date < %s", [today])
            updated = cursor.rowcount
            committed(cursor)
            return updated

    count_s = benchlib.median_seconds(plain_count, runs=RUNS, warmup=1)
    update_times, update_cpu = [], []
    for _ in range(RUNS):
        vacuum()
        update_times.append(benchlib.median_seconds(in_rolled_back_transaction(plain_update), runs=1, warmup=0))
        c0 = benchlib.database_cpu_seconds()
        in_rolled_back_transaction(plain_update)()
        update_cpu.append(benchlib.database_cpu_seconds() - c0)
        vacuum()
    update_s = statistics.median(update_times)
    update_cpu_s = statistics.median(update_cpu)
    updated = in_rolled_back_transaction(plain_update)()

    snapshot_s = benchlib.median_seconds(
        in_rolled_back_transaction(lambda: snapshot_take(strategy=large, as_at=today)), runs=RUNS, warmup=1
    )
    rows = Action.objects.filter(strategy=large).values_list("pk", "group_id", "ref", "text", "due_date", "due_precision", "rating_id")
    select_s = benchlib.median_seconds(lambda: list(rows.all()), runs=RUNS, warmup=1)

    first_s, second_s = statistics.median(first_times), statistics.median(second_times)
    first_cpu_s, second_cpu_s = statistics.median(first_cpu), statistics.median(second_cpu)
    benchlib.table(
        f"Sweep over {total} actions and snapshot of {SNAPSHOT_ACTIONS}: medians of {RUNS} runs "
        "(database CPU s: the server process's own CPU time, steadier than the wall clock on a busy machine)",
        ["operation", "median s", "database CPU s", "rows"],
        [
            [
                "sweep, first run (sets flags, queues notifications and reminders)",
                f"{first_s:.2f}",
                f"{first_cpu_s:.2f}",
                f"{first.changed} changed, {first.notifications} notifications ({first.chased} reminders), {first.digests} digests",
            ],
            [
                "sweep, second run (no-op)",
                f"{second_s:.2f}",
                f"{second_cpu_s:.2f}",
                f"{second.changed} changed, {second.notifications} notifications",
            ],
            ["baseline: plain SELECT count(*) of overdue/due soon", f"{count_s:.3f}", "", total],
            ["baseline: plain UPDATE of overdue_since", f"{update_s:.2f}", f"{update_cpu_s:.2f}", updated],
            [f"snapshot_take of {SNAPSHOT_ACTIONS} actions", f"{snapshot_s:.3f}", "", SNAPSHOT_ACTIONS],
            [f"baseline: plain SELECT of the {SNAPSHOT_ACTIONS} actions", f"{select_s:.3f}", "", SNAPSHOT_ACTIONS],
        ],
    )
    beside = f"plain UPDATE of the same rows {update_s:.2f} s ({update_cpu_s:.2f} database CPU s), sweep {first_s:.2f} s"
    benchlib.target(
        f"sweep over {SWEEP_ACTIONS:,} actions, changing run, against a plain UPDATE", first_s / update_s, 1.2, "×", baseline=beside
    )
    if update_cpu_s > 0:
        benchlib.target(
            f"sweep over {SWEEP_ACTIONS:,} actions, changing run, database CPU against a plain UPDATE's",
            first_cpu_s / update_cpu_s,
            1.2,
            "×",
            baseline=f"{first_cpu_s:.2f} against {update_cpu_s:.2f} database CPU s",
        )
    benchlib.target(
        f"sweep over {SWEEP_ACTIONS:,} actions, no-op run",
        second_s,
        0.2,
        "s",
        baseline=f"plain SELECT count of the same rows {count_s:.3f} s",
    )


if __name__ == "__main__":
    main()
