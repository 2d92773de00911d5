"""Hostile workbooks uploaded as a plan: each is refused in seconds with a message naming its limit,
while another person's page keeps answering.

Three files, built here: a ~300 KB workbook whose shared strings unpack to 300 MB, one holding
3 million shared strings, and one whose sheet declares a million rows. Each is posted to the plan
import page in one thread while a second thread loads the sign-in page again and again; the table
gives the upload's answer time and message beside the other page's slowest and median answer
(the baseline: the same page with no upload running).

    bin/with-db python bench/bench_upload_bomb.py
"""

from __future__ import annotations

import io
import statistics
import threading
import time

import benchlib


def declared_whole_sheet() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["priority", "delivery_group", "ref", "action", "owner", "due", "rating"])
    book.active["A1048576"] = "far away"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def page_times(client, url: str, until: threading.Event, *, at_least: int = 5) -> list[float]:
    """The page's answer times, loaded again and again until `until` is set (and at least `at_least` times)."""
    times = []
    while not until.is_set() or len(times) < at_least:
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return times


def upload_while_paging(officer_client, upload_url: str, name: str, content: bytes, page_client, page_url: str):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connections

    done = threading.Event()
    result: dict = {}

    def other_person() -> None:
        result["times"] = page_times(page_client, page_url, done)
        connections.close_all()

    paging = threading.Thread(target=other_person)
    paging.start()
    started = time.perf_counter()
    response = officer_client.post(upload_url, {"file": SimpleUploadedFile(name, content)}, follow=True)
    seconds = time.perf_counter() - started
    done.set()
    paging.join()
    return seconds, response, result["times"]


def main() -> None:
    benchlib.database_start()
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from actions.models import PlanImport, RatingScheme, Strategy
    from people.models import Partnership
    from tests.conftest import make_user
    from tests.intake.test_bounded_reading import many_strings, strings_bomb

    partnership = Partnership.objects.create(name="Benchmark partnership")
    strategy = Strategy.objects.create(partnership=partnership, name="Bombarded", scheme=RatingScheme.objects.get(code="rag"))
    officer_client = Client()
    officer_client.force_login(make_user("officer@example.org", partnership, "officer"))
    upload_url = reverse("actions:plan_import_upload", args=[strategy.pk])
    page_url = reverse("login")
    print(f"Data: three hostile workbooks built here. {benchlib.machine()}")

    alone = threading.Event()
    alone.set()
    quiet = page_times(Client(), page_url, alone, at_least=20)
    baseline = f"the sign-in page alone: median {benchlib.ms(statistics.median(quiet))} ms"
    bombs = [
        ("shared strings unpacking to 300 MB", strings_bomb(300)),
        ("3 million shared strings", many_strings(3_000_000)),
        ("a sheet declaring 1,048,576 rows", declared_whole_sheet()),
    ]
    rows, slowest_answer, slowest_page = [], 0.0, 0.0
    for label, content in bombs:
        cache.clear()  # the upload rate limit
        seconds, response, times = upload_while_paging(officer_client, upload_url, "plan.xlsx", content, Client(), page_url)
        kept = PlanImport.objects.order_by("-pk").first()
        message = kept.summary["problems"][0]["message"] if kept and kept.summary.get("problems") else f"answered {response.status_code}"
        rows.append(
            [
                label,
                f"{len(content) // 1024:,}",
                f"{seconds:.2f}",
                message[:90],
                benchlib.ms(max(times)),
                benchlib.ms(statistics.median(times)),
            ]
        )
        slowest_answer, slowest_page = max(slowest_answer, seconds), max(slowest_page, max(times))
    benchlib.table(
        "A hostile workbook uploaded as a plan, while another person loads the sign-in page",
        ["workbook", "KB", "answered in s", "message on the page", "other page: slowest ms", "median ms"],
        rows,
    )
    benchlib.target("hostile workbook: answered with its limit", slowest_answer, 5, "s")
    benchlib.target("another person's page while it is read: slowest", slowest_page * 1000, 1000, "ms", baseline=baseline)


if __name__ == "__main__":
    main()
