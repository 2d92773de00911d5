"""A board pack never waits for ever: a broker outage, a lost message or a killed render all end in a pack or a clear answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from governance.checks import visibility_timeout_outlasts_tasks
from governance.services import snapshot_take
from reporting.models import BoardReport
from reporting.services import MAX_REQUEUES, NOT_QUEUED, board_reports_housekeep
from reporting.tasks import render_board_report
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
    """Renders handed to the broker, recorded instead of run."""
    calls = []
    monkeypatch.setattr(render_board_report, "apply_async", lambda args, *rest, **kwargs: calls.append(args[0]))
    return calls


def pending(snapshot, officer, status, *, minutes_ago: int, **fields) -> BoardReport:
    when = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return BoardReport.objects.create(
        strategy=snapshot.strategy,
        snapshot=snapshot,
        requested_by=officer,
        status=status,
        requested_at=when,
        queued_at=when,
        started_at=when if status == BoardReport.Status.RENDERING else None,
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_request_says_try_again_and_leaves_nothing_queued(client, strategy, action, officer, settings):
    snapshot = snapshot_take(strategy=strategy, as_at=strategy.ratings_as_at, taken_by=officer)
    client.force_login(officer)
    url = reverse("reporting:report_request", args=[strategy.pk])
    with use_broker(NOBODY_LISTENS):
        settings.CELERY_TASK_ALWAYS_EAGER = False  # as a deployment with a broker has it
        response = client.post(url, {"snapshot": snapshot.pk}, follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert "could not be queued" in html and "Try again" in html
        assert not BoardReport.objects.filter(status__in=["queued", "rendering"]).exists()
        assert BoardReport.objects.get().status == BoardReport.Status.FAILED
        # Asking again is not "already being produced": it tries the broker again.
        again = client.post(url, {"snapshot": snapshot.pk}, follow=True).content.decode()
        assert "already being produced" not in again and "could not be queued" in again
    # The broker is back (here: in-process): Try again produces the pack.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    failed = BoardReport.objects.order_by("-pk").first()
    done = client.post(reverse("reporting:report_retry", args=[failed.pk]))
    b"".join(done.streaming_content)  # in-process, the render runs once the redirect has been sent
    assert "The pack is ready" in client.get(done.url).content.decode()
    assert BoardReport.objects.filter(status="ready").count() == 1 and not BoardReport.objects.filter(status="queued").exists()


def test_a_render_that_outlived_its_time_limit_is_queued_again_then_failed(snapshot, officer, sent):
    report = pending(snapshot, officer, BoardReport.Status.RENDERING, minutes_ago=7, attempts=1)
    assert board_reports_housekeep() == {"requeued": 1, "failed": 0}
    report.refresh_from_db()
    assert report.status == BoardReport.Status.QUEUED and report.requeues == 1 and sent == [report.pk]
    assert "did not finish: it was queued again at" in report.error
    later = timezone.now()
    for _ in range(MAX_REQUEUES):
        BoardReport.objects.filter(pk=report.pk).update(status="rendering", started_at=later - dt.timedelta(minutes=7))
        board_reports_housekeep(now=later)
        later += dt.timedelta(minutes=10)
    report.refresh_from_db()
    assert report.status == BoardReport.Status.FAILED and f"after {MAX_REQUEUES + 1} tries" in report.error
    assert len(sent) == MAX_REQUEUES


def test_a_pack_whose_message_was_lost_is_queued_again_and_fresh_or_finished_ones_are_left_alone(snapshot, officer, sent):
    lost = pending(snapshot, officer, BoardReport.Status.QUEUED, minutes_ago=20)
    fresh_queue = pending(snapshot, officer, BoardReport.Status.QUEUED, minutes_ago=3)
    fresh_render = pending(snapshot, officer, BoardReport.Status.RENDERING, minutes_ago=4)
    old_ready = pending(snapshot, officer, BoardReport.Status.READY, minutes_ago=600)
    assert board_reports_housekeep() == {"requeued": 1, "failed": 0}
    assert sent == [lost.pk]
    lost.refresh_from_db()
    assert "waited in the queue from" in lost.error and lost.queued_at > timezone.now() - dt.timedelta(minutes=1)
    for untouched in (fresh_queue, fresh_render, old_ready):
        before = untouched.status
        untouched.refresh_from_db()
        assert untouched.status == before and untouched.requeues == 0


def test_housekeeping_whose_broker_is_down_fails_the_pack_instead_of_stranding_it(snapshot, officer, monkeypatch):
    from kombu.exceptions import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(render_board_report, "apply_async", refuse)
    report = pending(snapshot, officer, BoardReport.Status.RENDERING, minutes_ago=30)
    assert board_reports_housekeep() == {"requeued": 0, "failed": 1}
    report.refresh_from_db()
    assert report.status == BoardReport.Status.FAILED and report.error == NOT_QUEUED


def test_the_page_says_how_long_ago_rendering_started_and_offers_retry_only_after_the_limit(
    client, snapshot, officer, board, sent, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    recent = pending(snapshot, officer, BoardReport.Status.RENDERING, minutes_ago=2)
    html = client.get(reverse("reporting:report_detail", args=[recent.pk])).content.decode()
    assert "it started 2\xa0minutes ago" in html and "Try again" not in html
    BoardReport.objects.filter(pk=recent.pk).update(started_at=timezone.now() - dt.timedelta(minutes=8))
    html = client.get(reverse("reporting:report_detail", args=[recent.pk])).content.decode()
    assert "it started 8\xa0minutes ago" in html and "taking longer than a pack should" in html and "Try again" in html
    client.force_login(board)
    board_view = client.get(reverse("reporting:report_detail", args=[recent.pk])).content.decode()
    assert "taking longer than a pack should" in board_view and "Try again" not in board_view

    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:report_retry", args=[recent.pk]))
        b"".join(response.streaming_content)  # the render is started once the redirect has been sent
    recent.refresh_from_db()
    assert recent.status == BoardReport.Status.FAILED and recent.error.startswith("Stopped by")
    retry = BoardReport.objects.exclude(pk=recent.pk).get()
    assert response.url == reverse("reporting:report_detail", args=[retry.pk]) and sent == [retry.pk]


def test_a_pack_within_its_time_limit_cannot_be_restarted(client, snapshot, officer, sent):
    client.force_login(officer)
    recent = pending(snapshot, officer, BoardReport.Status.RENDERING, minutes_ago=2)
    client.post(reverse("reporting:report_retry", args=[recent.pk]))
    recent.refresh_from_db()
    assert recent.status == BoardReport.Status.RENDERING and BoardReport.objects.count() == 1 and not sent


def test_housekeeping_is_scheduled_every_five_minutes_and_its_task_exists(db):
    task = PeriodicTask.objects.get(name="Board pack housekeeping")
    assert task.enabled and (task.crontab.minute, task.crontab.hour) == ("*/5", "*")
    app.loader.import_default_modules()
    assert task.task in app.tasks


def test_the_visibility_timeout_outlasts_the_renders_hard_time_limit(settings):
    """Otherwise Redis would hand a render still running to a second worker."""
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > render_board_report.time_limit
    assert render_board_report.time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert visibility_timeout_outlasts_tasks() == []
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "visibility_timeout": 300}
    assert [error.id for error in visibility_timeout_outlasts_tasks()] == ["send_tracker.E001"]


def test_the_page_offers_retry_once_the_time_limit_has_passed_not_at_the_broker_visibility_timeout():
    assert settings.BOARD_REPORT_RENDER_LIMIT < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
