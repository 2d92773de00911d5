"""The One Plan's board pack: render time, pages and peak memory, beside a bare WeasyPrint table (the floor).

The pack is rendered as the worker renders it (reporting.report.board_pack_html
then reporting.pdf.render_pdf). The floor is WeasyPrint alone on a plain
HTML table of the same actions. Peak memory is measured twice: Python's
allocations during one render (tracemalloc), and the peak resident size of a
fresh process that does nothing but that render (the worker's cost).

    bin/with-db python bench/bench_pack.py
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import tracemalloc

import benchlib

RUNS = int(os.environ.get("BENCH_PACK_RUNS", "3"))


def bare_table_html(snapshot) -> str:
    from django.utils.html import escape

    from actions.models import SnapshotAction

    rows = "".join(
        f"<tr><td>{escape(i.ref)}</td><td>{escape(i.text)}</td><td>{escape(i.owners)}</td>"
        f"<td>{i.due_date or 'TBC'}</td><td>{escape(i.rating.label)}</td><td>{escape(i.narrative)}</td></tr>"
        for i in SnapshotAction.objects.filter(snapshot=snapshot).select_related("rating").order_by("id")
    )
    return (
        '<!doctype html><html lang="en"><head><title>Actions</title><style>'
        "body{font-family:sans-serif;font-size:9pt} table{border-collapse:collapse;width:100%}"
        "td{border:1px solid #999;padding:2pt;vertical-align:top}</style></head><body>"
        f"<table><tr><th>Ref</th><th>Action</th><th>Owner</th><th>Due</th><th>Rating</th><th>Update</th></tr>{rows}</table>"
        "</body></html>"
    )


def pack_render(snapshot, meeting=None, officer_items: list[str] = ()):
    from reporting.pdf import render_pdf
    from reporting.report import board_pack_html

    return render_pdf(board_pack_html(snapshot, meeting, officer_items=officer_items))


def bare_render(html: str):
    from weasyprint import HTML

    document = HTML(string=html).render()
    return document.write_pdf(), len(document.pages)


# What the officer asks the board to decide, as the request form takes it (one item a line).
OFFICER_ITEMS = [
    "Agree the recovery plan for EHC needs assessment timeliness",
    "Note the revised due dates for the delayed actions in priority 3",
]


def peak_rss_of_render(which: str, snapshot_id: int, meeting_id: int = 0) -> tuple[float, float]:
    """Peak resident MiB and wall seconds of a new process that sets up Django and renders once (the whole command)."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--render-once", which, str(snapshot_id), str(meeting_id)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["rss_mib"], time.perf_counter() - started


def render_once(which: str, snapshot_id: int, meeting_id: int) -> None:
    benchlib.django_start()
    from actions.models import Snapshot
    from governance.models import Meeting

    snapshot = Snapshot.objects.get(pk=snapshot_id)
    if which == "pack":
        pack_render(snapshot)
    elif which == "meeting":
        pack_render(snapshot, Meeting.objects.get(pk=meeting_id), OFFICER_ITEMS)
    elif which == "bare":
        bare_render(bare_table_html(snapshot))
    # VmHWM, not ru_maxrss: after fork and exec ru_maxrss still holds the parent's peak.
    peak_kib = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(json.dumps({"rss_mib": peak_kib / 1024}))


def traced(run) -> float:
    """Peak MiB of Python's allocations during one run."""
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def measured(which: str, render, snapshot, meeting_id: int = 0) -> dict:
    """One kind of render: wall and CPU medians, pages, PDF size, Python's peak and a render-only process's peak and time."""
    first = render()
    wall = benchlib.median_seconds(render, runs=RUNS, warmup=0)
    # CPU seconds as well: a render is single-threaded, so on a busy machine CPU time is the steadier figure.
    cpu = benchlib.median_seconds(render, runs=RUNS, warmup=0, clock=time.process_time)
    rss, process_s = peak_rss_of_render(which, snapshot.pk, meeting_id)
    pages, size = (first.page_count, len(first.content) // 1024) if hasattr(first, "page_count") else (first[1], len(first[0]) // 1024)
    return {"wall": wall, "cpu": cpu, "pages": pages, "kib": size, "peak": traced(render), "rss": rss, "process_s": process_s}


def demo_meeting():
    """The demo's One Plan (three board cycles of history, seed_demo), today's snapshot and its next board meeting."""
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from actions.models import Snapshot, Strategy
    from governance.models import Meeting
    from governance.services import snapshot_take

    settings.DEBUG = True  # seed_demo runs only with it
    try:
        call_command("seed_demo", stdout=io.StringIO())
    finally:
        settings.DEBUG = False
    strategy = Strategy.objects.get(name=json.loads((benchlib.ONE_PLAN / "plan.json").read_text(encoding="utf-8"))["strategy"])
    meeting = Meeting.objects.filter(strategy=strategy, status=Meeting.Status.SCHEDULED).order_by("date").first()
    today = timezone.localdate()
    snapshot = Snapshot.objects.filter(strategy=strategy, as_at=today).first() or snapshot_take(strategy=strategy, as_at=today)
    return strategy, snapshot, meeting


def pack_rows(label: str, pack: dict, bare: dict, html_s: float) -> list[list[object]]:
    def row(name: str, found: dict) -> list[object]:
        figures = [f"{found['wall']:.2f}", f"{found['cpu']:.2f}", found["pages"], found["kib"], f"{found['peak']:.0f}"]
        return [name, *figures, f"{found['rss']:.0f}", f"{found['process_s']:.2f}"]

    return [
        row(label, pack),
        ["  of which the HTML", f"{html_s:.2f}", "", "", "", "", "", ""],
        row("  floor: bare WeasyPrint table", bare),
    ]


def pack_targets(name: str, pack: dict, bare: dict, idle_rss: float) -> None:
    floor = (
        f"bare WeasyPrint table of the same rows {bare['wall']:.2f} s ({bare['cpu']:.2f} CPU s), "
        f"{bare['process_s']:.2f} s as a whole process"
    )
    print(f"{name} / floor: {pack['wall'] / bare['wall']:.2f}x wall, {pack['cpu'] / bare['cpu']:.2f}x CPU")
    benchlib.target(f"{name}, render against the bare table", pack["wall"] / bare["wall"], 1.0, "× bare", baseline=floor)
    benchlib.target(f"{name}, render CPU against the bare table's", pack["cpu"] / bare["cpu"], 1.0, "× bare", baseline=floor)
    benchlib.target(f"{name}, whole process against the bare table's", pack["process_s"] / bare["process_s"], 1.0, "× bare", baseline=floor)
    benchlib.target(
        f"{name}, peak memory of a render-only process",
        pack["rss"],
        200,
        "MiB",
        baseline=f"bare WeasyPrint table {bare['rss']:.0f} MiB, Django alone {idle_rss:.0f} MiB",
    )


def main() -> None:
    benchlib.database_start()
    from actions.models import Snapshot
    from reporting.report import board_pack_html

    strategy = benchlib.one_plan_import()
    snapshot = Snapshot.objects.filter(strategy=strategy).latest("as_at")
    print(f"Data: One Plan, snapshot of {snapshot.items.count()} actions. {benchlib.machine()}")
    html = bare_table_html(snapshot)
    pack = measured("pack", lambda: pack_render(snapshot), snapshot)
    bare = measured("bare", lambda: bare_render(html), snapshot)
    html_s = benchlib.median_seconds(lambda: board_pack_html(snapshot), runs=RUNS, warmup=0)
    idle_rss, idle_process_s = peak_rss_of_render("none", snapshot.pk)

    # The meeting pack: the demo's plan after three boards, with the meeting's papers (the last board's
    # decisions and actions arising, the sign-offs, the officer's items for decision), as a pack asked for
    # a meeting is rendered (reporting.services.board_report_render).
    demo, today, meeting = demo_meeting()
    print(f"Data: the demo's One Plan, today's snapshot of {today.items.count()} actions, for the board on {meeting.date}.")
    demo_html = bare_table_html(today)
    meeting_pack = measured("meeting", lambda: pack_render(today, meeting, OFFICER_ITEMS), today, meeting.pk)
    meeting_bare = measured("bare", lambda: bare_render(demo_html), today)
    meeting_html_s = benchlib.median_seconds(lambda: board_pack_html(today, meeting, officer_items=OFFICER_ITEMS), runs=RUNS, warmup=0)

    benchlib.table(
        f"Board packs: median of {RUNS} renders after one",
        ["render", "median s", "CPU s", "pages", "PDF KiB", "tracemalloc peak MiB", "process peak RSS MiB", "whole process s"],
        [
            *pack_rows("concise One Plan pack (HTML + PDF)", pack, bare, html_s),
            *pack_rows("meeting pack, the demo's plan after three boards", meeting_pack, meeting_bare, meeting_html_s),
            ["process with Django, no render", "", "", "", "", "", f"{idle_rss:.0f}", f"{idle_process_s:.2f}"],
        ],
    )
    pack_targets("concise One Plan pack", pack, bare, idle_rss)
    pack_targets("meeting pack", meeting_pack, meeting_bare, idle_rss)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--render-once":
        render_once(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
