"""KPIs: indicators of whether a strategy is making a difference, their values over time, and their RAG."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Abs
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from actions.models import DeliveryGroup, Strategy
from intake.models import Upload
from people.models import Post


class PeriodError(ValueError):
    pass


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    TERMLY = "termly", "Termly"
    ANNUAL = "annual", "Annual"
    SURVEY = "survey", "Survey wave"


PERIOD_EXAMPLES = {
    Frequency.MONTHLY: "a month such as 2024-12",
    Frequency.TERMLY: "an academic year and term such as 2024/25 T1 (T1 autumn, T2 spring, T3 summer)",
    Frequency.ANNUAL: "a year such as 2025",
    Frequency.SURVEY: "the survey year such as 2025",
}
# Terms start in September (autumn), January (spring) and April (summer).
TERM_STARTS = {1: (0, 9), 2: (1, 1), 3: (1, 4)}


def period_start(frequency: str, text: str) -> dt.date:
    """The first day of a period written in the style its frequency uses; PeriodError otherwise.

    Periods are stored as the text people use ("2024/25 T1") with this date
    beside them, so that values sort and snapshots select them by date.
    """
    text = (text or "").strip()
    problem = PeriodError(f"Enter the period as {PERIOD_EXAMPLES.get(frequency, 'the period')}")
    if frequency == Frequency.MONTHLY:
        m = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise problem
        return dt.date(int(m.group(1)), int(m.group(2)), 1)
    if frequency == Frequency.TERMLY:
        m = re.fullmatch(r"(\d{4})/(\d{2}) T([123])", text)
        if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
            raise problem
        years_on, month = TERM_STARTS[int(m.group(3))]
        return dt.date(int(m.group(1)) + years_on, month, 1)
    if frequency in (Frequency.ANNUAL, Frequency.SURVEY):
        if not re.fullmatch(r"\d{4}", text) or int(text) < 1900:
            raise problem
        return dt.date(int(text), 1, 1)
    raise problem


TERM_NAMES = {"1": "Autumn", "2": "Spring", "3": "Summer"}


def period_words(text: str, *, short: bool = False) -> str:
    """A period as people read it: "2026-11" as "November 2026", "2024/25 T1" as "Autumn term 2024/25"; a year, or
    anything else, as it is written. The stored text stays as it was entered (it is what files and forms use).

    `short`, for a chart's axis: "Nov 2026", and a term as it is written ("2024/25 T1").
    """
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text or ""):
        if 1 <= int(m.group(2)) <= 12:
            return f"{dt.date(int(m.group(1)), int(m.group(2)), 1):{'%b %Y' if short else '%B %Y'}}"
    if not short and (m := re.fullmatch(r"(\d{4}/\d{2}) T([123])", text or "")):
        return f"{TERM_NAMES[m.group(2)]} term {m.group(1)}"
    return text


def format_number(number: Decimal | None, unit: str = "") -> str:
    """A decimal as people write it: no trailing zeros, thousands separated, the unit's sign."""
    if number is None:
        return ""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-') or 0):,}"
    text = sign + whole + (f".{fraction}" if fraction else "")
    if unit == Indicator.Unit.PERCENTAGE:
        return f"{text}%"
    if unit == Indicator.Unit.WEEKS:
        return f"{text} weeks"
    return text


class Rag(models.TextChoices):
    """A KPI's RAG: computed from its latest value and target, never typed or stored."""

    ON_TARGET = "on_target", "On target"
    WITHIN_TOLERANCE = "within_tolerance", "Within tolerance"
    OFF_TARGET = "off_target", "Off target"
    NO_DATA = "no_data", "No data"
    NO_TARGET = "no_target", "No target"

    @property
    def colour(self) -> str:
        # The rating tag colours of the rating_tag template tag (actions/templatetags/ratings.py); the label always shows too.
        return {"on_target": "green", "within_tolerance": "amber", "off_target": "red"}.get(self.value, "grey")


class Travel(models.TextChoices):
    BETTER = "better", "Better"
    WORSE = "worse", "Worse"
    SAME = "same", "Same"
    NONE = "none", "No earlier value"


class Indicator(models.Model):
    class Unit(models.TextChoices):
        PERCENTAGE = "percentage", "Percentage"
        COUNT = "count", "Count"
        WEEKS = "weeks", "Weeks"
        RATE = "rate", "Rate"
        SCORE = "score", "Score"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class Source(models.TextChoices):
        LOCAL = "local", "Local data"
        NATIONAL = "national", "National data"
        PCF_SURVEY = "pcf_survey", "Parent Carer Forum survey"

    Frequency = Frequency

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    delivery_groups = models.ManyToManyField(DeliveryGroup, blank=True, related_name="indicators")
    unit = models.CharField(max_length=12, choices=Unit.choices)
    direction = models.CharField(max_length=6, choices=Direction.choices)
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.LOCAL)
    source_detail = models.TextField(blank=True, help_text="The data set or survey question, as written.")
    baseline_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    baseline_period = models.CharField(max_length=20, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    tolerance = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="How far short of target (in the KPI's unit) a value is still amber rather than red. Blank: no amber.",
    )
    stretch_aim = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    notes = models.TextField(blank=True)
    owners = models.ManyToManyField(Post, blank=True, related_name="indicators", help_text="Posts whose holders may enter values.")
    position = models.PositiveIntegerField(default=0)
    library_code = models.CharField(max_length=40, blank=True, help_text="The KPI library measure this KPI was added from.")
    open_data_column = models.CharField(
        max_length=80, blank=True, help_text="The indicator column of the Explore Education Statistics file its benchmarks come from."
    )
    open_data_filter = models.CharField(
        max_length=300,
        blank=True,
        help_text='The rows of that file to read, as column=value pairs separated by ";" (such as "breakdown=All EHC plans").',
    )

    class Meta:
        ordering = ["strategy", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="indicator_unique_code"),
            models.CheckConstraint(condition=~Q(code=""), name="indicator_code_not_blank"),
            models.CheckConstraint(condition=Q(tolerance__isnull=True) | Q(tolerance__gte=0), name="indicator_tolerance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("kpis:indicator_detail", args=[self.pk])

    def is_better(self, value: Decimal, than: Decimal) -> bool:
        return value > than if self.direction == self.Direction.HIGHER else value < than

    def rag(self, value: Decimal | None) -> Rag:
        """On or beyond target is on target; short of it by no more than the tolerance is within tolerance."""
        if value is None:
            return Rag.NO_DATA
        if self.target is None:
            return Rag.NO_TARGET
        if value == self.target or self.is_better(value, self.target):
            return Rag.ON_TARGET
        shortfall = abs(value - self.target)
        if self.tolerance and shortfall <= self.tolerance:
            return Rag.WITHIN_TOLERANCE
        return Rag.OFF_TARGET

    @classmethod
    def rag_expression(cls, value: str = "value", indicator: str = "indicator__") -> Case:
        """`rag` in the database, for the KPI at `indicator` and the value at `value`: the feed's status of each value.

        The agreement test (tests/kpis/test_rag_expression.py) holds the two to the same answer."""
        value_of, target = F(value), F(f"{indicator}target")
        better_or_same = Q(**{f"{indicator}direction": cls.Direction.HIGHER, f"{value}__gte": target}) | Q(
            **{f"{indicator}direction": cls.Direction.LOWER, f"{value}__lte": target}
        )
        within = LessThanOrEqual(Abs(value_of - target), F(f"{indicator}tolerance"))
        return Case(
            When(Q(**{f"{value}__isnull": True}), then=Value(Rag.NO_DATA.value)),
            When(Q(**{f"{indicator}target__isnull": True}), then=Value(Rag.NO_TARGET.value)),
            When(better_or_same, then=Value(Rag.ON_TARGET.value)),
            When(Q(**{f"{indicator}tolerance__gt": 0}) & Q(within), then=Value(Rag.WITHIN_TOLERANCE.value)),
            default=Value(Rag.OFF_TARGET.value),
            output_field=CharField(),
        )

    def travel(self, latest: Decimal | None, previous: Decimal | None) -> Travel:
        """Direction of travel since the previous value, by what counts as better for this KPI."""
        if latest is None or previous is None:
            return Travel.NONE
        if latest == previous:
            return Travel.SAME
        return Travel.BETTER if self.is_better(latest, previous) else Travel.WORSE

    def format(self, number: Decimal | None) -> str:
        return format_number(number, self.unit)

    def target_label(self) -> str:
        if self.target is None:
            return "No target"
        sign = "≥" if self.direction == self.Direction.HIGHER else "≤"
        return f"{sign} {self.format(self.target)}"

    def period_start(self, text: str) -> dt.date:
        return period_start(self.frequency, text)

    @property
    def baseline_period_label(self) -> str:
        return period_words(self.baseline_period)

    def period_hint(self) -> str:
        return f"{self.get_frequency_display()} KPI: enter {PERIOD_EXAMPLES[self.frequency]}"

    def unit_hint(self) -> str:
        return {
            self.Unit.PERCENTAGE: "A percentage from 0 to 100, without the % sign",
            self.Unit.COUNT: "A whole number",
            self.Unit.WEEKS: "A number of weeks, such as 21.5",
        }.get(self.unit, "A number")


class KpiValueQuerySet(models.QuerySet):
    def current(self) -> KpiValueQuerySet:
        """The value that stands for each period: corrected values are kept but superseded."""
        return self.filter(is_superseded=False)


class KpiValue(models.Model):
    """One period's value of a KPI. Never edited: a correction is a new row that supersedes it."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(max_length=20)
    period_start = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    england = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    region = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    statistical_neighbours = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction", help_text="The value this one corrects."
    )
    reason = models.TextField(blank=True, help_text="Why the earlier value was corrected.")
    is_superseded = models.BooleanField(default=False)

    objects = KpiValueQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period_start", "entered_at", "id"]
        indexes = [models.Index(fields=["indicator", "period_start"], name="kpivalue_by_period")]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"], condition=Q(is_superseded=False), name="kpivalue_one_current_per_period"
            ),
            models.CheckConstraint(condition=Q(corrects__isnull=True) | ~Q(reason=""), name="kpivalue_correction_has_reason"),
        ]
        triggers = [
            # A value a snapshot has frozen must read the same for ever, however it
            # is written to (admin, shell, SQL). Superseding it is allowed: that
            # only marks that a correction now stands for the period.
            pgtrigger.Trigger(
                name="kpivalue_immutable_once_snapshotted",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                func="""
                IF EXISTS (SELECT 1 FROM kpis_snapshotkpivalue s WHERE s.kpi_value_id = OLD.id) AND (
                    TG_OP = 'DELETE' OR
                    (NEW.indicator_id, NEW.period, NEW.period_start, NEW.value, NEW.england, NEW.region,
                     NEW.statistical_neighbours, NEW.note, NEW.entered_by_id, NEW.entered_at, NEW.corrects_id, NEW.reason)
                    IS DISTINCT FROM
                    (OLD.indicator_id, OLD.period, OLD.period_start, OLD.value, OLD.england, OLD.region,
                     OLD.statistical_neighbours, OLD.note, OLD.entered_by_id, OLD.entered_at, OLD.corrects_id, OLD.reason)
                    OR (OLD.is_superseded AND NOT NEW.is_superseded)
                ) THEN
                    RAISE EXCEPTION 'KPI value % is in a snapshot and cannot change: enter a correction instead', OLD.id
                        USING ERRCODE = 'check_violation';
                END IF;
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period}: {self.value}"

    @property
    def period_label(self) -> str:
        return period_words(self.period)

    def formatted(self) -> str:
        return self.indicator.format(self.value)


class SnapshotKpiValue(models.Model):
    """A KPI value as it stood when a snapshot was taken."""

    snapshot = models.ForeignKey("actions.Snapshot", on_delete=models.CASCADE, related_name="kpi_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    kpi_value = models.ForeignKey(KpiValue, on_delete=models.PROTECT, related_name="snapshot_items")
    period = models.CharField(max_length=20)
    period_start = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["snapshot", "indicator", "period_start"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "kpi_value"], name="snapshotkpivalue_unique")]
        triggers = [pgtrigger.Protect(name="snapshotkpivalue_immutable", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.kpi_value} in {self.snapshot}"


class Benchmark(models.Model):
    """How a KPI's period compares nationally: England, the region, the statistical neighbours and the rank.

    Read from an Explore Education Statistics open-data file. Like a KPI value
    it is never edited: a later file adds new periods and leaves these alone.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="benchmarks")
    period = models.CharField(max_length=20)
    period_start = models.DateField()
    england = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    region = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    region_name = models.CharField(max_length=100, blank=True)
    neighbours_average = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    neighbours_counted = models.PositiveSmallIntegerField(default=0, help_text="How many neighbours had a figure for the period.")
    rank = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 is the best, by the KPI's direction.")
    ranked = models.PositiveSmallIntegerField(null=True, blank=True, help_text="How many local authorities had a figure.")
    source = models.CharField(max_length=255, blank=True, help_text="The file it was read from.")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="benchmark_one_per_period")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period} benchmark"

    @property
    def period_label(self) -> str:
        return period_words(self.period)

    QUARTILES = {1: "top quartile", 2: "second quartile", 3: "third quartile", 4: "bottom quartile"}

    @property
    def quartile(self) -> int | None:
        """Which quarter of the ranked authorities the rank falls in; only with enough of them to quarter."""
        if not self.rank or not self.ranked or self.ranked < 4:
            return None
        return min(4, -(-4 * self.rank // self.ranked))

    def rank_label(self) -> str:
        """ "12th of 153, top quartile" """
        if not self.rank or not self.ranked:
            return ""
        label = f"{ordinal(self.rank)} of {self.ranked}"
        return f"{label}, {self.QUARTILES[self.quartile]}" if self.quartile else label


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


class BenchmarkImport(Upload):
    """An uploaded open-data file, kept so that its preview and its confirmation read the same bytes."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="benchmark_imports")
    authorities = models.JSONField(default=dict, blank=True, help_text="The file's local authorities, code to name.")


class KpiValueImport(Upload):
    """An uploaded file of KPI values, kept so that the preview and its confirmation read the same bytes."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="kpi_imports")
