"""The strategy page with 20 clients, side by side with a peer's page you name (Redmine's issue list, say).

This program installs nothing and starts no peer: you run the peer and give its
address. It serves our strategy page (the One Plan, a board member signed in) on
a database and a gunicorn of its own, as bench_load does, and then drives 20
clients with no think time at ours and at the peer in turn, several rounds
interleaved (ours, peer, ours, peer ...), so that whatever else the machine is
doing falls on both. It prints the requests a second and the p95 of each, and
the ratio; the target is ours at 10 times the peer's throughput or more.

    PEER_URL=http://127.0.0.1:3000/issues bin/with-db python bench/bench_peer.py
    PEER_URL=... PEER_COOKIE="_redmine_session=..." PEER_HEADER="X-Redmine-API-Key: ..." python bench/bench_peer.py

Knobs: BENCH_PEER_CLIENTS (20), BENCH_PEER_SECONDS a round (15), BENCH_PEER_ROUNDS (3).
"""

from __future__ import annotations

import http.client
import os
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit

import benchlib
from bench_load import one_plan_served, percentile, served_by, session_for

CLIENTS = int(os.environ.get("BENCH_PEER_CLIENTS", "20"))
SECONDS = int(os.environ.get("BENCH_PEER_SECONDS", "15"))
ROUNDS = int(os.environ.get("BENCH_PEER_ROUNDS", "3"))
TARGET_RATIO = 10.0


class Target:
    """A page to drive: where it is and what to send with each request."""

    def __init__(self, name: str, url: str, headers: dict[str, str]):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SystemExit(f"{name}: {url!r} is not an http(s) address")
        self.name, self.url = name, url
        self.https, self.host, self.port = parts.scheme == "https", parts.hostname, parts.port
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.headers = {"Host": parts.netloc, **headers}

    def get(self) -> tuple[int, float]:
        """One GET on a new connection, as a browser's first request is: (status, or 0 when it failed; seconds)."""
        started = time.perf_counter()
        connection_class = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        try:
            conn = connection_class(self.host, self.port, timeout=30)
            conn.request("GET", self.path, headers=self.headers)
            response = conn.getresponse()
            response.read()
            conn.close()
        except OSError:
            return 0, time.perf_counter() - started
        return response.status, time.perf_counter() - started


def peer_headers() -> dict[str, str]:
    """PEER_COOKIE and PEER_HEADER ("Name: value"), when given."""
    headers = {}
    if os.environ.get("PEER_COOKIE"):
        headers["Cookie"] = os.environ["PEER_COOKIE"]
    if os.environ.get("PEER_HEADER"):
        name, _, value = os.environ["PEER_HEADER"].partition(":")
        headers[name.strip()] = value.strip()
    return headers


def drive(target: Target, clients: int, seconds: float) -> list[tuple[int, float]]:
    """`clients` threads each requesting the page again as soon as the last answer came, for `seconds`."""
    until = time.monotonic() + seconds
    samples: list[tuple[int, float]] = []
    lock = threading.Lock()

    def client() -> None:
        mine = []
        while time.monotonic() < until:
            mine.append(target.get())
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def summary(samples: list[tuple[int, float]], seconds: float) -> dict:
    times = [t for status, t in samples if status == 200]
    return {
        "requests": len(samples),
        "errors": sum(1 for status, _ in samples if status != 200),
        "per_s": len(times) / seconds,
        "p50": statistics.median(times) if times else 0.0,
        "p95": percentile(times, 95),
    }


def side_by_side(ours: Target, peer: Target) -> dict[str, dict]:
    """Each page driven ROUNDS times, taking turns; a warm-up of each first. The figures of all rounds together."""
    for target in (ours, peer):
        status, _ = target.get()
        if status != 200:
            raise SystemExit(f"{target.name} ({target.url}) answered {status}, not 200: check the address and the sign-in")
        drive(target, CLIENTS, 2)
    found: dict[str, list] = {ours.name: [], peer.name: []}
    for round_number in range(ROUNDS):
        for target in (ours, peer) if round_number % 2 == 0 else (peer, ours):
            found[target.name].extend(drive(target, CLIENTS, SECONDS))
    return {name: summary(samples, SECONDS * ROUNDS) for name, samples in found.items()}


def main() -> None:
    peer_url = os.environ.get("PEER_URL") or (sys.argv[1] if len(sys.argv) > 1 else "")
    if not peer_url:
        # `make bench` runs every program: without a peer, this one says so and lets the others run.
        print("The strategy page beside a peer: not measured, no peer given (PEER_URL=http://host:port/issues, and PEER_COOKIE")
        print("or PEER_HEADER if it needs a sign-in).")
        return
    peer = Target("peer", peer_url, peer_headers())
    server, port, strategy, people = one_plan_served()
    try:
        signed_in = {"Cookie": f"sessionid={session_for(people['board'])}"}
        ours = Target("strategy page", f"http://127.0.0.1:{port}/strategies/{strategy.pk}/", signed_in)
        found = side_by_side(ours, peer)
    finally:
        server.terminate()
        server.wait(timeout=30)

    rows = [
        [name, url, f["requests"], f["errors"], f"{f['per_s']:.1f}", benchlib.ms(f["p50"]), benchlib.ms(f["p95"])]
        for (name, f), url in zip(found.items(), (ours.url, peer.url), strict=True)
    ]
    benchlib.table(
        f"{CLIENTS} clients with no think time, {ROUNDS} rounds of {SECONDS} s each, taking turns; ours on gunicorn {served_by()}",
        ["page", "address", "requests", "errors", "per s", "p50 ms", "p95 ms"],
        rows,
    )
    ratio = found[ours.name]["per_s"] / found[peer.name]["per_s"] if found[peer.name]["per_s"] else float("inf")
    p95s = f"{benchlib.ms(found[ours.name]['p95'])} against {benchlib.ms(found[peer.name]['p95'])} ms"
    print(f"Throughput, ours against the peer's: {ratio:.2f}x; p95 {p95s}")
    benchlib.target(
        f"strategy page with {CLIENTS} clients against the peer's page",
        ratio,
        TARGET_RATIO,
        "× peer",
        baseline=f"{peer_url}: {found[peer.name]['per_s']:.1f} requests/s, p95 {benchlib.ms(found[peer.name]['p95'])} ms",
        higher_is_better=True,
    )


if __name__ == "__main__":
    main()
