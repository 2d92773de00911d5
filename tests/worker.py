"""A real Celery worker (and beat) process against a real Redis broker, for tests about workers.

The broker is a private `redis-server` this test process starts on a free port,
so no test empties or reads a Redis anything else uses, and parallel test
processes each have their own. Without a redis-server binary the tests that
need one skip with a message, unless CI is set, when they fail: CI must run them.
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test process's own, on a free port, in memory only; stop() and start() it to take the broker away."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI"):
                pytest.fail("No redis-server binary: CI must run the worker tests against a real Redis.")
            pytest.skip("Install redis-server to run the tests with a real broker and a real worker.")
        self.binary = binary
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="test-redis-"))
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=(self.folder / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """Take the broker away: its queued messages go with it, as with a Redis that restarts without persistence."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def flush(self) -> None:
        import redis

        redis.Redis(host="127.0.0.1", port=self.port).flushall()


_shared: PrivateRedis | None = None


def _stop_shared() -> None:
    if _shared is not None:
        _shared.stop()
        shutil.rmtree(_shared.folder, ignore_errors=True)


def redis_url_or_skip() -> str:
    """A real broker for this test: this test process's private redis-server, emptied (it is nobody else's)."""
    global _shared
    if _shared is None or _shared.process is None:
        _shared = PrivateRedis()
        atexit.register(_stop_shared)
    _shared.flush()
    return _shared.url


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

    # Celery's configuration follows the Django settings until a value is set on it: afterwards the values this
    # sets are taken back rather than set again, or the settings a test had in force here would stay for every
    # later test in the process (one that had turned eager tasks off left them off, publishing to no broker).
    overridden = ("task_always_eager", "broker_url")
    earlier = {name: app.conf.changes[name] for name in overridden if name in app.conf.changes}
    app.conf.task_always_eager, app.conf.broker_url = False, url
    _forget_connections()
    try:
        yield app
    finally:
        _forget_connections()
        for name in overridden:
            if name in earlier:
                app.conf[name] = earlier[name]
            else:
                app.conf.changes.pop(name, None)


def _environment(broker_url: str, env: dict[str, str]) -> dict[str, str]:
    from django.conf import settings

    return {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "DB_CONN_MAX_AGE": "0",
        "DJANGO_SETTINGS_MODULE": TEST_SETTINGS,
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "CELERY_BROKER_URL": broker_url,
        **env,
    }


class Worker:
    """A `celery worker` process on the test database and the test settings, started at once; its output goes to `log`.

    `pool="prefork"` runs it as deployed: a parent process and a child that runs the task. It runs
    tests/celery_app.py: the product's app, plus a pause after a task that a test may ask for with
    `pause_after="<task name>=<seconds>"` (to kill it between finishing a task and acknowledging it).
    """

    def __init__(self, broker_url: str, log: Path, *, pool: str = "solo", pause_after: str = "", **env: str):
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
                pool,
                "--concurrency",
                "1",
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
            env=_environment(broker_url, {"TEST_PAUSE_AFTER_TASK": pause_after, **env}),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """SIGKILL by default: no warm shutdown, no acknowledgement, no clean-up."""
        self.send_signal(sig)
        self.wait()

    def send_signal(self, sig: int) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)

    def wait(self) -> None:
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


def stop_all(processes) -> None:
    """Stop workers and beats together: each is asked first, then each is waited for, so their shutdowns overlap."""
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait()  # SIGKILL if it does not end in time


class Beat(Worker):
    """`celery beat` on the database schedule, as docker-compose runs it; CELERY_BEAT_SCHEDULE's entries go in at start."""

    def __init__(self, broker_url: str, log: Path, **env: str):
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "send_tracker",
                "beat",
                "--loglevel",
                "info",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
                "--pidfile=",
            ],
            cwd=ROOT,
            env=_environment(broker_url, env),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for(condition, what: str, worker_logs=(), timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    logs = "\n".join(log.read_text(errors="replace")[-3000:] for log in worker_logs if log.exists())
    pytest.fail(f"Gave up waiting for {what}. Worker log:\n{logs}")
