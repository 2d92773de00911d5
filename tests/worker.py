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
import uuid
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
import pytest

from tests.dbconn import database_url

ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 90  # an upper bound on waiting for a worker, not a timing assertion


def redis_url_or_skip() -> str:
    """The real broker's URL, emptied for this test."""
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TEST_REDIS_URL is not set: CI must run the worker tests against a real Redis.")
        pytest.skip("Set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/14) to run tests with a real worker.")
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


def worker_database_url() -> str:
    """The test database, for a worker process to use: reached exactly as Django reaches it."""
    return database_url()


def _forget_connections() -> None:
    from send_tracker.celery import app

    kombu.pools.reset()
    app._pool, app.amqp._producer_pool = None, None


@contextmanager
def use_broker(url: str):
    """Make this test process publish to the real broker instead of running tasks eagerly.

    Connection and producer pools made for another broker are dropped: a
    publish would go there (this machine also runs RabbitMQ on the default
    port), and the worker under test would never see it.
    """
    from send_tracker.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, url
    _forget_connections()
    try:
        yield app
    finally:
        _forget_connections()
        app.conf.task_always_eager, app.conf.broker_url = saved


class Worker:
    """A `celery worker` process on the test database, started at once; its output goes to `log`."""

    def __init__(self, broker_url: str, log: Path, **env: str):
        self.log = log
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
                "--loglevel",
                "info",
                "--queues",
                "celery,packs",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": worker_database_url(),
                "DB_CONN_MAX_AGE": "0",
                "TESTING": "true",
                "CELERY_BROKER_URL": broker_url,
                **env,
            },
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """SIGKILL by default: no warm shutdown, no acknowledgement, no clean-up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


def wait_for(condition, what: str, worker_logs=(), timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    logs = "\n".join(log.read_text(errors="replace")[-3000:] for log in worker_logs if log.exists())
    pytest.fail(f"Gave up waiting for {what}. Worker log:\n{logs}")
