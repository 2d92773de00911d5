"""Board packs and evidence packs moved from governance to reporting, and onto the job base, without losing a row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from reporting.models import BoardReport, EvidencePack

BEFORE = [("governance", "0008_strategy_revision_triggers"), ("reporting", None)]


def migrate(targets=None):
    """Migrate to the targets (all the way, when None) and return the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state([target for target in targets if target[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_packs_made_before_the_move_are_there_after_it(strategy, officer):
    old = migrate(BEFORE)
    Snapshot = old.get_model("actions", "Snapshot")
    snapshot = Snapshot.objects.create(strategy_id=strategy.pk, as_at=strategy.ratings_as_at)
    report = old.get_model("governance", "BoardReport").objects.create(
        strategy_id=strategy.pk, snapshot_id=snapshot.pk, requested_by_id=officer.pk, status="ready", file_name="board-report-1.pdf"
    )
    pack = old.get_model("governance", "EvidencePack").objects.create(strategy_id=strategy.pk, requested_by_id=officer.pk, status="failed")
    started = timezone.now()
    rendering = old.get_model("governance", "BoardReport").objects.create(
        strategy_id=strategy.pk, snapshot_id=snapshot.pk, status="rendering", started_at=started
    )
    ContentType = old.get_model("contenttypes", "ContentType")
    ContentType.objects.get_or_create(app_label="governance", model="boardreport")

    migrate()

    moved = BoardReport.objects.get(pk=report.pk)
    assert (moved.status, moved.file_name, moved.requested_by_id, moved.snapshot_id) == (
        "ready",
        "board-report-1.pdf",
        officer.pk,
        snapshot.pk,
    )
    assert EvidencePack.objects.get(pk=pack.pk).status == "failed"
    # A render under way is "running" on the one job status machine, its start its last sign of life.
    running = BoardReport.objects.get(pk=rendering.pk)
    assert (running.status, running.heartbeat_at) == ("running", started)
    # The admin's history and permissions follow the model to its new app.
    from django.contrib.contenttypes.models import ContentType as Current

    Current.objects.clear_cache()
    assert Current.objects.get_for_model(BoardReport).app_label == "reporting"
    assert not Current.objects.filter(app_label="governance", model="boardreport").exists()
    # A new pack continues the same sequence of ids.
    again = BoardReport.objects.create(strategy=strategy, snapshot_id=snapshot.pk)
    assert again.pk > report.pk
