"""As deployed: a private redis-server per test, real worker and beat processes, and plans big enough to take seconds."""

from __future__ import annotations

import shutil

import pytest

from actions.models import Action, ActionUpdate
from governance.models import Finding
from tests.governance.conftest import inspection  # noqa: F401  (fixture)
from tests.worker import Beat, PrivateRedis, Worker, stop_all, use_broker


@pytest.fixture
def broker():
    """A redis-server of this test's own, so stopping it takes nothing from anyone else."""
    server = PrivateRedis()
    try:
        with use_broker(server.url):
            yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture
def services(broker, tmp_path):
    """Start workers and beat on the private broker (stopped at the end): `services.worker(**env)`, `services.beat(**env)`."""

    class Services:
        def __init__(self) -> None:
            self.started: list[Worker] = []

        def worker(self, **env: str) -> Worker:
            process = Worker(broker.url, tmp_path / f"worker-{len(self.started)}.log", pool="prefork", **env)
            self.started.append(process)
            return process

        def beat(self, **env: str) -> Beat:
            process = Beat(broker.url, tmp_path / f"beat-{len(self.started)}.log", **env)
            self.started.append(process)
            return process

        @property
        def logs(self):
            return [process.log for process in self.started]

    started = Services()
    yield started
    stop_all(started.started)


@pytest.fixture
def private_media(tmp_path, settings):
    """The workers' private storage (given through their environment) and this process's, the same folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def large_plan(action, group, level):
    """Enough actions that a board pack takes seconds to render: time to kill its worker."""
    Action.objects.bulk_create(
        Action(strategy=action.strategy, group=group, ref=f"G{i}", text="A long action text " * 12, rating=level("amber"), position=i)
        for i in range(1, 400)
    )
    return action.strategy


@pytest.fixture
def large_finding(inspection, action, group, level):  # noqa: F811
    """A finding answered by enough actions, each with its updates, that its evidence pack takes seconds."""
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
