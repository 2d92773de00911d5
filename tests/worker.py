"""A real Celery worker process against a real Redis broker, for tests about workers.

Each test process starts a `redis-server` of its own, on a free port with
nothing saved to disk, the first time a test asks for a broker, and stops it
when the process ends: parallel test processes and concurrent runs never share
a broker, and no test empties a Redis that anything else uses.

The worker tests run under CI, or anywhere WORKER_TESTS=true (TEST_REDIS_URL
set to anything counts too). Otherwise they skip with a message; under CI a
missing `redis-server` fails them: CI must run them.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
import pytest

from tests.dbconn import database_url

ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 90  # an upper bound on waiting for a worker, not a timing assertion
TEST_SETTINGS = "send_tracker.settings_test"


def redis_url_or_skip() -> str:
    """A broker for this test: the URL of this process's own Redis, emptied."""
    if not (os.environ.get("CI") or os.environ.get("WORKER_TESTS") or os.environ.get("TEST_REDIS_URL")):
        pytest.skip("Set WORKER_TESTS=true to run tests with a real worker (they start a redis-server of their own).")
    url = _private_redis.url()
    import redis

    redis.Redis.from_url(url).flushall()  # this process's own server: nobody else's data
    return url


class PrivateRedis:
    """A `redis-server` for this test process alone, started on first use and stopped when the process ends."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.folder = ""

    def url(self) -> str:
        if self.process is None or self.process.poll() is not None:
            self._start()
        return f"redis://127.0.0.1:{self.port}/0"

    def _start(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            message = "redis-server is not installed (apt-get install redis-server): the worker tests start one of their own."
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        import redis

        self.folder = tempfile.mkdtemp(prefix="send-test-redis-")
        for _attempt in range(5):
            self.port = _free_port()
            self.process = subprocess.Popen(
                [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no", "--dir", self.folder],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                    atexit.register(self.stop)
                    return
                except redis.ConnectionError:
                    time.sleep(0.05)
            self._terminate()  # the port was taken between choosing and binding it: choose again
        self.stop()
        pytest.fail("Could not start a private redis-server for the worker tests.")

    def stop(self) -> None:
        self._terminate()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_private_redis = PrivateRedis()


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
    """A `celery worker` process on the test database and the test settings, started at once; its output goes to `log`.

    It runs tests/celery_app.py: the product's app, plus a pause after a task that a test may ask for with
    `pause_after="<task name>=<seconds>"` (to kill it between finishing a task and acknowledging it).
    """

    def __init__(self, broker_url: str, log: Path, pause_after: str = "", **env: str):
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.celery_app",
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
                "DJANGO_SETTINGS_MODULE": TEST_SETTINGS,
                "PRIVATE_MEDIA_ROOT": str(_test_settings().PRIVATE_MEDIA_ROOT),
                "CELERY_BROKER_URL": broker_url,
                "TEST_PAUSE_AFTER_TASK": pause_after,
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


def _test_settings():
    from django.conf import settings

    return settings


def wait_for(condition, what: str, worker_logs=(), timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    logs = "\n".join(log.read_text(errors="replace")[-3000:] for log in worker_logs if log.exists())
    pytest.fail(f"Gave up waiting for {what}. Worker log:\n{logs}")
