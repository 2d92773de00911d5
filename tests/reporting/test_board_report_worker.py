"""A board pack survives a worker killed mid-render: a real worker, a real Redis broker."""

from __future__ import annotations

import pytest
from django.conf import settings

from actions.models import Action
from governance.services import snapshot_take
from people.models import Membership
from reporting.models import BoardReport
from reporting.tasks import render_board_report
from tests.conftest import make_user
from tests.worker import Worker, redis_url_or_skip, use_broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def large_plan(action, group, level):
    """Enough actions that rendering takes several seconds: time to kill the worker mid-render."""
    Action.objects.bulk_create(
        Action(strategy=action.strategy, group=group, ref=f"G{i}", text="A long action text " * 12, rating=level("amber"), position=i)
        for i in range(1, 400)
    )
    return action.strategy


def test_a_worker_killed_mid_render_leads_to_exactly_one_pack(large_plan, tmp_path):
    broker = redis_url_or_skip()
    private = tmp_path / "private"
    settings_env = {
        "PRIVATE_MEDIA_ROOT": str(private),
        # Redeliver an abandoned message after 5 s, looking every second, so the test is quick.
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    officer = make_user("worker.officer@example.org", large_plan.partnership, Membership.Role.OFFICER)
    snapshot = snapshot_take(strategy=large_plan, as_at=large_plan.ratings_as_at)
    report = BoardReport.objects.create(strategy=large_plan, snapshot=snapshot, requested_by=officer)

    workers = [Worker(broker, tmp_path / "worker1.log", **settings_env)]
    try:
        with use_broker(broker):
            render_board_report.delay(report.pk)
        wait_for(
            lambda: BoardReport.objects.get(pk=report.pk).status == BoardReport.Status.RUNNING, "the render to start", [workers[0].log]
        )
        workers[0].kill()
        report.refresh_from_db()
        assert report.status == BoardReport.Status.RUNNING and not list(private.glob("board-reports/*.pdf"))

        workers.append(Worker(broker, tmp_path / "worker2.log", **settings_env))
        wait_for(
            lambda: BoardReport.objects.get(pk=report.pk).status == BoardReport.Status.READY, "the pack after restart", [workers[1].log]
        )
    finally:
        for worker in workers:
            worker.stop()
    report.refresh_from_db()
    assert report.attempts == 2
    assert [p.name for p in private.glob("board-reports/*.pdf")] == [report.file_name]
    assert BoardReport.objects.count() == 1
    assert report.page_count >= 6
    assert settings.PRIVATE_MEDIA_ROOT != private  # the worker's storage was its own, set through its environment
