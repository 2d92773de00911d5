"""The inspection cycle: from the latest full inspection's outcome and report date, when the next inspections and engagement
meetings fall (the rules are the framework's, in governance.framework)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from actions.chasing import digests_prepare
from actions.models import Notification, Strategy
from governance import framework
from governance.models import Finding, Inspection
from people.models import Membership
from send_tracker.statements import kept_objects

# How long before each date the officer's calendar reminds them.
REMINDER_DAYS = 28
# The priority action plan is chased like an action: its officers are told as it nears (these many days ahead),
# on the day it falls due, and every CHASE_EVERY_DAYS while it is overdue.
PLAN_REMIND_DAYS = (28, 7)
PLAN_CHASE_EVERY_DAYS = 7


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


def _monitored_since(inspection: Inspection) -> bool:
    """Whether the monitoring inspection that follows this full inspection has been recorded."""
    return Inspection.objects.filter(
        strategy_id=inspection.strategy_id, kind=Inspection.Kind.MONITORING, started_on__gt=inspection.ended_on
    ).exists()


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


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday: the days boards meet and deadlines fall on."""
    return day.weekday() < 5


def working_days_after(day: dt.date, count: int) -> dt.date:
    """The day `count` working days (Monday to Friday) after `day`."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


@dataclass(frozen=True)
class PlanDue:
    """The priority action plan that answers an inspection's areas for priority action: when it is due, and whether it is open."""

    inspection: Inspection
    due: dt.date
    today: dt.date

    @property
    def note(self) -> str:
        """How the due date was reckoned: from the report's publication, or from the inspection's last day until then."""
        if self.inspection.published_on:
            return framework.PRIORITY_ACTION_PLAN_DUE_NOTE
        return framework.PRIORITY_ACTION_PLAN_DUE_NOTE_UNPUBLISHED

    @property
    def provisional(self) -> str:
        """Words to put beside the date while it is reckoned from the inspection's last day, or ""."""
        return "" if self.inspection.published_on else "provisional until the date the report was published is recorded"

    @property
    def submitted_on(self) -> dt.date | None:
        return self.inspection.plan_submitted_on

    @property
    def days_left(self) -> int:
        return (self.due - self.today).days

    @property
    def is_overdue(self) -> bool:
        return not self.submitted_on and self.days_left < 0

    @property
    def standing(self) -> str:
        if self.submitted_on:
            return f"Submitted on {self.submitted_on:%-d %B %Y}"
        days = self.days_left
        if days < 0:
            return f"Overdue by {-days} day{'s' if days != -1 else ''}"
        if days == 0:
            return "Due today"
        return f"Due in {days} day{'s' if days != 1 else ''}"


def _priority_inspection_of(strategy_id: int) -> QuerySet[Inspection]:
    """The newest inspection of the strategy with areas for priority action, and whether a later inspection followed it."""
    followed = Inspection.objects.filter(strategy=OuterRef("strategy"), started_on__gt=OuterRef("ended_on"))
    found = Inspection.objects.filter(strategy_id=strategy_id, findings__kind=Finding.Kind.PRIORITY).annotate(followed=Exists(followed))
    return found.order_by("-ended_on", "-id").distinct()[:1]


def priority_action_plan_due(strategy: Strategy, today: dt.date) -> PlanDue | None:
    """The open priority action plan: of the newest inspection with areas for priority action, until a later inspection follows it."""
    # One query, read at each request of the dashboard (its SQL compiled once a process).
    inspection = next(iter(kept_objects(_priority_inspection_of, strategy.pk)), None)
    if inspection is None or inspection.followed:
        return None
    reported = inspection.published_on or inspection.ended_on
    return PlanDue(inspection, working_days_after(reported, framework.PRIORITY_ACTION_PLAN_WORKING_DAYS), today)


def cycle_for(strategy: Strategy, today: dt.date) -> list[CycleDate]:
    inspection = latest_full_inspection(strategy)
    found = inspection_cycle(inspection, today) if inspection else []
    if inspection and _monitored_since(inspection):
        found = [d for d in found if d.key != "monitoring"]  # it has taken place: it is no longer expected
    if (plan := priority_action_plan_due(strategy, today)) and not plan.submitted_on:
        found.append(CycleDate("priority-action-plan", "Priority action plan due", plan.due, plan.inspection, is_deadline=True))
    return sorted(found, key=lambda d: d.day)


def _plan_event(plan: PlanDue) -> tuple[str, str, str] | None:
    """Today's chasing event for an open plan not yet submitted, if any: (kind, event key, message)."""
    if plan.submitted_on:
        return None
    key = f"pap-{plan.inspection.pk}-{plan.due:%Y%m%d}"
    days = plan.days_left
    if days < 0:
        round_ = (-days - 1) // PLAN_CHASE_EVERY_DAYS  # day 1 overdue, day 8, day 15 …
        return (
            Notification.Kind.OVERDUE,
            f"{key}-overdue-{round_}",
            f"The priority action plan was due on {plan.due:%-d %B %Y}: {plan.standing.lower()}",
        )
    steps = [d for d in (*PLAN_REMIND_DAYS, 0) if days <= d]
    if not steps:
        return None
    return (
        Notification.Kind.DUE_SOON,
        f"{key}-{min(steps)}",
        f"The priority action plan is due on {plan.due:%-d %B %Y}: {plan.standing.lower()}",
    )


def priority_action_plans_chase(*, today: dt.date) -> int:
    """Tell each strategy's officers as its open priority action plan nears and passes its due date (once per step)."""
    told = 0
    strategies = Strategy.objects.filter(inspections__findings__kind=Finding.Kind.PRIORITY).select_related("partnership").distinct()
    for strategy in strategies:  # the few strategies with areas for priority action
        plan = priority_action_plan_due(strategy, today)
        event = _plan_event(plan) if plan else None
        if event is None:
            continue
        kind, key, message = event
        officers = Membership.objects.filter(partnership=strategy.partnership, role=Membership.Role.OFFICER, user__is_active=True)
        made = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=user_id,
                    action=None,
                    kind=kind,
                    event_key=key[:40],
                    deadline=plan.due,
                    partnership=strategy.partnership,
                    message=f"{message} ({strategy.name})"[:500],
                    link=reverse("reporting:priority_action_plan_page", args=[strategy.pk]),
                )
                for user_id in officers.values_list("user_id", flat=True)
            ],
            ignore_conflicts=True,  # once each, however often the reminders run
        )
        told += len(made)
    if told:
        digests_prepare(day=today)
    return told
