"""The high-needs budget beside the plan: a DSG management plan's years, its forecasts, and the mitigations that deliver its savings.

Money is exact: pounds and pence in `Decimal` columns, never floats.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from actions.models import Action, Snapshot, Strategy
from finance.money import year_label


# The plan's figures and mitigations keep every change (append-only): a board can see what a forecast was before.
def track(model):
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), append_only=True)(model)


def money(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=15, decimal_places=2, **kwargs)


@track
class FinancePlan(models.Model):
    """A strategy's DSG management plan: its own financial years, which may run past the strategy's end."""

    strategy = models.OneToOneField(Strategy, on_delete=models.CASCADE, related_name="finance_plan")
    name = models.CharField(max_length=200, default="Dedicated Schools Grant management plan")
    first_year = models.PositiveSmallIntegerField(help_text="The first financial year, by its first calendar year: 2024 is 2024-25.")
    last_year = models.PositiveSmallIntegerField()
    source = models.TextField(blank=True, help_text="Where the figures come from, and how far they are illustrative.")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(last_year__gte=F("first_year")), name="financeplan_years_in_order"),
            models.CheckConstraint(condition=Q(last_year__lte=F("first_year") + 14), name="financeplan_at_most_fifteen_years"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {year_label(self.first_year)} to {year_label(self.last_year)}"

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    def year_labels(self) -> list[tuple[int, str]]:
        return [(year, year_label(year)) for year in self.years]


@track
class FinanceYear(models.Model):
    """One year of the plan: the grant, and the cumulative deficit forecast unmitigated and with the plan's target."""

    plan = models.ForeignKey(FinancePlan, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField()
    grant = money(null=True, blank=True)
    unmitigated_forecast = money(null=True, blank=True)
    target_forecast = money(null=True, blank=True)

    class Meta:
        ordering = ["plan", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="financeyear_one_per_year"),
            models.CheckConstraint(condition=Q(grant__gte=0) | Q(grant__isnull=True), name="financeyear_grant_not_negative"),
        ]

    def __str__(self) -> str:
        return year_label(self.year)


@track
class Mitigation(models.Model):
    """A saving or cost avoidance the plan counts on, delivered by actions of the strategy."""

    plan = models.ForeignKey(FinancePlan, on_delete=models.CASCADE, related_name="mitigations")
    ref = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    actions = models.ManyToManyField(Action, blank=True, related_name="mitigations")
    is_illustrative = models.BooleanField(default=False, help_text="Made up to show how the page works: not from the plan.")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["plan", "ref"]
        constraints = [models.UniqueConstraint(fields=["plan", "ref"], name="mitigation_unique_ref")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


@track
class MitigationSaving(models.Model):
    """A mitigation's planned saving (or cost avoidance) in one year of the plan."""

    mitigation = models.ForeignKey(Mitigation, on_delete=models.CASCADE, related_name="savings")
    year = models.PositiveSmallIntegerField()
    planned = money()

    class Meta:
        ordering = ["mitigation", "year"]
        constraints = [models.UniqueConstraint(fields=["mitigation", "year"], name="mitigationsaving_one_per_year")]

    def __str__(self) -> str:
        return f"{self.mitigation.ref} {year_label(self.year)}"


class FinanceActual(models.Model):
    """What a mitigation has achieved in a year, as at the end of a period, entered by a finance lead. Append-only.

    The latest entry of a mitigation's year is its achieved figure; a correction is a new entry, so the history stays.
    """

    mitigation = models.ForeignKey(Mitigation, on_delete=models.CASCADE, related_name="actuals")
    year = models.PositiveSmallIntegerField()
    as_at = models.DateField(help_text="The end of the period the figure is for.")
    achieved = money()
    note = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["mitigation", "year", "-as_at", "-entered_at", "-id"]
        triggers = [pgtrigger.Protect(name="financeactual_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.mitigation.ref} {year_label(self.year)} as at {self.as_at}"


class SnapshotMitigation(models.Model):
    """A mitigation's year as it stood in a snapshot: planned, achieved, and whether its saving was at risk (an action
    delivering it at risk or overdue, and the year's outturn not in: `finance.reads.saving_at_risk`)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="mitigations")
    mitigation = models.ForeignKey(Mitigation, on_delete=models.CASCADE, related_name="snapshot_items")
    year = models.PositiveSmallIntegerField()
    planned = money()
    achieved = money(null=True, blank=True)
    at_risk = models.BooleanField(default=False)

    class Meta:
        ordering = ["snapshot", "mitigation", "year"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "mitigation", "year"], name="snapshotmitigation_unique")]
        triggers = [pgtrigger.Protect(name="snapshotmitigation_immutable", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.mitigation_id} {year_label(self.year)} in {self.snapshot}"
