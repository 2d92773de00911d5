"""As deployed: a pack's worker killed as a whole, or its broker taken away, and the pack still ends ready, once.

Real processes throughout: a private redis-server, `celery worker` (prefork, as
deployed) and `celery beat` on the database schedule, on the test database.
Intervals are shortened only through the settings' environment, and the first
test runs with the deployed ones.
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.services import snapshot_take
from jobs.models import Job
from reporting.models import BoardReport, EvidencePack
from reporting.services import board_report_request, evidence_pack_request
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Quick intervals for the tests that are not about the deployed ones (each a setting read from the environment).
QUICK = {"JOB_HEARTBEAT_SECONDS": "1", "JOB_HEARTBEAT_TIMEOUT": "5", "JOB_HOUSEKEEPING_SECONDS": "2", "JOB_QUEUE_LIMIT": "5"}
# The promise as deployed: a dead worker's job is queued again within two minutes.
REQUEUED_WITHIN = 120


def status_of(model, pk):
    return model.objects.get(pk=pk).status


def files(folder, pattern):
    return sorted(p.name for p in folder.glob(pattern))


def test_a_board_pack_whose_worker_is_killed_mid_render_is_ready_once_with_the_deployed_intervals(
    large_plan, officer, services, private_media, settings
):
    env = {"PRIVATE_MEDIA_ROOT": str(private_media)}
    assert (settings.JOB_HEARTBEAT_TIMEOUT, settings.JOB_HOUSEKEEPING_SECONDS) == (30, 15)  # the deployed values, not shortened
    snapshot = snapshot_take(strategy=large_plan, as_at=large_plan.ratings_as_at)
    first = services.worker(**env)
    services.beat(**env)
    report, _ = board_report_request(snapshot=snapshot, user=officer)
    wait_for(lambda: status_of(BoardReport, report.pk) == Job.Status.RUNNING, "the render to start", services.logs)
    first.kill()  # SIGKILL to the whole worker: parent and child, no clean-up
    killed_at = timezone.now()
    assert status_of(BoardReport, report.pk) == Job.Status.RUNNING and not files(private_media, "board-reports/*.pdf")

    services.worker(**env)  # the worker's restart, as its supervisor would
    wait_for(lambda: BoardReport.objects.get(pk=report.pk).requeues == 1, "housekeeping to queue it again", services.logs, timeout=150)
    report.refresh_from_db()
    assert (report.queued_at - killed_at).total_seconds() <= REQUEUED_WITHIN
    # Said to the officer until the restarted worker picks it up (which may already have happened).
    assert "stopped answering: it was queued again" in report.error or report.status != Job.Status.QUEUED
    wait_for(lambda: status_of(BoardReport, report.pk) == Job.Status.READY, "the pack", services.logs)
    report.refresh_from_db()
    assert report.attempts == 2 and report.page_count >= 6 and report.error == ""
    assert files(private_media, "board-reports/*") == [report.file_name] and BoardReport.objects.count() == 1


def test_an_evidence_pack_whose_worker_is_killed_mid_way_is_ready_once(large_finding, officer, services, private_media):
    # About the lost heartbeat only: the queue limit is long enough that a restarted worker slow to pick the
    # message up (a busy machine) is not taken for a lost message and queued a second time.
    env = {"PRIVATE_MEDIA_ROOT": str(private_media), **QUICK, "JOB_QUEUE_LIMIT": "120"}
    first = services.worker(**env)
    services.beat(**env)
    pack, _ = evidence_pack_request(strategy=large_finding.inspection.strategy, user=officer, finding=large_finding)
    wait_for(lambda: status_of(EvidencePack, pack.pk) == Job.Status.RUNNING, "the pack to start", services.logs)
    first.kill()
    assert status_of(EvidencePack, pack.pk) == Job.Status.RUNNING and not files(private_media, "evidence-packs/*.pdf")

    services.worker(**env)
    wait_for(lambda: status_of(EvidencePack, pack.pk) == Job.Status.READY, "the pack after its worker died", services.logs)
    time.sleep(5)  # a second copy, were one sent, would have run by now
    pack.refresh_from_db()
    assert pack.attempts == 2 and pack.requeues == 1 and EvidencePack.objects.count() == 1
    assert files(private_media, "evidence-packs/*") == sorted([pack.pdf_name, pack.zip_name])


def test_a_pack_asked_for_while_the_broker_is_away_says_so_and_starts_by_itself_when_it_returns(
    client, large_plan, officer, broker, services, private_media, settings
):
    env = {"PRIVATE_MEDIA_ROOT": str(private_media), **QUICK}
    snapshot = snapshot_take(strategy=large_plan, as_at=large_plan.ratings_as_at)
    services.worker(**env)
    services.beat(**env)
    broker.stop()
    client.force_login(officer)
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as a deployment with a broker has it
    response = client.post(reverse("reporting:report_request", args=[large_plan.pk]), {"snapshot": snapshot.pk}, follow=True)
    report = BoardReport.objects.get()
    assert report.status == Job.Status.WAITING and "Waiting for the background service" in response.content.decode()

    time.sleep(5)  # away for a while: housekeeping cannot reach it either, and nothing is failed meanwhile
    assert status_of(BoardReport, report.pk) == Job.Status.WAITING
    broker.start()
    wait_for(lambda: status_of(BoardReport, report.pk) == Job.Status.READY, "the pack once the broker is back", services.logs)
    report.refresh_from_db()
    assert report.attempts == 1 and files(private_media, "board-reports/*") == [report.file_name]


def test_a_queued_pack_whose_message_went_with_the_broker_is_sent_again_when_it_returns(
    large_finding, officer, broker, services, private_media
):
    env = {"PRIVATE_MEDIA_ROOT": str(private_media), **QUICK}
    pack, _ = evidence_pack_request(strategy=large_finding.inspection.strategy, user=officer, finding=large_finding)
    assert status_of(EvidencePack, pack.pk) == Job.Status.QUEUED  # handed over; no worker has taken it yet
    broker.stop()  # an in-memory Redis: the message is gone with it
    broker.start()
    services.worker(**env)
    services.beat(**env)
    wait_for(lambda: status_of(EvidencePack, pack.pk) == Job.Status.READY, "the pack after the broker came back", services.logs)
    pack.refresh_from_db()
    assert pack.requeues == 1 and pack.attempts == 1 and EvidencePack.objects.count() == 1
