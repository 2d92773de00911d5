"""An evidence pack survives a worker killed mid-way: a real worker, a real Redis broker."""

from __future__ import annotations

import pytest

from actions.models import Action, ActionUpdate
from governance.models import Finding
from people.models import Membership
from reporting.models import EvidencePack
from reporting.tasks import produce_evidence_pack
from tests.conftest import make_user
from tests.worker import Worker, redis_url_or_skip, use_broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def large_finding(inspection, action, group, level):
    """A finding answered by enough actions, each with its updates, that the pack takes seconds: time to kill the worker."""
    actions = Action.objects.bulk_create(
        Action(strategy=action.strategy, group=group, ref=f"G{i}", text="A long action text " * 12, rating=level("amber"), position=i)
        for i in range(1, 150)
    )
    ActionUpdate.objects.bulk_create(
        ActionUpdate(action=a, rating_after=a.rating, narrative="What was done this cycle. " * 20) for a in actions
    )
    finding = Finding.objects.create(inspection=inspection, kind=Finding.Kind.PRIORITY, number=1, text="Timeliness")
    finding.actions.set(actions)
    return finding


def test_a_worker_killed_mid_way_leads_to_exactly_one_pack(large_finding, tmp_path):
    broker = redis_url_or_skip()
    private = tmp_path / "private"
    settings_env = {
        "PRIVATE_MEDIA_ROOT": str(private),
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    strategy = large_finding.inspection.strategy
    officer = make_user("worker.officer@example.org", strategy.partnership, Membership.Role.OFFICER)
    pack = EvidencePack.objects.create(strategy=strategy, finding=large_finding, requested_by=officer)

    workers = [Worker(broker, tmp_path / "worker1.log", **settings_env)]
    try:
        with use_broker(broker):
            produce_evidence_pack.delay(pack.pk)
        wait_for(lambda: EvidencePack.objects.get(pk=pack.pk).status == EvidencePack.Status.RUNNING, "the pack to start", [workers[0].log])
        workers[0].kill()
        pack.refresh_from_db()
        assert pack.status == EvidencePack.Status.RUNNING and not list(private.glob("evidence-packs/*.pdf"))

        workers.append(Worker(broker, tmp_path / "worker2.log", **settings_env))
        wait_for(
            lambda: EvidencePack.objects.get(pk=pack.pk).status == EvidencePack.Status.READY, "the pack after restart", [workers[1].log]
        )
    finally:
        for worker in workers:
            worker.stop()
    pack.refresh_from_db()
    assert pack.attempts == 2 and EvidencePack.objects.count() == 1
    assert sorted(p.name for p in private.glob("evidence-packs/*")) == sorted([pack.pdf_name, pack.zip_name])
    assert pack.page_count > 10
