"""The One Plan's board pack: render time, pages and peak memory, beside a bare WeasyPrint table (the floor).

The pack is rendered as the worker renders it (reporting.report.board_pack_html
then reporting.pdf.render_pdf). The floor is WeasyPrint alone on a plain
HTML table of the same actions. Peak memory is measured twice: Python's
allocations during one render (tracemalloc), and the peak resident size of a
fresh process that does nothing but that render (the worker's cost).

    bin/with-db python bench/bench_pack.py
"""

from __future__ import annotations

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


def pack_render(snapshot):
    from reporting.pdf import render_pdf
    from reporting.report import board_pack_html

    return render_pdf(board_pack_html(snapshot))


def bare_render(html: str):
    from weasyprint import HTML

    document = HTML(string=html).render()
    return document.write_pdf(), len(document.pages)


def peak_rss_of_render(which: str, snapshot_id: int) -> tuple[float, float]:
    """Peak resident MiB and wall seconds of a new process that sets up Django and renders once (the whole command)."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--render-once", which, str(snapshot_id)], capture_output=True, text=True, check=True, env=os.environ
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["rss_mib"], time.perf_counter() - started


def render_once(which: str, snapshot_id: int) -> None:
    benchlib.django_start()
    from actions.models import Snapshot

    snapshot = Snapshot.objects.get(pk=snapshot_id)
    if which == "pack":
        pack_render(snapshot)
    elif which == "bare":
        bare_render(bare_table_html(snapshot))
    # VmHWM, not ru_maxrss: after fork and exec ru_maxrss still holds the parent's peak.
    peak_kib = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(json.dumps({"rss_mib": peak_kib / 1024}))


def main() -> None:
    benchlib.database_start()
    from actions.models import Snapshot
    from reporting.report import board_pack_html

    strategy = benchlib.one_plan_import()
    snapshot = Snapshot.objects.filter(strategy=strategy).latest("as_at")
    print(f"Data: One Plan, snapshot of {snapshot.items.count()} actions. {benchlib.machine()}")
    html = bare_table_html(snapshot)

    pack = pack_render(snapshot)
    _, bare_pages = bare_render(html)
    pack_s = benchlib.median_seconds(lambda: pack_render(snapshot), runs=RUNS, warmup=1)
    bare_s = benchlib.median_seconds(lambda: bare_render(html), runs=RUNS, warmup=0)
    # CPU seconds as well: a render is single-threaded, so on a busy machine CPU time is the steadier figure.
    pack_cpu = benchlib.median_seconds(lambda: pack_render(snapshot), runs=RUNS, warmup=0, clock=time.process_time)
    bare_cpu = benchlib.median_seconds(lambda: bare_render(html), runs=RUNS, warmup=0, clock=time.process_time)
    html_s = benchlib.median_seconds(lambda: board_pack_html(snapshot), runs=RUNS, warmup=0)

    def traced(run) -> float:
        tracemalloc.start()
        run()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak / 2**20

    pack_peak = traced(lambda: pack_render(snapshot))
    bare_peak = traced(lambda: bare_render(html))
    pack_rss, pack_process_s = peak_rss_of_render("pack", snapshot.pk)
    bare_rss, bare_process_s = peak_rss_of_render("bare", snapshot.pk)
    idle_rss, idle_process_s = peak_rss_of_render("none", snapshot.pk)

    benchlib.table(
        f"One Plan board pack: median of {RUNS} renders after warm-up",
        ["render", "median s", "CPU s", "pages", "PDF KiB", "tracemalloc peak MiB", "process peak RSS MiB", "whole process s"],
        [
            [
                "board pack (HTML + PDF)",
                f"{pack_s:.2f}",
                f"{pack_cpu:.2f}",
                pack.page_count,
                len(pack.content) // 1024,
                f"{pack_peak:.0f}",
                f"{pack_rss:.0f}",
                f"{pack_process_s:.2f}",
            ],
            ["  of which the HTML", f"{html_s:.2f}", "", "", "", "", "", ""],
            [
                "floor: bare WeasyPrint table",
                f"{bare_s:.2f}",
                f"{bare_cpu:.2f}",
                bare_pages,
                "",
                f"{bare_peak:.0f}",
                f"{bare_rss:.0f}",
                f"{bare_process_s:.2f}",
            ],
            ["process with Django, no render", "", "", "", "", "", f"{idle_rss:.0f}", f"{idle_process_s:.2f}"],
        ],
    )
    print(f"Pack / floor: {pack_s / bare_s:.2f}x wall, {pack_cpu / bare_cpu:.2f}x CPU")
    floor = f"bare WeasyPrint table of the same rows {bare_s:.2f} s ({bare_cpu:.2f} CPU s), {bare_process_s:.2f} s as a whole process"
    benchlib.target("concise One Plan pack, render against the bare table", pack_s / bare_s, 1.0, "× bare", baseline=floor)
    benchlib.target(
        "concise One Plan pack, whole process against the bare table's", pack_process_s / bare_process_s, 1.0, "× bare", baseline=floor
    )
    benchlib.target(
        "concise One Plan pack, peak memory of a render-only process",
        pack_rss,
        200,
        "MiB",
        baseline=f"bare WeasyPrint table {bare_rss:.0f} MiB, Django alone {idle_rss:.0f} MiB",
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--render-once":
        render_once(sys.argv[2], int(sys.argv[3]))
    else:
        main()
