"""The KPI library: the standard SEND measures, shipped with the product in `measures.csv`.

Each measure carries its definition, unit, direction, frequency and the
Explore Education Statistics publication, data set, indicator column and
filter its figures come from. `checked` says whether those names were
confirmed against the published data set; "unsure" ones say what was not.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from actions.models import Strategy
from kpis.models import Indicator

MEASURES_FILE = Path(__file__).with_name("measures.csv")


@dataclass(frozen=True)
class Measure:
    code: str
    name: str
    definition: str
    unit: str
    direction: str
    frequency: str
    publication: str
    data_set: str
    column: str
    filter: str
    checked: bool
    notes: str

    @property
    def source_detail(self) -> str:
        where = f"Explore Education Statistics: {self.publication}, data set '{self.data_set}'"
        if self.column:
            where += f", column {self.column}"
        return where


@functools.cache
def measures() -> tuple[Measure, ...]:
    with MEASURES_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Measure(**{**row, "checked": row["checked"] == "yes"})  # type: ignore[arg-type]
            for row in csv.DictReader(handle)
        )


def measure_named(code: str) -> Measure | None:
    return next((m for m in measures() if m.code == code), None)


class AlreadyOnScorecardError(ValueError):
    pass


@transaction.atomic
def library_measure_add(*, strategy: Strategy, measure: Measure, target: Decimal | None, tolerance: Decimal | None = None) -> Indicator:
    """Put a library measure on the strategy's scorecard, with its target, in one step."""
    Strategy.objects.select_for_update().filter(pk=strategy.pk).first()
    taken = Indicator.objects.filter(strategy=strategy)
    if taken.filter(library_code=measure.code).exists() or taken.filter(code=measure.code).exists():
        raise AlreadyOnScorecardError(f"{measure.name} is already on this strategy's scorecard")
    last = taken.order_by("-position").values_list("position", flat=True).first() or 0
    return Indicator.objects.create(
        strategy=strategy,
        code=measure.code,
        name=measure.name,
        description=measure.definition,
        unit=measure.unit,
        direction=measure.direction,
        frequency=measure.frequency,
        source=Indicator.Source.NATIONAL,
        source_detail=measure.source_detail,
        target=target,
        tolerance=tolerance,
        notes=measure.notes,
        position=last + 1,
        library_code=measure.code,
        open_data_column=measure.column,
        open_data_filter=measure.filter,
    )
