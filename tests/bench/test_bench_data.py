"""The benchmark programs import, and their data generators make the sizes they state (no timings here)."""

from __future__ import annotations

import csv
import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import benchlib  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import reverse  # noqa: E402

from actions.models import Action, ActionUpdate  # noqa: E402
from tests.dbconn import connection_params, database_url  # noqa: E402

BENCHMARKS = [
    "bench_pages",
    "bench_builds",
    "bench_pack",
    "bench_startup",
    "bench_sweep",
    "bench_load",
    "bench_peer",
    "bench_import",
    "bench_region",
    "bench_phone",
]


@pytest.mark.parametrize("name", [*BENCHMARKS, "summary"])
def test_it_imports_every_benchmark(name):
    assert callable(importlib.import_module(name).main)


def test_it_generates_a_plan_file_of_the_stated_size_on_the_one_plan_areas():
    rows = list(csv.DictReader(io.StringIO(benchlib.plan_csv(500).decode())))
    assert len(rows) == 500
    assert len({r["ref"] for r in rows}) == 500
    assert {(r["priority"], r["delivery_group"], r["sub_group"]) for r in rows} == set(benchlib.one_plan_areas())


@pytest.mark.django_db
def test_it_imports_a_generated_plan_with_six_updates_per_action():
    strategy = benchlib.generated_plan_import(120)
    assert Action.objects.filter(strategy=strategy).count() == 120
    assert benchlib.updates_add(strategy) == 720
    latest = ActionUpdate.objects.filter(action__strategy=strategy).order_by("action_id", "-created_at").distinct("action_id")
    assert all(update.rating_after_id == update.action.rating_id for update in latest.select_related("action"))


@pytest.mark.django_db
def test_it_pads_the_sweep_plan_to_the_stated_size():
    import bench_sweep

    assert bench_sweep.sweep_data(600) == 600


def test_a_load_test_session_is_signed_in_past_the_second_factor(client, owner, settings):
    """The load test's people must reach pages as signed-in people do, with two-factor sign-in required."""
    from bench_load import session_for

    settings.MFA_REQUIRED = True
    client.cookies["sessionid"] = session_for(owner)
    response = client.get(reverse("actions:my_actions"))
    assert response.status_code == 200, response.get("Location")


def test_make_bench_ends_with_every_target_beside_its_figure(tmp_path, monkeypatch, capsys):
    import summary

    results = tmp_path / "targets.jsonl"
    monkeypatch.setattr(benchlib, "RESULTS", str(results))
    monkeypatch.setenv("BENCH_RESULTS", str(results))
    assert benchlib.target("dashboard, One Plan", 31.1, 40, "ms", baseline="admin action list 198 ms")
    assert not benchlib.target("capacity", 60, 100, "req/s", higher_is_better=True)
    summary.main()
    out = capsys.readouterr().out
    assert "| dashboard, One Plan" in out and "≤ 40 ms" in out and "31.1 ms" in out and "admin action list 198 ms" in out
    assert "≥ 100 req/s" in out and "MISSED" in out
    assert "1 of 2 targets met." in out


def test_a_benchmark_that_needs_what_is_not_there_says_so_and_lets_make_bench_go_on(monkeypatch, capsys):
    """`make bench` stops at the first program that fails: the peer's, without a peer, failed, so no program after it
    ran (the phone, the region, start-up, the sweep) and the summary was never printed."""
    import bench_peer
    import bench_phone

    monkeypatch.delenv("PEER_URL", raising=False)
    monkeypatch.setattr(sys, "argv", ["bench_peer.py"])
    bench_peer.main()  # returns: no SystemExit
    monkeypatch.setattr(bench_phone, "CHROMIUM", "/nowhere/chromium")
    bench_phone.main()
    out = capsys.readouterr().out
    assert "beside a peer: not measured, no peer given" in out and "first screen: not measured" in out


def test_the_region_benchmark_copies_a_plan_to_more_partnerships_with_their_updates(db):
    import bench_region

    template = benchlib.generated_plan_import(20, name="Template plan", partnership="Template partnership")
    benchlib.updates_add(template, per_action=2)
    bench_region.region_add(template, 2)
    copies = Action.objects.filter(strategy__partnership__slug__startswith="region-")
    assert copies.count() == 2 * 20
    assert ActionUpdate.objects.filter(action__in=copies).count() == 2 * 20 * bench_region.UPDATES_PER_ACTION


def _run_bench_start(env_extra: dict) -> subprocess.CompletedProcess[str]:
    url = database_url(connection_params(dbname="postgres"))
    code = "import benchlib; print(benchlib.database_start())"
    env = {**os.environ, "DATABASE_URL": url, **env_extra}
    return subprocess.run([sys.executable, "-c", code], cwd=BENCH, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_database_it_did_not_create_and_leaves_it_as_it_was():
    from people.models import Partnership

    Partnership.objects.create(name="Someone else's partnership", slug="someone-else")
    name = connection.settings_dict["NAME"]  # the test database: someone else's as far as a benchmark knows
    result = _run_bench_start({"BENCH_DATABASE": name})
    assert result.returncode != 0
    assert "already exists" in result.stderr
    assert Partnership.objects.filter(slug="someone-else").exists()


def test_it_names_a_database_of_its_own_for_each_run(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE", raising=False)
    first, second = benchlib.bench_database_name(), benchlib.bench_database_name()
    assert first.startswith("send_bench_") and first != second


def test_it_runs_the_load_test_on_a_private_redis_it_stops():
    import shutil
    import socket

    if not shutil.which("redis-server"):
        pytest.skip("no redis-server on this machine: the load test falls back to the database cache")
    url = benchlib.redis_start()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    assert port != 6379
    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(b"PING\r\n")
        assert sock.recv(16).startswith(b"+PONG")


def test_the_capacity_step_counts_arrivals_in_the_unit_it_offers_them():
    import bench_load

    class Updater:
        """An update is two requests (its page, then its POST) but one arrival."""

        def __init__(self):
            self.results = []

        def step(self, choice):
            self.results += [("action page", 200, 0.001), ("update", 302, 0.001)]

    step = bench_load.open_loop_step([Updater()], rate=20, seconds=1)
    assert step["requests"] == 20
    assert step["per_s"] <= 20 * 1.05
    assert step["errors"] == 0


def test_the_peer_benchmark_drives_the_address_it_is_given_with_its_sign_in(monkeypatch):
    """bench_peer installs and starts nothing: it requests the peer's page as given, with the cookie and header given."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import bench_peer

    seen = []

    class Peer(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Cookie"), self.headers.get("X-Redmine-API-Key")))
            self.send_response(200 if self.headers.get("Cookie") else 403)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Peer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("PEER_COOKIE", "_redmine_session=abc")
        monkeypatch.setenv("PEER_HEADER", "X-Redmine-API-Key: key1")
        peer = bench_peer.Target("peer", f"http://127.0.0.1:{server.server_port}/issues?set_filter=1", bench_peer.peer_headers())
        found = bench_peer.summary(bench_peer.drive(peer, 2, 0.3), 0.3)
        stranger = bench_peer.Target("peer", f"http://127.0.0.1:{server.server_port}/issues", {})
        refused = bench_peer.summary(bench_peer.drive(stranger, 1, 0.1), 0.1)
    finally:
        server.shutdown()
    assert found["requests"] > 0 and found["errors"] == 0
    assert set(seen[: found["requests"]]) == {("/issues?set_filter=1", "_redmine_session=abc", "key1")}
    assert refused["requests"] == refused["errors"] > 0
    with pytest.raises(SystemExit):
        bench_peer.Target("peer", "ftp://example.org/issues", {})


@pytest.mark.parametrize("knee", [0, 7, 30, 37, 150, 640, 1000])
def test_the_capacity_search_finds_the_highest_rate_that_holds_to_within_its_resolution(knee):
    import bench_load

    search = bench_load.KneeSearch(start=10, resolution=5, ceiling=640)
    while search.rate:
        held = search.rate <= knee
        search.record({"rate": search.rate, "per_s": float(search.rate), "p95": 0.1 if held else 2.0, "errors": 0})
    assert len(search.steps) <= 14
    assert len({step["rate"] for step in search.steps}) == len(search.steps)
    highest = min(knee, 640)  # the search stops at its ceiling
    assert highest - 5 < search.capacity <= highest


def test_a_capacity_step_with_errors_or_arrivals_given_up_does_not_hold():
    import bench_load

    assert not bench_load.holds({"rate": 10, "per_s": 9.0, "p95": 0.05, "errors": 0, "given_up": 1})
    search = bench_load.KneeSearch(start=10, resolution=5, ceiling=640)
    search.record({"rate": 10, "per_s": 10.0, "p95": 0.05, "errors": 1})
    assert search.capacity == 0.0
    assert search.rate == 5
