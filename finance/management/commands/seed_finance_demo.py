from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from actions.commands import DemoCommand, month_shift
from actions.models import Action, Strategy
from finance.models import FinancePlan, Mitigation
from finance.services import actual_record, figures_save, mitigation_save

OUTTURN_KNOWN = (5, 30)  # a year's outturn (to 31 March) is known by 30 May
IN_YEAR_ENTERED_AFTER = dt.timedelta(days=7)  # an in-year position is entered a week after the month it is at
M = Decimal("1000000")
FIRST, LAST = 2024, 2030
# From the One Plan (section 6): "our 7-year DSG management plan gives a forecast unmitigated total deficit
# position for 2030-31 of £1.07 billion, reducing to £236.7 million by the end of 2030/31".
UNMITIGATED_2030 = Decimal("1070000000")
TARGET_2030 = Decimal("236700000")
SOURCE = (
    "The 2030-31 forecasts (£1.07 billion unmitigated, £236.7 million with the mitigations) are the One Plan's, from the "
    "DSG management plan as at 11 November 2024; the deficit was £79.5 million at 31 March 2024. The earlier years' "
    "forecasts, the grant, every mitigation and every actual figure are illustrative, made up for the demo."
)
# Illustrative: the cumulative unmitigated deficit and the high-needs grant by year, in £m.
UNMITIGATED = [150, 250, 370, 510, 670, 860]
GRANT = ["56.0", "59.5", "62.0", "64.0", "66.0", "68.0", "70.0"]
# How the savings build up over the seven years (the shares add to 1).
PROFILE = [Decimal(x) for x in ("0.02", "0.06", "0.10", "0.15", "0.19", "0.23", "0.25")]
# (ref, title, share of the savings, the actions that deliver it, share of each year's plan achieved)
MITIGATIONS = [
    ("M1", "Needs met earlier in mainstream: the graduated approach and SEN support", Decimal("0.25"), ["SS1", "SS2", "SS6"], "0.8"),
    ("M2", "More local special school and resourced provision places", Decimal("0.30"), ["EPS1", "EPS4", "EPS5"], "1.0"),
    ("M3", "Banding of top-up funding", Decimal("0.15"), ["FF2", "FF3", "FF4"], "0.5"),
    ("M4", "Decision making and review of high-cost placements", Decimal("0.15"), ["EHC-A5", "EHC-A6"], "0.6"),
    ("M5", "Preparing for adulthood: supported internships and post-16 pathways", Decimal("0.08"), ["PFA2", "PFA5"], "1.0"),
    ("M6", "Commissioning and contracts with independent providers", Decimal("0.07"), ["C2", "C3"], "0.9"),
]


class Command(DemoCommand):
    help = "Add the One Plan's DSG management plan figures with illustrative mitigations, if the One Plan has no finance plan yet."

    fills = FinancePlan
    what = "finance plan"

    def seed(self, strategy: Strategy) -> str:
        finance_lead = User.objects.filter(username="finance@example.org").first()
        plan = FinancePlan.objects.create(
            strategy=strategy, name="Dedicated Schools Grant management plan", first_year=FIRST, last_year=LAST, source=SOURCE
        )
        total = UNMITIGATED_2030 - TARGET_2030  # £833.3m of savings over the seven years
        actions = {a.ref: a for a in Action.objects.filter(strategy=strategy)}
        planned: dict[str, dict[int, Decimal]] = {}
        for index, (ref, _title, share, _refs, _achieved) in enumerate(MITIGATIONS):
            years = {FIRST + i: (total * share * weight).quantize(Decimal("100000")) for i, weight in enumerate(PROFILE)}
            if index == len(MITIGATIONS) - 1:  # the last takes the rounding, so the savings add up to the plan's exactly
                years[LAST] += total - sum(sum(p.values()) for p in planned.values()) - sum(years.values())
            planned[ref] = years
        cumulative = Decimal("0")
        figures = {}
        for i, year in enumerate(range(FIRST, LAST + 1)):
            cumulative += sum(p[year] for p in planned.values())
            unmitigated = UNMITIGATED_2030 if year == LAST else UNMITIGATED[i] * M
            figures[year] = {
                "grant": Decimal(GRANT[i]) * M,
                "unmitigated_forecast": unmitigated,
                "target_forecast": TARGET_2030 if year == LAST else unmitigated - cumulative,
            }
        figures_save(plan=plan, figures=figures)
        for ref, title, _share, refs, achieved in MITIGATIONS:
            mitigation = mitigation_save(
                mitigation=Mitigation(plan=plan, ref=ref, title=title, is_illustrative=True),
                actions=[actions[r] for r in refs if r in actions],
                planned=planned[ref],
            )
            for year, as_at, entered_on, share_of_year, note in actuals_known(timezone.localdate()):
                actual_record(
                    mitigation=mitigation,
                    year=year,
                    as_at=as_at,
                    achieved=(planned[ref][year] * Decimal(achieved) * share_of_year).quantize(Decimal("0.01")),
                    note=note,
                    by=finance_lead,
                    entered_at=timezone.make_aware(dt.datetime.combine(entered_on, dt.time(12))),
                )
        return "Finance plan: the One Plan's DSG forecasts for 2030-31, with six illustrative mitigations."


def actuals_known(today: dt.date) -> list[tuple[int, dt.date, dt.date, Decimal, str]]:
    """The figures the finance lead has entered by today, as the demo's dates move with today: each year's outturn once
    it is known (30 May), then the year in progress at each quarter's end and at the last month's end, each entered a
    week later (the latest by yesterday, in the cycle in progress). (year, as at, entered on, share of the year, note.)"""
    found = []
    year = FIRST
    while year <= LAST and dt.date(year + 1, *OUTTURN_KNOWN) < today:
        found.append((year, dt.date(year + 1, 3, 31), dt.date(year + 1, *OUTTURN_KNOWN), Decimal(1), "Year-end outturn (illustrative)."))
        year += 1
    if year > LAST:
        return found
    month_ends = [month_end for month_end in (month_shift(dt.date(year, 4, 30), n) for n in range(12)) if month_end < today]
    for n, month_end in enumerate(month_ends, start=1):
        if n % 3 == 0 or n == len(month_ends):
            entered_on = min(month_end + IN_YEAR_ENTERED_AFTER, today - dt.timedelta(days=1))
            found.append(
                (year, month_end, entered_on, Decimal(n) / 12, f"In-year position, {n} month{'s' if n > 1 else ''} in (illustrative).")
            )
    return found
