"""Server time and queries of the pages people use most, at real size and at ten times that.

For the One Plan (186 actions) and a generated 2,000-action plan with a year
of bi-monthly updates: the dashboard, My actions, the KPI scorecard and an
action page, each beside the Django admin's list of the same actions (what an
officer would otherwise use). Server time is the median of BENCH_RUNS
in-process requests through the test client after a warm-up.

    bin/with-db python bench/bench_pages.py
"""

from __future__ import annotations

import datetime as dt
import os
import time

import benchlib

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
LARGE_PLAN = int(os.environ.get("BENCH_LARGE_PLAN", "2000"))


def pages_for(strategy, people) -> list[tuple[str, object, str]]:
    from django.db.models import Count
    from django.urls import reverse

    from actions.models import Action

    action = Action.objects.filter(strategy=strategy).annotate(n=Count("updates")).order_by("-n", "position").first()
    return [
        ("dashboard (board member)", people["board"], reverse("governance:dashboard", args=[strategy.pk])),
        ("My actions (delivery lead)", people["leads"][0], reverse("actions:my_actions")),
        ("KPI scorecard (board member)", people["board"], reverse("kpis:scorecard", args=[strategy.pk])),
        ("action page (officer)", people["officer"], reverse("actions:action_detail", args=[action.pk])),
        ("baseline: admin action list", people["admin"], f"/admin/actions/action/?strategy__id__exact={strategy.pk}"),
    ]


def measure(label: str, user, url: str) -> tuple[float, int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{label}: {url} answered {response.status_code}")
        return response

    with CaptureQueriesContext(connection) as queries:
        response = get()
    # Counted now: the log is cleared at the start of every later request.
    count = len(queries)
    seconds = benchlib.median_seconds(get, runs=RUNS, warmup=2)
    return seconds, count, len(response.content)


def main() -> None:
    benchlib.database_start()
    from django.utils import timezone

    from governance.services import snapshot_take

    started = time.perf_counter()
    one_plan = benchlib.one_plan_import()
    one_people = benchlib.people_add(one_plan, leads=1, titles=["Head of Service: Inclusion"])
    benchlib.updates_add(one_plan)

    large = benchlib.generated_plan_import(LARGE_PLAN)
    benchlib.kpis_load(large)
    large_people = benchlib.people_add(large, leads=1)
    updates = benchlib.updates_add(large)
    snapshot_take(strategy=large, as_at=timezone.localdate() - dt.timedelta(days=30))
    print(
        f"Data: One Plan {one_plan.actions.count()} actions; generated plan {large.actions.count()} actions "
        f"with {updates} updates; made in {time.perf_counter() - started:.1f} s. {benchlib.machine()}"
    )

    from actions.models import Action

    rows = []
    for name, strategy, people in [("One Plan", one_plan, one_people), (f"{LARGE_PLAN}-action plan", large, large_people)]:
        mine = Action.objects.filter(strategy=strategy, owners__holders=people["leads"][0]).distinct().count()
        for label, user, url in pages_for(strategy, people):
            seconds, queries, size = measure(label, user, url)
            shown = f"{label} ({mine} owned)" if label.startswith("My actions") else label
            rows.append([name, shown, benchlib.ms(seconds), queries, f"{size // 1024}"])
    benchlib.table(
        f"Server time per page: median of {RUNS} in-process requests after warm-up",
        ["plan", "page", "median ms", "queries", "KiB"],
        rows,
    )


if __name__ == "__main__":
    main()
