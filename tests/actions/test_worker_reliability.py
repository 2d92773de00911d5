"""A real worker on a real Redis broker: the chasing emails arrive, once, even when the worker is killed.

Needs TEST_REDIS_URL (CI sets it; locally e.g. redis://127.0.0.1:6379/15).
The worker is a separate process on the test database, writing emails to
files so this test can count them across processes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
from django.conf import settings

from actions.chasing import actions_sweep
from actions.models import EmailDigest
from actions.tasks import send_digest, sweep_overdue
from send_tracker.celery import app as celery_app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
OCT_1 = dt.date(2025, 10, 1)
VISIBILITY_TIMEOUT = 2
WAIT_SECONDS = 90  # an upper bound on waiting for the worker, not a timing assertion


@pytest.fixture
def broker_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must set TEST_REDIS_URL: the worker tests need a real Redis.")
        pytest.skip("Set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to run the tests with a real worker and broker.")
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def on_broker(broker_url):
    """Send tasks from this process to the real broker instead of running them in-process."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager, conf.broker_url = False, broker_url
    _forget_connections()
    yield broker_url
    _forget_connections()
    conf.task_always_eager, conf.broker_url = saved


def _forget_connections() -> None:
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class Worker:
    def __init__(self, broker_url: str, mail_dir: Path, log: Path, **env: str):
        db = settings.DATABASES["default"]
        auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
        host = db["HOST"] or "127.0.0.1"
        database_url = f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
        if host.startswith("/"):  # a socket directory, as the embedded PostgreSQL uses
            database_url = f"postgres://{auth}@/{db['NAME']}?host={quote(host)}&port={db['PORT'] or 5432}"
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
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": database_url,
                "DB_CONN_MAX_AGE": "0",
                "TESTING": "true",
                "CELERY_BROKER_URL": broker_url,
                # Short, so that a message of a killed worker is redelivered within the test.
                "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(mail_dir),
                **env,
            },
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


@pytest.fixture
def start_worker(on_broker, tmp_path):
    workers: list[Worker] = []

    def start(**env: str) -> Worker:
        worker = Worker(on_broker, tmp_path / "mail", tmp_path / f"worker-{len(workers)}.log", **env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def emails_by_recipient(mail_dir: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in mail_dir.glob("*.log") if mail_dir.exists() else []:
        for address in re.findall(r"^To: (.+)$", path.read_text(), flags=re.MULTILINE):
            counts[address.strip()] = counts.get(address.strip(), 0) + 1
    return counts


def wait_for(condition, what: str, worker_logs=()):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    logs = "\n".join(log.read_text(errors="replace")[-3000:] for log in worker_logs if log.exists())
    pytest.fail(f"Gave up waiting for {what}. Worker log:\n{logs}")


def test_the_scheduled_sweep_runs_on_a_real_worker_and_emails_each_person_once(action, owner, officer, start_worker, tmp_path):
    worker = start_worker()
    sweep_overdue.delay(OCT_1.isoformat())
    expected = {owner.email: 1, officer.email: 1}
    wait_for(lambda: emails_by_recipient(tmp_path / "mail") == expected, "both digests", [worker.log])
    assert set(EmailDigest.objects.values_list("status", flat=True)) == {EmailDigest.Status.SENT}


def test_a_worker_killed_after_sending_but_before_acknowledging_does_not_send_twice(action, owner, officer, start_worker, tmp_path):
    actions_sweep(today=OCT_1)
    digests = {d.pk: d.recipient.email for d in EmailDigest.objects.select_related("recipient")}
    assert len(digests) == 2
    # The first worker stops for a minute after each email has gone and been recorded, before acknowledging.
    first = start_worker(DIGEST_PAUSE_AFTER_SEND="60")
    task_ids = {send_digest.delay(pk).id: pk for pk in digests}
    mail_dir = tmp_path / "mail"
    wait_for(lambda: sum(emails_by_recipient(mail_dir).values()) == 1, "the first email", [first.log])
    wait_for(lambda: EmailDigest.objects.filter(status=EmailDigest.Status.SENT).count() == 1, "the first email recorded", [first.log])
    first.kill(signal.SIGKILL)
    [sent_before_kill] = EmailDigest.objects.filter(status=EmailDigest.Status.SENT).values_list("pk", flat=True)
    killed_task = next(task_id for task_id, pk in task_ids.items() if pk == sent_before_kill)

    # A restarted worker takes back unacknowledged messages older than the visibility timeout when it starts.
    time.sleep(VISIBILITY_TIMEOUT + 1)
    second = start_worker()
    # The broker redelivers the unacknowledged task; the worker must find the email already sent.
    wait_for(
        lambda: f"send_digest[{killed_task}] succeeded" in second.log.read_text(errors="replace"), "the redelivered task", [second.log]
    )
    wait_for(lambda: EmailDigest.objects.filter(status=EmailDigest.Status.SENT).count() == 2, "the second email", [second.log])
    assert re.search(rf"send_digest\[{killed_task}\] succeeded in [0-9.]+s: 'skipped'", second.log.read_text())
    assert emails_by_recipient(mail_dir) == {owner.email: 1, officer.email: 1}
