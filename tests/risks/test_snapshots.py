"""A snapshot freezes the register, so a board pack reports the risks as they stood, and each risk's trend reads across snapshots."""

from __future__ import annotations

import datetime as dt

import pytest

from governance.services import snapshot_take
from risks import reads
from risks.models import RiskScale, SnapshotRisk
from risks.services import risk_rescore

pytestmark = pytest.mark.django_db


def test_taking_a_snapshot_freezes_every_risk_and_later_rescores_leave_it_as_it_was(strategy, risk, restricted_risk, officer):
    first = snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14), taken_by=officer)
    risk_rescore(risk=risk, version=None, scores={"residual_likelihood": 2}, reason="Places opened.", by=officer)
    frozen = {row.ref: row.residual_score for row in SnapshotRisk.objects.filter(snapshot=first)}
    assert frozen == {"R1": 16, "R9": 9}


def test_the_trend_and_the_movement_read_across_snapshots(strategy, risk, restricted_risk, officer):
    snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14), taken_by=officer)
    risk_rescore(risk=risk, version=None, scores={"residual_likelihood": 2}, reason="Places opened.", by=officer)
    risk_rescore(risk=restricted_risk, version=None, scores={"residual_likelihood": 4}, reason="Dispute escalated.", by=officer)
    second = snapshot_take(strategy=strategy, as_at=dt.date(2025, 7, 14), taken_by=officer)
    assert reads.score_trend(risk) == [(dt.date(2025, 5, 14), 16), (dt.date(2025, 7, 14), 8)]
    moved = reads.risks_moved(second)
    assert [(m.ref, m.before, m.after, m.words) for m in moved] == [("R1", 16, 8, "Fallen")]  # the restricted one stays out
    assert [m.ref for m in reads.risks_moved(second, include_restricted=True)] == ["R9", "R1"]
    heat = reads.snapshot_heat_map(second, RiskScale.for_partnership(strategy.partnership_id))
    assert heat.total == 1


def test_the_spreadsheet_export_holds_the_register_without_restricted_risks(strategy, risk, restricted_risk):
    from risks.exports import risks_table

    table = risks_table(strategy, dt.date(2025, 6, 1))
    assert [row[0] for row in table] == ["Ref", "R1"]
    assert str(table[1][9]) == "16" and table[1][12] == "SP1 (on track)"
