"""The dashboard on a board day: how often it is built while changes keep coming.

Readers ask for the One Plan's dashboard again and again for BENCH_BUILD_SECONDS
while changes are saved to its actions BENCH_CHANGES_A_SECOND times a second (each
raising the strategy's revision, as an update does), and two delivery leads each
save a change of their own and then ask for the dashboard, as someone who has just
saved does. All in threads of one process sharing one cache, each with its own
database connection. Counted: the dashboard requests, the builds they made, and
the most builds under way at once. Target: one build at a time; whoever else
asks meanwhile gets the copy before it, marked, or waits for the build.

    bin/with-db python bench/bench_builds.py
"""

from __future__ import annotations

import itertools
import os
import threading
import time

import benchlib

SECONDS = float(os.environ.get("BENCH_BUILD_SECONDS", "10"))
READERS = int(os.environ.get("BENCH_BUILD_READERS", "6"))
CHANGES_A_SECOND = float(os.environ.get("BENCH_CHANGES_A_SECOND", "20"))


def main() -> None:
    benchlib.database_start()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    import reporting.views
    from actions.models import Action
    from send_tracker.cache import SAVED_COOKIE

    strategy = benchlib.one_plan_import()
    people = benchlib.people_add(strategy, leads=2)
    benchlib.statistics_gathered()
    url = reverse("reporting:dashboard", args=[strategy.pk])
    actions = list(Action.objects.filter(strategy=strategy).order_by("position").values_list("pk", flat=True))

    lock = threading.Lock()
    counts = {"requests": 0, "builds": 0, "under_way": 0, "most_at_once": 0, "changes": 0, "earlier_copies": 0}
    built = reporting.views._dashboard_html

    def counted_build(*args, **kwargs):
        with lock:
            counts["builds"] += 1
            counts["under_way"] += 1
            counts["most_at_once"] = max(counts["most_at_once"], counts["under_way"])
        try:
            return built(*args, **kwargs)
        finally:
            with lock:
                counts["under_way"] -= 1

    reporting.views._dashboard_html = counted_build
    stop = time.monotonic() + SECONDS
    numbers = itertools.count()

    def change() -> None:
        number = next(numbers)
        Action.objects.filter(pk=actions[number % len(actions)]).update(notes=f"Noted at the board ({number}).")
        with lock:
            counts["changes"] += 1

    def read(user, *, saves: bool) -> None:
        client = Client()
        client.force_login(user)
        try:
            while time.monotonic() < stop:
                if saves:
                    change()
                    client.cookies[SAVED_COOKIE] = f"{time.time():.3f}"
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                with lock:
                    counts["requests"] += 1
                    counts["earlier_copies"] += "is being included now" in response.content.decode()
        finally:
            connection.close()

    def changes() -> None:
        try:
            while time.monotonic() < stop:
                change()
                time.sleep(1 / CHANGES_A_SECOND)
        finally:
            connection.close()

    Client().get(url)  # the first build, before anyone else asks
    threads = [threading.Thread(target=changes)]
    threads += [threading.Thread(target=read, args=(people["board"],), kwargs={"saves": False}) for _ in range(READERS)]
    threads += [threading.Thread(target=read, args=(lead,), kwargs={"saves": True}) for lead in people["leads"]]
    elapsed = benchlib.threads_run(threads)
    reporting.views._dashboard_html = built

    benchlib.table(
        f"The dashboard while changes are saved, {elapsed:.1f} s, {READERS} readers and 2 leads saving, in threads. {benchlib.machine()}",
        ["changes saved", "dashboard requests", "builds", "builds a request", "most builds at once", "earlier copies served"],
        [
            [
                counts["changes"],
                counts["requests"],
                counts["builds"],
                f"{counts['builds'] / max(counts['requests'], 1):.2f}",
                counts["most_at_once"],
                counts["earlier_copies"],
            ]
        ],
    )
    benchlib.target("dashboard builds under way at once while changes are saved", counts["most_at_once"], 1, "builds")


if __name__ == "__main__":
    main()
