"""Celery: one beat on the database schedule, JSON-only messages, and retries that stop."""

from __future__ import annotations

import datetime as dt
import pickle
import uuid

import pytest
from django.conf import settings
from django.db import OperationalError

from actions.tasks import send_pending_digests, sweep_overdue
from send_tracker.celery import app
from tests.worker import Worker, redis_url_or_skip, use_broker, wait_for

OUR_APPS = ("actions.", "governance.", "jobs.", "kpis.", "reporting.")
# Tasks that retry by hand (self.retry with an exponential, jittered countdown), each with a test that it stops:
# tests/actions/test_chasing_emails.py::test_it_gives_up_after_bounded_retries_and_shows_officers_the_failure and
# tests/reporting/test_board_report.py::test_a_render_that_always_fails_ends_failed_after_bounded_retries;
# the evidence pack's task follows the board report's retry code line for line.
MANUAL_RETRIES = {
    "actions.tasks.send_digest",
    "reporting.tasks.render_board_report",
    "reporting.tasks.produce_evidence_pack",
    "reporting.tasks.produce_document",
}


def our_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if name.startswith(OUR_APPS)}


def test_beat_uses_the_database_schedule_and_skips_runs_missed_long_ago():
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert app.conf.beat_cron_starting_deadline == settings.CELERY_BEAT_CRON_STARTING_DEADLINE == 3600


def test_only_json_messages_are_accepted():
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == app.conf.result_serializer == "json"


def test_every_task_has_bounded_retries_with_backoff_and_jitter():
    tasks = our_tasks()
    assert {"actions.tasks.sweep_overdue", "actions.tasks.send_pending_digests"} | MANUAL_RETRIES <= set(tasks)
    for name, task in tasks.items():
        assert task.max_retries is not None and task.max_retries <= 5, name
        if name in MANUAL_RETRIES:
            continue
        assert task.autoretry_for, f"{name} retries nothing: add it to MANUAL_RETRIES with a test, or give it autoretry_for"
        assert task.retry_backoff and task.retry_jitter and task.retry_backoff_max <= 900, name


@pytest.fixture
def eager_retries():
    """Eager tasks run their retries inline (without the countdown) only when errors are not propagated."""
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


@pytest.mark.parametrize(
    ("task", "service"), [(sweep_overdue, "actions.tasks.actions_sweep"), (send_pending_digests, "actions.tasks.digests_to_send")]
)
def test_a_task_whose_database_stays_down_stops_after_its_bound(task, service, eager_retries, monkeypatch, db):
    calls = []

    def down(**kwargs):
        calls.append(1)
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(service, down)
    result = task.apply()
    assert result.failed() and isinstance(result.result, OperationalError)
    assert len(calls) == task.max_retries + 1 == 4


class WritesAFile:
    """Unpickling this creates a file: what an attacker's pickled message could do on a worker that accepted pickle."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_refuses_a_pickled_message_and_runs_nothing(action, tmp_path):
    url = redis_url_or_skip()
    marker = tmp_path / "unpickled"
    log = tmp_path / "worker.log"
    worker = Worker(url, log)
    try:
        with use_broker(url) as celery_app, celery_app.connection_for_write() as connection:
            task_id = str(uuid.uuid4())
            # A protocol 2 task message for the sweep, serialised with pickle instead of JSON.
            body = pickle.dumps(((), {"today": WritesAFile(marker)}, {"callbacks": None, "errbacks": None, "chain": None}))
            connection.Producer().publish(
                body,
                routing_key="celery",
                exchange="",
                content_type="application/x-python-serialize",
                content_encoding="binary",
                headers={"lang": "py", "task": "actions.tasks.sweep_overdue", "id": task_id, "root_id": task_id},
            )
            wait_for(
                lambda: "Refusing to deserialize untrusted content of type pickle" in log.read_text(), "the worker to refuse it", [log]
            )
            # The same task sent as JSON does run: the worker was alive and listening.
            sweep_overdue.apply_async(args=["2025-10-01"], connection=connection)
            wait_for(lambda: type(action).objects.filter(pk=action.pk, overdue_since__isnull=False).exists(), "the JSON task", [log])
    finally:
        worker.stop()
    assert not marker.exists()
    assert type(action).objects.get(pk=action.pk).overdue_since == dt.date(2025, 10, 1)


def test_packs_have_their_own_queue_so_a_burst_of_packs_never_delays_chasing():
    def queue_of(name: str) -> str:
        return app.amqp.router.route({}, name)["queue"].name

    packs = {"reporting.tasks.render_board_report", "reporting.tasks.produce_evidence_pack", "reporting.tasks.produce_document"}
    assert {queue_of(name) for name in packs} == {settings.PACKS_QUEUE}
    # Everything else (the sweep, the digests, reminders, housekeeping) shares the default queue.
    others = set(our_tasks()) - packs
    assert others and {queue_of(name) for name in others} == {settings.CELERY_TASK_DEFAULT_QUEUE}
    assert settings.PACKS_QUEUE != settings.CELERY_TASK_DEFAULT_QUEUE
