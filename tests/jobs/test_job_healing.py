"""A job never waits for ever: a broker outage, a lost message or a dead worker end in one result or a clear answer.

The broker's answers are faked here (published messages recorded, or refused);
tests/faults/ runs the same promises with a real broker and real workers.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError

from governance.services import snapshot_take
from jobs.checks import heartbeat_outlasts_its_interval, visibility_timeout_outlasts_tasks
from jobs.models import Job
from jobs.services import MAX_REQUEUES, PUBLISH_RETRY_POLICY, job_claim, job_send, jobs_housekeep
from reporting.models import BoardReport, EvidencePack
from reporting.tasks import produce_evidence_pack, render_board_report
from send_tracker.celery import app
from tests.worker import use_broker

NOBODY_LISTENS = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def snapshot(strategy, action, officer):
    return snapshot_take(strategy=strategy, as_at=strategy.ratings_as_at, taken_by=officer)


@pytest.fixture
def sent(monkeypatch):
    """Messages handed to the broker, as (task name, job id), recorded instead of run."""
    calls = []
    monkeypatch.setattr("jobs.services.task_send", lambda name, job_id: calls.append((name, job_id)))
    return calls


@pytest.fixture
def refused(monkeypatch):
    """A broker that is down."""

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("jobs.services.task_send", refuse)


def pending(snapshot, officer, status, *, minutes_ago: int, heartbeat_minutes_ago: int | None = None, **fields) -> BoardReport:
    when = timezone.now() - dt.timedelta(minutes=minutes_ago)
    beat = timezone.now() - dt.timedelta(minutes=heartbeat_minutes_ago if heartbeat_minutes_ago is not None else minutes_ago)
    running = status == Job.Status.RUNNING
    return BoardReport.objects.create(
        strategy=snapshot.strategy,
        snapshot=snapshot,
        requested_by=officer,
        status=status,
        requested_at=when,
        queued_at=when,
        started_at=when if running else None,
        heartbeat_at=beat if running else None,
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_request_waits_for_the_background_service_and_starts_when_it_is_back(client, snapshot, officer, settings):
    client.force_login(officer)
    url = reverse("reporting:report_request", args=[snapshot.strategy_id])
    with use_broker(NOBODY_LISTENS):
        settings.CELERY_TASK_ALWAYS_EAGER = False  # as a deployment with a broker has it
        html = client.post(url, {"snapshot": snapshot.pk}, follow=True).content.decode()
        report = BoardReport.objects.get()
        assert report.status == Job.Status.WAITING
        assert "Waiting for the background service" in html and f"since {timezone.localtime(report.queued_at):%H:%M}" in html
        assert "you do not need to ask again" in html and 'data-hx-trigger="every 1s"' in html
        # Asking again does not make a second pack: the one waiting is kept.
        again = client.post(url, {"snapshot": snapshot.pk}, follow=True).content.decode()
        assert "already being produced" in again and BoardReport.objects.count() == 1
        # Housekeeping while the broker is still away keeps it waiting, never failed.
        assert jobs_housekeep() == {"sent": 0, "waiting": 1, "failed": 0}
        assert BoardReport.objects.get().status == Job.Status.WAITING
    # The broker is back (here: in-process): the next housekeeping sends it, and it is produced once.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert jobs_housekeep() == {"sent": 1, "waiting": 0, "failed": 0}
    report.refresh_from_db()
    assert report.status == Job.Status.READY and report.attempts == 1 and report.error == ""
    assert "The pack is ready" in client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_evidence_pack_request_queues_its_own_task_with_its_own_id(client, officer, finding, snapshot, settings, sent):
    """The bug: with a broker, an evidence pack's request queued render_board_report with the evidence pack's id."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    report = pending(snapshot, officer, Job.Status.READY, minutes_ago=5)
    client.force_login(officer)
    client.post(reverse("reporting:evidence_pack_request", args=[snapshot.strategy_id]), {"finding": finding.pk})
    pack = EvidencePack.objects.get()
    assert sent == [("reporting.tasks.produce_evidence_pack", pack.pk)]
    report.refresh_from_db()
    assert report.status == Job.Status.READY and report.attempts == 0


def test_with_a_broker_a_job_is_sent_by_its_tasks_name_so_the_sender_need_not_load_the_task(snapshot, officer, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    published = []
    monkeypatch.setattr(app, "send_task", lambda name, **options: published.append((name, options)))
    report = pending(snapshot, officer, Job.Status.WAITING, minutes_ago=5)
    assert job_send(report) is True
    options = {"args": [report.pk], "retry": True, "retry_policy": PUBLISH_RETRY_POLICY}
    assert published == [("reporting.tasks.render_board_report", options)]
    report.refresh_from_db()
    assert report.status == Job.Status.QUEUED


def test_a_job_whose_worker_stopped_beating_is_queued_again_then_failed(snapshot, officer, sent):
    # Started long ago but beating: a long job, alive. Silent for longer than the timeout: its worker died.
    alive = pending(snapshot, officer, Job.Status.RUNNING, minutes_ago=30, heartbeat_minutes_ago=0)
    dead = pending(snapshot, officer, Job.Status.RUNNING, minutes_ago=2, heartbeat_minutes_ago=1, attempts=1)
    assert settings.JOB_HEARTBEAT_TIMEOUT < 60
    assert jobs_housekeep() == {"sent": 1, "waiting": 0, "failed": 0}
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert alive.status == Job.Status.RUNNING and alive.requeues == 0
    assert dead.status == Job.Status.QUEUED and dead.requeues == 1 and sent == [("reporting.tasks.render_board_report", dead.pk)]
    assert "stopped answering: it was queued again at" in dead.error
    BoardReport.objects.filter(pk=alive.pk).update(status="ready")  # it finished
    later = timezone.now()
    for _ in range(MAX_REQUEUES):
        BoardReport.objects.filter(pk=dead.pk).update(status="running", heartbeat_at=later - dt.timedelta(minutes=2))
        jobs_housekeep(now=later)
        later += dt.timedelta(minutes=10)
    dead.refresh_from_db()
    assert dead.status == Job.Status.FAILED and f"after {MAX_REQUEUES + 1} tries" in dead.error
    assert len(sent) == MAX_REQUEUES


def test_a_job_whose_message_was_lost_is_sent_again_and_fresh_or_finished_ones_are_left_alone(snapshot, officer, sent):
    lost = pending(snapshot, officer, Job.Status.QUEUED, minutes_ago=settings.JOB_QUEUE_LIMIT // 60 + 1)
    fresh_queue = pending(snapshot, officer, Job.Status.QUEUED, minutes_ago=1)
    old_ready = pending(snapshot, officer, Job.Status.READY, minutes_ago=600)
    old_failed = pending(snapshot, officer, Job.Status.FAILED, minutes_ago=600)
    assert jobs_housekeep() == {"sent": 1, "waiting": 0, "failed": 0}
    assert sent == [("reporting.tasks.render_board_report", lost.pk)]
    lost.refresh_from_db()
    assert "waited in the queue from" in lost.error and lost.queued_at > timezone.now() - dt.timedelta(minutes=1)
    for untouched in (fresh_queue, old_ready, old_failed):
        before = untouched.status
        untouched.refresh_from_db()
        assert untouched.status == before and untouched.requeues == 0


def test_a_lost_job_found_while_the_broker_is_down_waits_for_it_rather_than_failing(snapshot, officer, refused):
    dead = pending(snapshot, officer, Job.Status.RUNNING, minutes_ago=30)
    assert jobs_housekeep() == {"sent": 0, "waiting": 1, "failed": 0}
    dead.refresh_from_db()
    assert dead.status == Job.Status.WAITING and "not answering" in dead.error


def test_with_the_broker_still_down_housekeeping_asks_it_once_rather_than_once_per_job(snapshot, officer, monkeypatch):
    tries = []

    def refuse(*args, **kwargs):
        tries.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("jobs.services.task_send", refuse)
    waiting = [pending(snapshot, officer, Job.Status.WAITING, minutes_ago=5) for _ in range(3)]
    assert jobs_housekeep() == {"sent": 0, "waiting": 3, "failed": 0}
    assert len(tries) == 1
    assert {job.status for job in BoardReport.objects.filter(pk__in=[job.pk for job in waiting])} == {Job.Status.WAITING}


def test_the_page_says_how_long_it_has_run_and_offers_retry_only_once_its_worker_is_silent(
    client, snapshot, officer, board, sent, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    recent = pending(snapshot, officer, Job.Status.RUNNING, minutes_ago=2, heartbeat_minutes_ago=0)
    html = client.get(reverse("reporting:report_detail", args=[recent.pk])).content.decode()
    assert "it started 2\xa0minutes ago" in html and "Try again" not in html
    BoardReport.objects.filter(pk=recent.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=2))
    html = client.get(reverse("reporting:report_detail", args=[recent.pk])).content.decode()
    assert "it started 2\xa0minutes ago" in html and "taking longer than a pack should" in html and "Try again" in html
    client.force_login(board)
    board_view = client.get(reverse("reporting:report_detail", args=[recent.pk])).content.decode()
    assert "taking longer than a pack should" in board_view and "Try again" not in board_view

    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:report_retry", args=[recent.pk]))
        b"".join(response.streaming_content)  # the render is started once the redirect has been sent
    recent.refresh_from_db()
    assert recent.status == Job.Status.FAILED and recent.error.startswith("Stopped by")
    retry = BoardReport.objects.exclude(pk=recent.pk).get()
    assert response.url == reverse("reporting:report_detail", args=[retry.pk])
    assert sent == [("reporting.tasks.render_board_report", retry.pk)]


def test_a_job_whose_worker_is_beating_cannot_be_restarted(client, snapshot, officer, sent):
    client.force_login(officer)
    recent = pending(snapshot, officer, Job.Status.RUNNING, minutes_ago=20, heartbeat_minutes_ago=0)
    client.post(reverse("reporting:report_retry", args=[recent.pk]))
    recent.refresh_from_db()
    assert recent.status == Job.Status.RUNNING and BoardReport.objects.count() == 1 and not sent


@pytest.mark.django_db(transaction=True)
def test_a_claimed_job_beats_while_it_runs_and_stops_when_it_ends(snapshot, officer, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.2
    report = pending(snapshot, officer, Job.Status.QUEUED, minutes_ago=0)
    beats = []
    with job_claim(report, 9001) as claimed:
        assert claimed
        for _ in range(3):
            time.sleep(0.5)
            beats.append(BoardReport.objects.get(pk=report.pk).heartbeat_at)
    assert beats[0] < beats[1] < beats[2]
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("heartbeat-")]


def test_housekeeping_runs_from_beat_every_job_housekeeping_seconds_and_its_task_exists(db):
    entry = settings.CELERY_BEAT_SCHEDULE["Background job housekeeping"]
    assert entry["schedule"] == settings.JOB_HOUSEKEEPING_SECONDS == 15
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    # The five-minute entry it replaces is gone from the database schedule.
    assert not PeriodicTask.objects.filter(name="Board pack housekeeping").exists()


def test_a_dead_workers_job_is_queued_again_within_two_minutes_as_deployed(settings):
    """The deployed intervals: silent for the timeout, then found by the next housekeeping."""
    worst = settings.JOB_HEARTBEAT_TIMEOUT + settings.JOB_HOUSEKEEPING_SECONDS
    assert worst <= 120 - 30  # and half a minute to spare for the broker to hand it to a worker
    assert heartbeat_outlasts_its_interval() == []
    settings.JOB_HEARTBEAT_TIMEOUT = settings.JOB_HEARTBEAT_SECONDS
    assert [error.id for error in heartbeat_outlasts_its_interval()] == ["send_tracker.E002"]


def test_the_visibility_timeout_outlasts_every_jobs_hard_time_limit(settings):
    """Otherwise Redis would hand a job still running to a second worker."""
    longest = max(render_board_report.time_limit, produce_evidence_pack.time_limit)
    assert render_board_report.time_limit == BoardReport.time_limit and produce_evidence_pack.time_limit == EvidencePack.time_limit
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest
    assert visibility_timeout_outlasts_tasks() == []
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "visibility_timeout": longest}
    assert [error.id for error in visibility_timeout_outlasts_tasks()] == ["send_tracker.E001"]


def test_a_broker_used_by_one_test_leaves_celery_following_the_settings_for_the_next(settings):
    """A test that turned eager tasks off before using a broker once left them off for every later test in its process."""
    from send_tracker.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    with use_broker(NOBODY_LISTENS):
        assert app.conf.task_always_eager is False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert app.conf.task_always_eager is True and app.conf.broker_url == settings.CELERY_BROKER_URL
