"""Server time and queries of the pages people use most, at real size and at ten times that.

For the One Plan (186 actions) and a generated 2,000-action plan with a year
of bi-monthly updates: the dashboard, My actions, the KPI scorecard and an
action page, each beside the Django admin's list of the same actions (what an
officer would otherwise use). Server time is the median of BENCH_RUNS
(the floor and the bare view, a few milliseconds each: BENCH_FLOOR_RUNS)
in-process requests through the test client after a warm-up.

    bin/with-db python bench/bench_pages.py
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable

import benchlib

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
# The two pages every ratio is measured against take a few milliseconds each, where fifteen requests leave a median
# that moves by a fifth from run to run: they get more.
FLOOR_RUNS = int(os.environ.get("BENCH_FLOOR_RUNS", "300"))
# BENCH_CLOCK=cpu times each request by the CPU time of this process instead of the wall clock: steadier on a busy machine.
CLOCK = time.process_time if os.environ.get("BENCH_CLOCK") == "cpu" else time.perf_counter
# The dashboard and My actions as they are built again after someone saves a change to one action
# (the strategy's revision raised, nothing else emptied; for My actions, one of the person's own), and the
# dashboard with the cache emptied.
BUILT = "dashboard, built afresh after a change"
MINE_BUILT = "My actions, built afresh after a change"
# ... and after a change to an action that is not the person's: their list stays as it was cached.
MINE_OTHERS = "My actions, after a change to someone else's action"
COLD = "dashboard, cache empty"
FLOOR = "floor: a signed-in page not found"
BARE = "baseline: a bare Django view, session and authentication only"
# What Django itself costs a signed-in request: a view answering a few bytes, behind Django's own session and
# authentication middleware alone (the product's session store), on this module's one address.
BARE_MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware", "django.contrib.auth.middleware.AuthenticationMiddleware"]


def bare_view(request):
    from django.contrib.auth.views import redirect_to_login
    from django.http import HttpResponse

    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    return HttpResponse("Signed in.")


urlpatterns: list = []  # filled by bare_measure: this module is the bare baseline's URLconf
LARGE_PLAN = int(os.environ.get("BENCH_LARGE_PLAN", "2000"))


def pages_for(strategy, people) -> list[tuple[str, object, str]]:
    from django.db.models import Count
    from django.urls import reverse

    from actions.models import Action

    action = Action.objects.filter(strategy=strategy).annotate(n=Count("updates")).order_by("-n", "position").first()
    return [
        ("dashboard (board member)", people["board"], reverse("reporting:dashboard", args=[strategy.pk])),
        (BUILT, people["board"], reverse("reporting:dashboard", args=[strategy.pk])),
        (COLD, people["board"], reverse("reporting:dashboard", args=[strategy.pk])),
        ("My actions (delivery lead)", people["leads"][0], reverse("actions:my_actions")),
        (MINE_BUILT, people["leads"][0], reverse("actions:my_actions")),
        (MINE_OTHERS, people["leads"][0], reverse("actions:my_actions")),
        ("KPI scorecard (board member)", people["board"], reverse("kpis:scorecard", args=[strategy.pk])),
        ("strategy page, groups closed (board member)", people["board"], reverse("actions:strategy_detail", args=[strategy.pk])),
        ("strategy page, show all (board member)", people["board"], reverse("actions:strategy_detail", args=[strategy.pk]) + "?show=all"),
        ("action page (officer)", people["officer"], reverse("actions:action_detail", args=[action.pk])),
        ("change log (officer)", people["officer"], reverse("reporting:change_log", args=[strategy.partnership_id])),
        ("baseline: admin action list", people["admin"], f"/admin/actions/action/?strategy__id__exact={strategy.pk}"),
    ]


def change_saved(strategy, *, of=None, not_of=None) -> Callable[[], None]:
    """A change to one of the strategy's actions, committed, as an update leaves it: the strategy's revision is raised.

    `of`: one of that person's own actions (owned by their posts); `not_of`: one in nobody's list of theirs.
    """
    from django.db.models import Q

    from actions.models import Action

    actions = Action.objects.filter(strategy=strategy)
    if of is not None:
        actions = actions.filter(owners__holders=of)
    if not_of is not None:
        held = Q(owners__holders=not_of) | Q(group__lead__holders=not_of) | Q(group__parent__lead__holders=not_of)
        actions = actions.exclude(pk__in=Action.objects.filter(held).values("pk"))
    action = actions.order_by("position").first()
    changes = itertools.count()
    return lambda: Action.objects.filter(pk=action.pk).update(notes=f"Noted at the board ({next(changes)}).")


def measure(label: str, user, url: str, *, strategy=None, status: int = 200, runs: int = RUNS) -> tuple[float, int, int]:
    """Median server time, queries and size of a page, served from the cache, rebuilt after a change, or with the cache empty."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    before = {
        BUILT: lambda: change_saved(strategy),
        MINE_BUILT: lambda: change_saved(strategy, of=user),
        MINE_OTHERS: lambda: change_saved(strategy, not_of=user),
        COLD: lambda: cache.clear,
    }.get(label, lambda: None)()
    client.get(url)  # a cached page is counted as it is served, not as it is first built

    def get():
        response = client.get(url)
        if response.status_code != status:
            raise SystemExit(f"{label}: {url} answered {response.status_code}")
        return response

    if before:
        before()
    with CaptureQueriesContext(connection) as queries:
        response = get()
    # Counted now: the log is cleared at the start of every later request.
    count = len(queries)
    seconds = benchlib.median_seconds(get, runs=runs, warmup=2, before=before, clock=CLOCK)
    return seconds, count, len(response.content)


def bare_measure(user) -> tuple[float, int, int]:
    """The bare Django view's median server time, queries and size, beside the floor."""
    from django.test import override_settings
    from django.urls import path

    urlpatterns[:] = [path("bare/", bare_view)]
    with override_settings(ROOT_URLCONF=sys.modules[__name__], MIDDLEWARE=BARE_MIDDLEWARE):
        return measure(BARE, user, "/bare/", runs=FLOOR_RUNS)


def measure_update(user, action, *, htmx: bool = False) -> tuple[float, int]:
    """Median server time and queries of an update POST, each with the version its page showed.

    Without script the form is answered by a redirect (302) to the page; with htmx by the page's updates
    section and status (200), which the browser swaps in place of asking for the page again.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from actions.models import Action

    client = Client()
    client.force_login(user)
    url = reverse("actions:action_update", args=[action.pk])
    levels = list(action.strategy.scheme.levels.values_list("pk", flat=True))
    times, counts = [], []
    for run in range(RUNS + 2):
        version = Action.objects.values_list("version", flat=True).get(pk=action.pk)
        narrative = f"Progress with partners this period ({run})."
        data = {"version": version, "rating": levels[run % len(levels)], "narrative": narrative, "links": ""}
        with CaptureQueriesContext(connection) as queries:
            started = CLOCK()
            response = client.post(url, data, headers={"HX-Request": "true"} if htmx else {})
            elapsed = CLOCK() - started
        if response.status_code != (200 if htmx else 302):
            raise SystemExit(f"update POST answered {response.status_code}")
        # The page the redirect opens shows the "saved" message and clears it: a browser never carries a pile of them.
        client.cookies.pop("messages", None)
        if run >= 2:
            times.append(elapsed)
            counts.append(len(queries))
    return statistics.median(times), max(counts)


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
    benchlib.statistics_gathered()
    print(
        f"Data: One Plan {one_plan.actions.count()} actions; generated plan {large.actions.count()} actions "
        f"with {updates} updates; made in {time.perf_counter() - started:.1f} s. {benchlib.machine()}"
    )

    from actions.models import Action

    rows = []
    figures: dict[tuple[str, str], float] = {}
    for name, strategy, people in [("One Plan", one_plan, one_people), (f"{LARGE_PLAN}-action plan", large, large_people)]:
        mine = Action.objects.filter(strategy=strategy, owners__holders=people["leads"][0]).distinct().count()
        for label, user, url in pages_for(strategy, people):
            seconds, queries, size = measure(label, user, url, strategy=strategy)
            figures[(name, label)] = seconds
            shown = f"{label} ({mine} owned)" if label.startswith("My actions") else label
            rows.append([name, shown, benchlib.ms(seconds), queries, f"{size // 1024}"])
        if name == "One Plan":
            # What every signed-in page costs before its own work: the middleware (session, person,
            # second factor, sign-in lifetime), the page frame and its menu, on a page not found.
            seconds, queries, size = measure(FLOOR, people["officer"], "/no-such-page/", status=404, runs=FLOOR_RUNS)
            figures[(name, FLOOR)] = seconds
            rows.append([name, FLOOR, benchlib.ms(seconds), queries, f"{size // 1024}"])
            seconds, queries, size = bare_measure(people["officer"])
            figures[(name, BARE)] = seconds
            rows.append([name, BARE, benchlib.ms(seconds), queries, f"{size // 1024}"])
        action = Action.objects.filter(strategy=strategy).order_by("position").first()
        seconds, queries = measure_update(people["officer"], action)
        figures[(name, "update POST")] = seconds
        rows.append([name, "update POST (officer, saved, no script: 302)", benchlib.ms(seconds), queries, "-"])
        # Another action, so its history holds its own updates and not the ones just saved.
        seconds, queries = measure_update(people["officer"], Action.objects.filter(strategy=strategy).order_by("position")[1], htmx=True)
        figures[(name, "update POST, htmx")] = seconds
        rows.append([name, "update POST (officer, saved, htmx: the updates section)", benchlib.ms(seconds), queries, "-"])
    benchlib.table(
        f"Server time per page: median of {RUNS} in-process requests after warm-up ({FLOOR_RUNS} for the floor and the bare view)",
        ["plan", "page", "median ms", "queries", "KiB"],
        rows,
    )
    large_name = f"{LARGE_PLAN}-action plan"
    floor_seconds = figures[("One Plan", FLOOR)]
    floor = f"{FLOOR} {benchlib.ms(floor_seconds)} ms"
    for plan, limit, limit_built in (("One Plan", 40, 20), (large_name, 100, 60)):
        # Each plan's dashboard beside the admin's list of the same plan's actions, measured in this run.
        admin = f"admin action list of the same plan {benchlib.ms(figures[(plan, 'baseline: admin action list')])} ms"
        size = "One Plan" if plan == "One Plan" else f"{LARGE_PLAN} actions"
        cached, built = figures[(plan, "dashboard (board member)")], figures[(plan, BUILT)]
        benchlib.target(f"dashboard, {size}, from the cache", cached * 1000, limit, "ms", baseline=admin)
        benchlib.target(f"dashboard, {size}, built afresh", built * 1000, limit_built, "ms", baseline=admin)
    benchlib.target("My actions, One Plan", figures[("One Plan", "My actions (delivery lead)")] * 1000, 15, "ms", baseline=floor)
    benchlib.target("My actions, One Plan, built afresh", figures[("One Plan", MINE_BUILT)] * 1000, 15, "ms", baseline=floor)
    for page in ("action page (officer)", "update POST"):
        ratio = figures[("One Plan", page)] / floor_seconds
        benchlib.target(f"{page.split(' (')[0]}, One Plan, against the signed-in floor", ratio, 2, "× floor", baseline=floor)
    bare_seconds = figures[("One Plan", BARE)]
    bare = f"{BARE} {benchlib.ms(bare_seconds)} ms"
    benchlib.target("signed-in floor, against a bare Django view", floor_seconds / bare_seconds, 2, "× bare", baseline=bare)


if __name__ == "__main__":
    main()
