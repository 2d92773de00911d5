"""Starting Django: what a management command and a Celery worker pay before their own work.

Each figure is a new Python process, timed from outside (median of BENCH_STARTUP_RUNS):
- a command: `django.setup()` with the product's settings;
- a worker: that, then the Celery app and the autodiscovered tasks modules loaded as
  `celery worker` loads them (the Django fix-up runs the system checks, which load the URLs);
beside the same two on a bare Django project (contenttypes and auth only) in the same run.

Both are measured from a copy of the source with no compiled bytecode (PYTHONDONTWRITEBYTECODE=1,
as the image runs) and again after `python -m compileall` of that copy, as the image is built.

    bin/with-db python bench/bench_startup.py
"""

from __future__ import annotations

import os
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib

RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", "7"))
INSTRUCTIONS = os.environ.get("BENCH_STARTUP_INSTRUCTIONS", "").lower() in {"1", "true", "yes"}
# Every package of the product (each app and the project), whatever apps are added later.
PACKAGES = sorted(
    path.parent.name
    for path in benchlib.ROOT.glob("*/__init__.py")
    if path.parent.name not in ("tests", "bench") and not path.parent.name.startswith(".")
)

COMMAND = "import django; django.setup()"
WORKER = "import django; django.setup(); from send_tracker.celery import app; app.loader.import_default_modules()"
BARE_SETTINGS = """
SECRET_KEY = "bare-project-for-a-baseline-only-0123456789abcdefghijklmnopqrstuvwxyz"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "bare"}}
USE_TZ = True
"""
BARE_CELERY = """
from celery import Celery

app = Celery("bare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
"""
BARE_WORKER = "import django; django.setup(); from bare_celery import app; app.loader.import_default_modules()"


def source_copy(into: Path) -> Path:
    """The product's Python source (no __pycache__), with a bare Django project beside it."""
    for name in PACKAGES:
        shutil.copytree(benchlib.ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(benchlib.ROOT / "manage.py", into / "manage.py")
    (into / "bare_settings.py").write_text(BARE_SETTINGS, encoding="utf-8")
    (into / "bare_celery.py").write_text(BARE_CELERY, encoding="utf-8")
    return into


def started(code: str, cwd: Path, settings: str) -> tuple[float, float]:
    """Wall and CPU seconds of one new interpreter running `code`."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(cwd)}
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # production's settings refuse to start without one
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    begun = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - begun
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(cases: dict[str, tuple[str, str]], cwd: Path) -> dict[str, tuple[float, float]]:
    """Median wall and CPU of each case, the cases taken in turn so a drift in the machine's speed hits all alike."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for code, settings in cases.values():
        started(code, cwd, settings)  # warm the file cache
    for _ in range(RUNS):
        for name, (code, settings) in cases.items():
            times[name].append(started(code, cwd, settings))
    return {name: (statistics.median(t[0] for t in found), statistics.median(t[1] for t in found)) for name, found in times.items()}


# Each of the product's starts, the bare project's it is measured against, and what the target calls it.
PAIRS = (
    ("command: django.setup()", "bare Django: django.setup()", "Django start for a management command"),
    ("worker: app and tasks", "bare Django: Celery app and tasks", "worker start: Django, the Celery app and its tasks"),
)


def instructions(code: str, cwd: Path, settings: str) -> int | None:
    """The instructions one new interpreter running `code` executes, counted by callgrind: the same from run to run,
    however busy the machine (its wall and CPU times are not, on a shared one). None without valgrind."""
    valgrind = shutil.which("valgrind")
    if not valgrind:
        return None
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(cwd)}
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    found = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    counted = re.search(r"Collected : (\d+)", found.stderr)
    return int(counted.group(1)) if counted else None


def main() -> None:
    cases = {
        "command: django.setup()": (COMMAND, "send_tracker.settings"),
        "worker: app and tasks": (WORKER, "send_tracker.settings"),
        "bare Django: django.setup()": (COMMAND, "bare_settings"),
        "bare Django: Celery app and tasks": (BARE_WORKER, "bare_settings"),
    }
    with tempfile.TemporaryDirectory(prefix="send-startup-") as folder:
        cwd = source_copy(Path(folder))
        source = measure(cases, cwd)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(cwd)], check=True)
        compiled = measure(cases, cwd)
        # BENCH_STARTUP_INSTRUCTIONS=1: each start counted in instructions too (a minute or so each, under callgrind).
        counted = {name: instructions(code, cwd, settings) for name, (code, settings) in cases.items()} if INSTRUCTIONS else {}
    benchlib.table(
        f"Starting Django in a new process, median of {RUNS} ({os.cpu_count()} cores)",
        ["process", "source only: wall s", "CPU s", "compiled (.pyc): wall s", "CPU s"],
        [[name, *(f"{figure:.2f}" for figure in (*source[name], *compiled[name]))] for name in cases],
    )
    if all(counted.values()) and counted:
        benchlib.table(
            "Starting Django in a new process, in instructions (callgrind; compiled)",
            ["process", "instructions (millions)", "× its bare baseline"],
            [
                [start, f"{counted[start] / 1e6:,.0f}", f"{counted[start] / counted[bare]:.2f}"]
                for name, bare, _label in PAIRS
                for start in (name, bare)
            ],
        )
    for name, bare, label in PAIRS:
        benchlib.target(
            f"{label}, against a bare Django project",
            compiled[name][0] / compiled[bare][0],
            1.3,
            "× bare",
            baseline=f"{compiled[name][0]:.2f} s against the bare project's {compiled[bare][0]:.2f} s; {source[name][0]:.2f} s uncompiled",
        )


if __name__ == "__main__":
    main()
