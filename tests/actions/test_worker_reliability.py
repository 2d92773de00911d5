"""A real worker on a real Redis broker: the chasing emails arrive, once, even when the worker is killed.

Runs wherever redis-server is installed, and must under CI (tests/worker.py starts a private Redis).
The worker is a separate process on the test database, writing emails to
files so this test can count them across processes.
"""

from __future__ import annotations

import datetime as dt
import re
import signal
import time
from pathlib import Path

import pytest

from actions.chasing import actions_sweep
from actions.models import EmailDigest
from actions.tasks import send_digest, sweep_overdue
from tests.worker import Worker, redis_url_or_skip, use_broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
OCT_1 = dt.date(2025, 10, 1)
VISIBILITY_TIMEOUT = 2


@pytest.fixture
def on_broker():
    """Send tasks from this process to the real broker instead of running them in-process."""
    url = redis_url_or_skip()
    with use_broker(url):
        yield url


@pytest.fixture
def start_worker(on_broker, tmp_path):
    workers: list[Worker] = []

    def start(**env: str) -> Worker:
        worker = Worker(
            on_broker,
            tmp_path / f"worker-{len(workers)}.log",
            # Short, so that a message of a killed worker is redelivered within the test.
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(tmp_path / "mail"),
            **env,
        )
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


def test_the_scheduled_sweep_runs_on_a_real_worker_and_emails_each_person_once(action, owner, officer, start_worker, tmp_path):
    worker = start_worker()
    sweep_overdue.delay(OCT_1.isoformat())
    expected = {owner.email: 1, officer.email: 1}
    wait_for(lambda: emails_by_recipient(tmp_path / "mail") == expected, "both digests", [worker.log])
    # The email is written just before its digest is recorded as sent: wait for the record too.
    wait_for(lambda: set(EmailDigest.objects.values_list("status", flat=True)) == {EmailDigest.Status.SENT}, "both recorded", [worker.log])
    assert emails_by_recipient(tmp_path / "mail") == expected  # and nothing sent twice


def test_a_worker_killed_after_sending_but_before_acknowledging_does_not_send_twice(action, owner, officer, start_worker, tmp_path):
    actions_sweep(today=OCT_1)
    digests = {d.pk: d.recipient.email for d in EmailDigest.objects.select_related("recipient")}
    assert len(digests) == 2
    # The first worker stops for a minute after each email has gone and been recorded, before acknowledging.
    first = start_worker(pause_after="actions.tasks.send_digest=60")
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


def test_the_sweep_on_a_real_worker_chases_an_action_left_overdue_and_escalates_it(
    action, owner, group_lead, partnership, start_worker, tmp_path
):
    from actions.models import ChaseStep

    partnership.escalate_to_lead_after = 0  # this partnership tells the group's lead from the first reminder
    partnership.save()
    actions_sweep(today=OCT_1)
    EmailDigest.objects.update(status=EmailDigest.Status.SENT)  # the first day's emails went that day
    worker = start_worker()
    sweep_overdue.delay((OCT_1 + dt.timedelta(days=partnership.chase_every_days)).isoformat())
    mail_dir = tmp_path / "mail"
    expected = {owner.email: 1, group_lead.email: 1}
    wait_for(lambda: emails_by_recipient(mail_dir) == expected, "the reminder and the escalation", [worker.log])
    assert list(ChaseStep.objects.values_list("number", "to_lead")) == [(1, True)]
    sent = "".join(path.read_text() for path in mail_dir.glob("*.log"))
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in sent
