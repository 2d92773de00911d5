"""What every benchmark shares: its own database, timing as medians, plans of any size, a plain table.

A benchmark never touches data it did not create: it creates a database of its
own, named uniquely for the run (`send_bench_<pid>_<random>`, or BENCH_DATABASE),
on the server DATABASE_URL points at, migrates it, and drops it when it ends —
only if it made it. A name that already exists is refused, never dropped.
"""

from __future__ import annotations

import atexit
import csv
import datetime as dt
import io
import json
import os
import platform
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
ONE_PLAN = FIXTURES / "cheshire-east-one-plan"
ONE_PLAN_KPIS = FIXTURES / "kpis" / "cheshire-east"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def database_url_with_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def bench_database_name() -> str:
    """A database name no one else uses: BENCH_DATABASE, or one made for this run."""
    return os.environ.get("BENCH_DATABASE") or f"send_bench_{os.getpid()}_{secrets.token_hex(4)}"


def database_start() -> str:
    """Create and migrate a database of the benchmark's own, point Django at it, and drop it at exit.

    It is created here, so it is ours to drop; a database that already has the
    name is someone else's, and the benchmark stops rather than touch it.
    """
    import psycopg

    source = os.environ.get("DATABASE_URL")
    if not source:
        sys.exit("Set DATABASE_URL (any database on the server to use), or run through bin/with-db.")
    name = bench_database_name()
    admin_url = database_url_with_name(source, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            sys.exit(f"A database named {name} already exists: a benchmark only uses one it creates (choose another BENCH_DATABASE).")
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    os.environ["DATABASE_URL"] = database_url_with_name(source, name)
    os.environ["BENCH_DATABASE"] = name  # processes this one starts use the same database
    django_start()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)

    def close_and_drop() -> None:
        connections.close_all()
        drop()

    if not os.environ.get("BENCH_KEEP_DATABASE"):
        atexit.register(close_and_drop)
    return os.environ["DATABASE_URL"]


def redis_start() -> str:
    """A private redis-server on a free loopback port for this run, stopped at exit; '' when there is none.

    The benchmark never uses (let alone empties) a Redis someone else runs.
    """
    import shutil
    import socket
    import subprocess
    import tempfile

    binary = shutil.which("redis-server")
    if not binary:
        return ""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    workdir = tempfile.mkdtemp(prefix="bench-redis-")
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def stop() -> None:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(stop)
    for _ in range(100):
        if server.poll() is not None:
            break  # it could not listen (the port was taken meanwhile): never use whoever answers there
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
                answer = sock.recv(65536).decode(errors="replace")
        except OSError:
            time.sleep(0.05)
            continue
        # The Redis answering is the one started here, not another that holds the port.
        if f"process_id:{server.pid}\r\n" in answer:
            return f"redis://127.0.0.1:{port}/0"
        break
    stop()
    return ""


def django_start() -> None:
    """Django with the test settings (send_tracker/settings_test.py): the test client's host, fast hashing, no email sent."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_tracker.settings_test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()


# Timing ---------------------------------------------------------------------------------------


def threads_run(threads) -> float:
    """Start every thread and wait for them all: the seconds from the first start to the last end."""
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def median_seconds(
    run: Callable[[], object],
    *,
    runs: int = 15,
    warmup: int = 2,
    clock: Callable[[], float] = time.perf_counter,
    before: Callable[[], object] | None = None,
) -> float:
    """The median time of `run`; `before` (untimed) runs ahead of each, e.g. to save the change a page is rebuilt for."""
    for _ in range(warmup):
        if before:
            before()
        run()
    times = []
    for _ in range(runs):
        if before:
            before()
        started = clock()
        run()
        times.append(clock() - started)
    return statistics.median(times)


def database_cpu_seconds() -> float:
    """CPU seconds the database server process serving this connection has used so far (0 when it is not on this machine).

    On a shared machine this is steadier than the wall clock: it counts what the statements cost the
    server, not how long they waited for a core.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime, the 14th and 15th fields (counted from the pid), in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def table(title: str, headers: list[str], rows: list[list[object]]) -> str:
    """A plain text table, right-aligned numbers, for reading in a terminal or pasting into markdown."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))) + " |"

    out = [f"\n{title}", line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in cells[1:]]
    text = "\n".join(out)
    print(text, flush=True)
    return text


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {pg}, {dt.date.today():%Y-%m-%d}; "
        f"calibration: a Python loop of 10 million additions {calibration():.2f} s; "
        f"load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}"
    )


def calibration() -> float:
    """Seconds for a plain Python loop of 10 million additions: how fast this machine is now (about 0.5 s on a recent laptop)."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.perf_counter() - started


# Plans ----------------------------------------------------------------------------------------


def statistics_gathered() -> None:
    """ANALYZE the data just made, as autovacuum soon does on a server after a bulk load: plans as in production."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def one_plan_import():
    """The real One Plan and its KPIs, through the same commands seed_demo runs."""
    from django.core.management import call_command

    from actions.models import Strategy

    meta = json.loads((ONE_PLAN / "plan.json").read_text(encoding="utf-8"))
    quiet = io.StringIO()
    call_command(
        "import_plan",
        str(ONE_PLAN / "actions.csv"),
        strategy=meta["strategy"],
        partnership=meta["partnership"],
        scheme=meta["scheme"],
        details=str(ONE_PLAN / "plan.json"),
        stdout=quiet,
    )
    strategy = Strategy.objects.get(name=meta["strategy"])
    kpis_load(strategy)
    return strategy


def kpis_load(strategy) -> None:
    from django.core.management import call_command

    quiet = io.StringIO()
    call_command("load_kpis", f"{ONE_PLAN_KPIS}-kpis.csv", strategy=strategy.name, stdout=quiet)
    call_command("import_kpi_values", f"{ONE_PLAN_KPIS}-kpi-values.csv", strategy=strategy.name, stdout=quiet)


RATINGS = ["Not started", "Delayed", "On track", "Complete but need to evidence impact", "Complete"]
OWNER_COUNT = 60


def one_plan_areas() -> list[tuple[str, str, str]]:
    """The One Plan's (priority, delivery group, sub-group) triples, in plan order."""
    with open(ONE_PLAN / "actions.csv", encoding="utf-8", newline="") as handle:
        triples = [(row["priority"], row["delivery_group"], row["sub_group"]) for row in csv.DictReader(handle)]
    return list(dict.fromkeys(triples))


def plan_csv(actions: int, *, seed: int = 9) -> bytes:
    """A plan file in the import format, with the One Plan's priorities, areas and sub-areas and 60 owners.

    The actions are spread evenly over the areas (so the One Plan's KPIs load
    against it too). Due months spread over four years around today, so some
    are overdue; one action in twelve has no owner yet and one in fifteen no due date.
    """
    rng = random.Random(seed)
    areas = one_plan_areas()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["priority", "delivery_group", "sub_group", "ref", "action", "owner", "due", "rating", "notes"])
    today = dt.date.today()
    for number in range(1, actions + 1):
        priority, group, sub = areas[(number - 1) * len(areas) // actions]
        owners = (
            "To be allocated"
            if number % 12 == 0
            else "; ".join(sorted({f"Owner role {rng.randrange(OWNER_COUNT) + 1}" for _ in range(rng.choice([1, 1, 2]))}))
        )
        month = today.replace(day=1) + dt.timedelta(days=31 * rng.randrange(-24, 24))
        due = "To be determined" if number % 15 == 0 else month.strftime("%B %Y")
        text = f"Action {number}: work with partners to improve support for children and young people with SEND, step {number % 7 + 1}"
        writer.writerow([priority, group, sub, f"GEN-{number}", text, owners, due, rng.choice(RATINGS), ""])
    return out.getvalue().encode("utf-8")


def generated_plan_import(actions: int, *, name: str = "Generated plan", partnership: str = "Generated partnership"):
    """A generated plan imported through plan_read and plan_apply, as an officer's upload would be."""
    from django.db import transaction

    from actions.planfile import plan_apply, plan_read, strategy_for_import

    content = plan_csv(actions)
    with transaction.atomic():
        strategy = strategy_for_import(strategy_name=name, partnership_name=partnership, scheme_code="cheshire-east")
        changes = plan_read(content, "generated.csv", strategy)
        if not changes.ok:
            raise SystemExit(f"The generated plan does not import: {changes.problems[:3]}")
        plan_apply(changes)
    return strategy


def updates_add(strategy, *, per_action: int = 6, author=None) -> int:
    """A year of bi-monthly updates for every action (bulk_create), the last one leading to its current rating."""
    from django.utils import timezone

    from actions.models import Action, ActionUpdate

    rng = random.Random(strategy.pk)
    levels = list(strategy.scheme.levels.all())
    now = timezone.now()
    batch = []
    for action_id, rating_id in Action.objects.filter(strategy=strategy).values_list("pk", "rating_id"):
        before = None
        for step in range(per_action):
            after = rating_id if step == per_action - 1 else rng.choice(levels).pk
            batch.append(
                ActionUpdate(
                    action_id=action_id,
                    author=author,
                    created_at=now - dt.timedelta(days=61 * (per_action - 1 - step) + rng.randrange(20)),
                    rating_before_id=before,
                    rating_after_id=after,
                    narrative=f"Progress this period: step {step + 1} of the work, with partners and families. " * 3,
                    source=ActionUpdate.Source.IMPORT,
                )
            )
            before = after
    ActionUpdate.objects.bulk_create(batch, batch_size=2000)
    return len(batch)


def people_add(strategy, *, leads: int = 1, titles: list[str] | None = None):
    """An officer, a board member, a superuser and `leads` delivery leads of the strategy's partnership.

    Each lead holds one post, round robin over the posts that own the most actions.
    """
    from django.db.models import Count

    from accounts.models import User
    from people.models import Membership, Post

    partnership = strategy.partnership
    suffix = strategy.pk
    officer = User.objects.create(username=f"officer-{suffix}@example.org", email=f"officer-{suffix}@example.org")
    Membership.objects.create(user=officer, partnership=partnership, role=Membership.Role.OFFICER)
    board = User.objects.create(username=f"board-{suffix}@example.org", email=f"board-{suffix}@example.org")
    Membership.objects.create(user=board, partnership=partnership, role=Membership.Role.BOARD_MEMBER)
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create(
        username="admin@example.org", is_staff=True, is_superuser=True
    )
    posts = list(
        Post.objects.filter(partnership=partnership, actions__strategy=strategy).annotate(n=Count("actions")).order_by("-n", "title")
    )
    if titles:
        posts = [p for p in posts if p.title in titles] + [p for p in posts if p.title not in titles]
    lead_users = []
    for number in range(leads):
        user = User.objects.create(username=f"lead-{suffix}-{number}@example.org", email=f"lead-{suffix}-{number}@example.org")
        Membership.objects.create(user=user, partnership=partnership, role=Membership.Role.DELIVERY_LEAD)
        user.posts.add(posts[number % len(posts)])
        lead_users.append(user)
    return {"officer": officer, "board": board, "admin": admin, "leads": lead_users}


# Targets ----------------------------------------------------------------------------------------

# Where `make bench` collects every program's targets, to print them together at the end.
RESULTS = os.environ.get("BENCH_RESULTS")


def target(name: str, figure: float, limit: float, unit: str, *, baseline: str = "", higher_is_better: bool = False) -> bool:
    """Print one target beside its measured figure, and keep it for the summary `make bench` prints.

    `baseline` names what the figure is measured beside in the same run (a bare
    engine doing the same work), so a figure on a slower machine can still be read.
    """
    met = figure >= limit if higher_is_better else figure <= limit
    sign = "≥" if higher_is_better else "≤"
    row = {"target": name, "limit": f"{sign} {limit:g} {unit}", "figure": f"{figure:.3g} {unit}", "baseline": baseline, "met": met}
    beside = f"; beside {baseline}" if baseline else ""
    print(f"target: {name}: {row['figure']} (target {row['limit']}) {'met' if met else 'MISSED'}{beside}", flush=True)
    if RESULTS:
        with open(RESULTS, "a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")
    return met
