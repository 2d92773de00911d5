"""A real Celery worker process against a real Redis broker, for tests about workers.

CI sets TEST_REDIS_URL (see .ci/run). Without it the tests that need a
worker skip with a message, unless CI is set, when they fail: CI must run them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def redis_url_or_skip() -> str:
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TEST_REDIS_URL is not set: CI must run the worker tests against a real Redis.")
        pytest.skip("Set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/14) to run tests with a real worker.")
    return url


def worker_database_url() -> str:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or ""
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    if host.startswith("/"):
        return f"postgresql://{auth}@/{db['NAME']}?host={host}&port={db.get('PORT') or 5432}"
    return f"postgresql://{auth}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@contextmanager
def use_broker(url: str):
    """Make this test process publish to the real broker instead of running tasks eagerly."""
    from send_tracker.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, url
    # Connection and producer pools made for another broker must not be reused:
    # a publish would go there, and the worker under test would never see it.
    app._pool, app.amqp._producer_pool = None, None
    try:
        yield app
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool, app.amqp._producer_pool = None, None
        app.conf.task_always_eager, app.conf.broker_url = saved


def purge(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


class Worker:
    def __init__(self, broker_url: str, extra_env: dict[str, str] | None = None, log: Path | None = None):
        self.env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "TESTING": "true",
            "DB_CONN_MAX_AGE": "0",
            **(extra_env or {}),
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "send_tracker",
                "worker",
                "--pool",
                "solo",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, no clean-up."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(predicate, timeout: float, what: str, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.")
