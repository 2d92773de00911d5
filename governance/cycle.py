"""The inspection cycle: from the latest full inspection's outcome and report date, when the next inspections and engagement
meetings fall (the rules are the framework's, in governance.framework)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from actions.models import Strategy
from governance import framework
from governance.models import Inspection

# How long before each date the officer's calendar reminds them.
REMINDER_DAYS = 28


@dataclass(frozen=True)
class CycleDate:
    key: str  # stable within the inspection: "full", "monitoring", "engagement-1" …
    label: str
    day: dt.date
    inspection: Inspection
    is_deadline: bool = False  # "by" this day, rather than "expected around" it

    @property
    def when(self) -> str:
        return f"{'By' if self.is_deadline else 'Expected around'} {self.day:%-d %B %Y}"


def latest_full_inspection(strategy: Strategy) -> Inspection | None:
    return (
        Inspection.objects.filter(strategy=strategy, kind=Inspection.Kind.FULL)
        .exclude(outcome=Inspection.Outcome.NONE)
        .order_by("-ended_on", "-id")
        .first()
    )


def inspection_cycle(inspection: Inspection, today: dt.date) -> list[CycleDate]:
    """The dates that follow a full inspection, in date order; engagement meetings from the next one due."""
    reported = inspection.published_on or inspection.ended_on
    full_by = reported + relativedelta(months=framework.NEXT_FULL_WITHIN_MONTHS[inspection.outcome])
    found = [CycleDate("full", "Next full area SEND inspection", full_by, inspection, is_deadline=True)]
    if months := framework.MONITORING_AFTER_MONTHS.get(inspection.outcome):
        found.append(CycleDate("monitoring", "Monitoring inspection", reported + relativedelta(months=months), inspection))
    step = 1
    while (day := reported + relativedelta(months=framework.ENGAGEMENT_EVERY_MONTHS * step)) < full_by:
        if day >= today - dt.timedelta(days=31):
            found.append(CycleDate(f"engagement-{step}", "Annual engagement meeting with Ofsted and CQC", day, inspection))
        step += 1
    return sorted(found, key=lambda d: d.day)


def cycle_for(strategy: Strategy, today: dt.date) -> list[CycleDate]:
    inspection = latest_full_inspection(strategy)
    return inspection_cycle(inspection, today) if inspection else []
