"""Values are never overwritten: a correction supersedes, and a snapshotted value cannot change at all."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, transaction

from governance.services import snapshot_take
from kpis.models import KpiValue, SnapshotKpiValue
from kpis.services import kpi_value_correct, kpi_value_enter
from tests.kpis.conftest import add_value


def test_the_database_allows_one_current_value_per_period(indicator):
    add_value(indicator, "2025-01", "70")
    with pytest.raises(IntegrityError), transaction.atomic():
        add_value(indicator, "2025-01", "71")


def test_a_correction_supersedes_the_value_and_keeps_it_with_the_reason(indicator, officer):
    original = kpi_value_enter(indicator=indicator, period="2025-01", value=Decimal("70"), entered_by=officer)
    corrected = kpi_value_correct(original=original, value=Decimal("72.5"), reason="Data set revised", entered_by=officer)
    original.refresh_from_db()
    assert original.is_superseded and original.value == Decimal("70")
    assert corrected.corrects == original and corrected.reason == "Data set revised"
    assert list(KpiValue.objects.current().filter(indicator=indicator)) == [corrected]
    with pytest.raises(ValueError, match="already been corrected"):
        kpi_value_correct(original=original, value=Decimal("1"), reason="again", entered_by=officer)


def test_a_correction_must_give_a_reason(indicator):
    original = add_value(indicator, "2025-01", "70")
    KpiValue.objects.filter(pk=original.pk).update(is_superseded=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        KpiValue.objects.create(
            indicator=indicator, period="2025-01", period_start=dt.date(2025, 1, 1), value=Decimal("71"), corrects=original
        )


def test_a_snapshot_freezes_the_current_values_as_at_its_date(indicator, officer):
    add_value(indicator, "2025-01", "70")
    superseded = add_value(indicator, "2025-02", "60")
    kpi_value_correct(original=superseded, value=Decimal("65"), reason="Late returns", entered_by=officer)
    add_value(indicator, "2025-06", "80")  # after the snapshot's date
    snapshot = snapshot_take(strategy=indicator.strategy, as_at=dt.date(2025, 3, 31))
    assert sorted((item.period, item.value) for item in snapshot.kpi_values.all()) == [
        ("2025-01", Decimal("70")),
        ("2025-02", Decimal("65")),
    ]


def test_a_snapshotted_value_cannot_be_changed_or_deleted_but_can_be_corrected(indicator, officer):
    value = add_value(indicator, "2025-01", "70")
    snapshot_take(strategy=indicator.strategy, as_at=dt.date(2025, 3, 31))
    for change in (
        lambda: KpiValue.objects.filter(pk=value.pk).update(value=Decimal("99")),
        lambda: KpiValue.objects.filter(pk=value.pk).update(note="edited"),
        lambda: KpiValue.objects.filter(pk=value.pk)._raw_delete(KpiValue.objects.db),
    ):
        with pytest.raises((IntegrityError, InternalError, ProgrammingError), match="in a snapshot"), transaction.atomic():
            change()
    corrected = kpi_value_correct(original=value, value=Decimal("71"), reason="Revised", entered_by=officer)
    value.refresh_from_db()
    assert value.value == Decimal("70") and value.is_superseded and corrected.value == Decimal("71")
    assert SnapshotKpiValue.objects.get().kpi_value == value


def test_a_value_not_yet_snapshotted_may_be_tidied_by_an_administrator(indicator):
    value = add_value(indicator, "2025-01", "70")
    KpiValue.objects.filter(pk=value.pk).update(note="typo fixed")
    value.refresh_from_db()
    assert value.note == "typo fixed"
