"""Ended sessions are deleted by a daily task, on a real worker, once they can be of no more use."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.services import sessions_clear
from accounts.tasks import clear_ended_sessions
from tests.worker import Worker, redis_url_or_skip, use_broker, wait_for


def sessions_ended(settings) -> dict[str, str]:
    """Three sessions: one live, one that ended an hour ago, one that ended longer ago than a session can last."""
    now = timezone.now()
    ends = {
        "live": now + dt.timedelta(minutes=20),
        "recent": now - dt.timedelta(hours=1),
        "old": now - dt.timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS, hours=1),
    }
    keys = {}
    for name, expire_date in ends.items():
        store = SessionStore()
        store["who"] = name
        store.create()
        Session.objects.filter(session_key=store.session_key).update(expire_date=expire_date)
        keys[name] = store.session_key
    return keys


@pytest.mark.django_db
def test_only_sessions_that_ended_longer_ago_than_a_session_lasts_are_deleted(settings, django_assert_num_queries):
    keys = sessions_ended(settings)
    with django_assert_num_queries(1):
        assert sessions_clear() == 1
    assert set(Session.objects.values_list("session_key", flat=True)) == {keys["live"], keys["recent"]}
    assert sessions_clear() == 0


@pytest.mark.django_db
def test_clearing_is_on_the_daily_schedule():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="accounts.tasks.clear_ended_sessions")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("3", "15")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_clears_ended_sessions_sent_through_the_broker(settings, tmp_path):
    keys = sessions_ended(settings)
    url = redis_url_or_skip()
    worker = Worker(url, tmp_path / "worker.log")
    try:
        with use_broker(url):
            clear_ended_sessions.delay()
            wait_for(lambda: not Session.objects.filter(session_key=keys["old"]).exists(), "the old session cleared", [worker.log])
    finally:
        worker.stop()
    assert set(Session.objects.values_list("session_key", flat=True)) == {keys["live"], keys["recent"]}
