"""A partnership's SEND strategy: priorities, delivery groups, actions and their updates."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import os
import re
import unicodedata
import uuid
from pathlib import Path

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import slugify

from accounts.models import User
from intake.models import Upload
from intake.tables import normalise_phrase
from people.models import Membership, Partnership, Post


class RatingSchemeQuerySet(models.QuerySet):
    def available_to(self, partnership: Partnership | int) -> RatingSchemeQuerySet:
        """The schemes a partnership may use: the shipped ones, shared by all, and its own."""
        return self.filter(Q(partnership__isnull=True) | Q(partnership=partnership))


class RatingScheme(models.Model):
    """Ordered rating levels. Shipped schemes (no partnership) are shared and read-only; a partnership's own are its alone."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rating_schemes",
        help_text="Empty: shipped with the product.",
    )
    created_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RatingSchemeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="ratingscheme_unique_name", nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shipped(self) -> bool:
        return self.partnership_id is None

    def level_for(self, text: str, levels: list[RatingLevel] | None = None) -> RatingLevel | None:
        """The level a plan's phrase means: its code, label or an alias. Blank means not started."""
        levels = list(self.levels.all()) if levels is None else levels
        wanted = normalise_phrase(text)
        if not wanted:
            return self.not_started_level(levels)
        for level in levels:
            if wanted in level.phrases():
                return level
        return None

    def not_started_level(self, levels: list[RatingLevel] | None = None) -> RatingLevel:
        levels = list(self.levels.all()) if levels is None else levels
        return next((level for level in levels if level.is_default), min(levels, key=lambda level: level.position))


class Progress(models.TextChoices):
    """The one classification of an action (actions/rules.py): every rating level has exactly one.

    Listed in the order a board reads them. Overdue, due soon and needs an
    update are flags beside the class, never a class of their own.
    """

    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    COMPLETE = "complete", "Complete"


class RatingLevel(models.Model):
    class Colour(models.TextChoices):
        GREY = "grey", "Grey"
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        AMBER_E = "amber-e", "Amber E"
        GREEN = "green", "Green"
        BLUE = "blue", "Blue"

    Progress = Progress

    scheme = models.ForeignKey(RatingScheme, on_delete=models.CASCADE, related_name="levels")
    code = models.SlugField(max_length=30)
    label = models.CharField(max_length=60)
    colour = models.CharField(max_length=10, choices=Colour.choices)
    meaning = models.CharField(max_length=300)
    # Position orders levels from worst to best, so movement between two
    # snapshots reads as improved or worsened by comparing positions.
    position = models.PositiveSmallIntegerField(help_text="Order from worst (0) to best.")
    is_default = models.BooleanField(default=False, help_text="The level of an action nobody has rated yet.")
    progress = models.CharField(
        max_length=20, choices=Progress.choices, help_text="What an action at this level is: not started, on track, at risk or complete."
    )
    # Read-only shorthands of the class, kept by the database so queries and the feed can filter on them.
    is_complete = models.GeneratedField(
        expression=Q(progress=Progress.COMPLETE),
        output_field=models.BooleanField(),
        db_persist=True,
        help_text="Done: it can no longer be overdue.",
    )
    is_risk = models.GeneratedField(
        expression=Q(progress=Progress.AT_RISK),
        output_field=models.BooleanField(),
        db_persist=True,
        help_text="At risk: a narrative must say how it will recover.",
    )
    is_on_track = models.GeneratedField(
        expression=Q(progress=Progress.ON_TRACK),
        output_field=models.BooleanField(),
        db_persist=True,
        help_text="Claims to be on track: overdue at this level is inconsistent.",
    )
    aliases = ArrayField(models.CharField(max_length=200), default=list, blank=True, help_text="Other phrases plans use for this level.")

    class Meta:
        ordering = ["scheme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="ratinglevel_unique_code"),
            models.UniqueConstraint(fields=["scheme", "position"], name="ratinglevel_unique_position"),
            models.UniqueConstraint(fields=["scheme"], condition=Q(is_default=True), name="ratinglevel_one_default"),
            models.CheckConstraint(condition=Q(progress__in=Progress.values), name="ratinglevel_progress_valid"),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(progress=Progress.NOT_STARTED), name="ratinglevel_default_is_not_started"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def phrases(self) -> set[str]:
        return {normalise_phrase(p) for p in [self.code, self.label, *self.aliases]}


class Strategy(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="strategies")
    name = models.CharField(max_length=200)
    scheme = models.ForeignKey(RatingScheme, on_delete=models.PROTECT, related_name="strategies")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    ratings_as_at = models.DateField(null=True, blank=True, help_text="The date the plan's ratings were accurate as at.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["partnership", "name"]
        verbose_name_plural = "strategies"
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="strategy_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("actions:strategy_detail", args=[self.pk])

    @classmethod
    def named(cls, name: str, partnership: str | None = None) -> Strategy:
        """The strategy of that name (in that partnership, when given), as commands name it.

        Raises LookupError with a message a person can act on.
        """
        strategies = cls.objects.filter(name=name).select_related("partnership", "scheme")
        if partnership:
            strategies = strategies.filter(partnership__name=partnership)
        found = list(strategies[:2])
        if not found:
            where = f" in '{partnership}'" if partnership else ""
            raise LookupError(f"There is no strategy called '{name}'{where}.")
        if len(found) > 1:
            raise LookupError(f"More than one partnership has a strategy called '{name}': name it with --partnership.")
        return found[0]


class StrategyRevision(models.Model):
    """A number the database raises whenever anything a strategy's pages show changes (actions/revisions.py).

    Costly pages are cached under it, so a cached page is never older than the data.
    """

    strategy = models.OneToOneField(Strategy, on_delete=models.CASCADE, primary_key=True, related_name="revision")
    revision = models.BigIntegerField(default=0)
    # Raised by the same changes except those to the actions' own rows (revisions.ACTION_TABLES).
    beyond_actions = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.strategy_id} at revision {self.revision}"


class Priority(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="priorities")
    name = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["strategy", "position", "id"]
        verbose_name_plural = "priorities"
        constraints = [models.UniqueConstraint(fields=["strategy", "name"], name="priority_unique_name")]

    def __str__(self) -> str:
        return self.name


# The priority and group that gather the actions a board gives at its meetings (governance.decisions makes them).
ARISING_NAME = "Board actions arising"
# That group, in a query: `DeliveryGroup.gathers_board_actions` says the same of one group read.
BOARD_ACTIONS_GROUP = Q(parent__isnull=True, name=ARISING_NAME, priority__name=ARISING_NAME)


class DeliveryGroup(models.Model):
    """An area for improvement or workstream under a priority; may have sub-groups (3.A, 3.B)."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="delivery_groups")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="delivery_groups")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    lead = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_groups")
    what_needs_to_improve = models.TextField(blank=True)
    areas_for_improvement = ArrayField(models.TextField(), default=list, blank=True)
    how_we_will_assess = ArrayField(models.TextField(), default=list, blank=True)
    what_we_will_see = ArrayField(models.TextField(), default=list, blank=True)
    delivered_to_date = models.TextField(blank=True)

    class Meta:
        ordering = ["strategy", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "parent", "name"], name="deliverygroup_unique_name", nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} – {self.name}" if self.parent_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("reporting:group_detail", args=[self.pk])

    @property
    def gathers_board_actions(self) -> bool:
        """The board's own "Board actions arising": it gathers the board's actions, delivering no part of the strategy,
        so families are not asked their view of it."""
        return self.parent_id is None and self.name == ARISING_NAME and self.priority.name == ARISING_NAME


MONTHS = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.casefold(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
NO_DATE_PHRASES = {"tbc", "tbd", "to be confirmed", "to be determined", "to be agreed", ""}


class DueDateError(ValueError):
    pass


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _example_ahead(today: dt.date | None = None) -> dt.date:
    """The date examples of a date to come give, ahead of today so nobody copies a past one: the end of the next March
    (a financial year's end)."""
    today = today or timezone.localdate()
    return dt.date(today.year + (today.month >= 3), 3, 31)


def due_example(today: dt.date | None = None) -> tuple[str, str]:
    """A month and a date in the styles a due date is written in, as "March 2027" and "31/03/2027"."""
    end = _example_ahead(today)
    return f"{end:%B %Y}", f"{end:%d/%m/%Y}"


def date_hint_ahead(today: dt.date | None = None) -> str:
    """The hint of a day, month and year input for a date to come: "For example, 31 3 2027"."""
    end = _example_ahead(today)
    return f"For example, {end.day} {end.month} {end.year}"


# The hint of a date to come as a form's help text: worked out as each page is drawn, so it stays ahead of today.
DATE_HINT_AHEAD = lazy(date_hint_ahead, str)()


def parse_due(text: str) -> tuple[dt.date | None, str]:
    """Read a plan's due cell: a month means the end of that month; TBC means no date.

    Returns (date, precision). Raises DueDateError for anything else, so an
    import never guesses a deadline.
    """
    raw = normalise_phrase(text).rstrip(".")
    # Plans qualify a date in brackets ("June 2025 (impact data from December
    # 2025)"): the date is what is due; the full text is kept as due_text.
    raw = re.sub(r"\s*\([^()]*\)$", "", raw)
    if raw in NO_DATE_PHRASES:
        return None, Action.DuePrecision.NONE
    # A month in words ("March 2026", "Mar 2026", "Mar-26", "Mar '26") or numbers ("03/2026", "2026-03").
    if m := re.fullmatch(r"([a-z]+)\.?(?: |-|/| ?')?(\d{4})|([a-z]+)\.?(?:-|/| ?')(\d{2})", raw):
        month = MONTHS.get(m.group(1) or m.group(3))
        if month is None:
            raise DueDateError(f"'{text}' is not a month and year")
        year = int(m.group(2)) if m.group(2) else 2000 + int(m.group(4))
        return _month_end(year, month), Action.DuePrecision.MONTH
    if m := re.fullmatch(r"(\d{1,2})/(\d{4})|(\d{4})-(\d{1,2})", raw):
        month, year = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(4)), int(m.group(3)))
        if not 1 <= month <= 12:
            raise DueDateError(f"'{text}' is not a month and year")
        return _month_end(year, month), Action.DuePrecision.MONTH
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw):
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), Action.DuePrecision.DAY
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw):
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))), Action.DuePrecision.DAY
    except ValueError:
        raise DueDateError(f"'{text}' is not a real date") from None
    month, day = due_example()
    raise DueDateError(f"'{text}' is not a date: use a month such as '{month}', a date such as {day}, or TBC")


class LiveActionManager(models.Manager):
    """The actions still in the plan: every list, count, rule, sweep and snapshot reads these.

    A retired action (withdrawn, merged or superseded) is left out here, in one
    place; `Action.everything` still finds it, for its history and the pack's movement.
    """

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(retired_at__isnull=True)


# The body of the triggers that keep an action's rating in its strategy's scheme and its group in its strategy.
_ACTION_CONSISTENT = """
IF NOT EXISTS (
    SELECT 1 FROM actions_ratinglevel l JOIN actions_strategy s ON s.scheme_id = l.scheme_id
    WHERE l.id = NEW.rating_id AND s.id = NEW.strategy_id
) THEN
    RAISE EXCEPTION 'rating level % is not in the rating scheme of strategy %', NEW.rating_id, NEW.strategy_id
        USING ERRCODE = 'check_violation';
END IF;
IF NOT EXISTS (SELECT 1 FROM actions_deliverygroup g WHERE g.id = NEW.group_id AND g.strategy_id = NEW.strategy_id) THEN
    RAISE EXCEPTION 'delivery group % is not in strategy %', NEW.group_id, NEW.strategy_id
        USING ERRCODE = 'check_violation';
END IF;
RETURN NEW;
"""


# append_only: the history table refuses UPDATE and DELETE, from the application and from SQL alike.
# What the daily sweep records (the first day an action was overdue) is not a
# person's change: a sweep that changes only it writes no history rows.
SWEEP_FLAGS = ["overdue_since"]


def action_url(action_id: int) -> str:
    """An action page's address; the same as reverse(), reversed once per script prefix rather than once per row."""
    return _action_url_pattern(get_script_prefix()) % action_id


@functools.cache
def _action_url_pattern(prefix: str) -> str:
    marker = 987654321
    return reverse("actions:action_detail", args=[marker]).replace("%", "%%").replace(str(marker), "%d")


REF_SEPARATORS = re.compile(r"[\s,;]+")


def refs_listed(text: str) -> list[str]:
    """The refs in a list as people type it: separated by commas, semicolons, spaces or new lines ("1.1, 1.2 2.3")."""
    return [ref for ref in REF_SEPARATORS.split(text or "") if ref]


def ref_problem(ref: str) -> str:
    """Why `ref` cannot be an action's ref, or "": lists of refs are separated by spaces, commas and semicolons, so a
    ref holding one could never be named in a list."""
    return "a ref is one word, without spaces, commas or semicolons, such as EHC-C7" if REF_SEPARATORS.search(ref.strip()) else ""


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pgtrigger.AnyChange(exclude=SWEEP_FLAGS)),
    pghistory.DeleteEvent(),
    exclude=SWEEP_FLAGS,
    append_only=True,
)
class Action(models.Model):
    class DuePrecision(models.TextChoices):
        MONTH = "month", "By the end of the month"
        DAY = "day", "By the date"
        NONE = "none", "To be determined"

    class Retirement(models.TextChoices):
        WITHDRAWN = "withdrawn", "Withdrawn"
        MERGED = "merged", "Merged into another action"
        SUPERSEDED = "superseded", "Superseded"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="actions")
    group = models.ForeignKey(DeliveryGroup, on_delete=models.PROTECT, related_name="actions")
    ref = models.CharField(max_length=40)
    text = models.TextField()
    owners = models.ManyToManyField(Post, blank=True, related_name="actions")
    due_date = models.DateField(null=True, blank=True)
    due_precision = models.CharField(max_length=10, choices=DuePrecision.choices, default=DuePrecision.NONE)
    due_text = models.CharField(max_length=100, blank=True, help_text="The due date as the plan wrote it.")
    rating = models.ForeignKey(RatingLevel, on_delete=models.PROTECT, related_name="+")
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    notes = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    # Bumped on every change of rating or narrative: a form carries the version
    # it was loaded at, so a stale submit is detected rather than applied.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # State only the daily sweep can know: the first day the action was overdue
    # (the event its owners are told about once). Whether it is overdue, due
    # soon or needs an update is computed by actions.rules wherever it is read.
    overdue_since = models.DateField(null=True, blank=True, help_text="Set by the daily sweep while overdue: the first day it was overdue.")
    retired_at = models.DateTimeField(null=True, blank=True)
    # Database defaults too: bulk loaders that write rows in SQL (benchmarks, restores) need not know these columns.
    retired_reason = models.CharField(max_length=20, choices=Retirement.choices, blank=True, default="", db_default="")
    retired_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="absorbed")
    retired_note = models.TextField(blank=True, default="", db_default="")

    objects = LiveActionManager()
    everything = models.Manager()  # noqa: DJ012 (a manager, not a field)

    class Meta:
        ordering = ["strategy", "position", "id"]
        # Related objects (a snapshot item's action, an update's action) still reach a retired action.
        base_manager_name = "everything"
        constraints = [
            models.UniqueConstraint(fields=["strategy", "ref"], name="action_unique_ref"),
            models.CheckConstraint(
                condition=(Q(due_precision="none", due_date__isnull=True) | (~Q(due_precision="none") & Q(due_date__isnull=False))),
                name="action_due_date_matches_precision",
            ),
            models.CheckConstraint(condition=~Q(ref=""), name="action_ref_not_blank"),
            models.CheckConstraint(
                condition=Q(retired_at__isnull=True, retired_reason="") | (Q(retired_at__isnull=False) & ~Q(retired_reason="")),
                name="action_retired_with_reason",
            ),
        ]
        triggers = [
            # A rating must be a level of the strategy's own scheme, and the
            # group must be in the same strategy: enforced where every write
            # (admin, import, bulk update, SQL) has to pass. An update is checked
            # when it changes one of the three; one that changes anything else
            # (the daily sweep's overdue_since, a narrative) leaves them as they
            # were checked, and costs no trigger call.
            pgtrigger.Trigger(
                name="action_consistent_on_insert",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                func=_ACTION_CONSISTENT,
            ),
            pgtrigger.Trigger(
                name="action_consistent_on_update",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("rating", "strategy", "group"),
                func=_ACTION_CONSISTENT,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref}: {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return action_url(self.pk)

    def due_label(self) -> str:
        """How a due date reads in a table: "Sep 2025", "30 Sep 2025" or "TBC"."""
        if self.due_date is None:
            return "TBC"
        if self.due_precision == self.DuePrecision.MONTH:
            return self.due_date.strftime("%b %Y")
        return f"{self.due_date.day} {self.due_date.strftime('%b %Y')}"

    def due_plan_words(self) -> str:
        """The plan's own words for the due date when they say something the date does not ("Spring 2026"), else ""."""
        said = {self.due_label()}
        if self.due_date is not None:
            said |= {f"{self.due_date:%B %Y}", f"{self.due_date.day} {self.due_date:%B %Y}"}
        return "" if self.due_text in said else self.due_text

    def owner_titles(self) -> list[str]:
        return [post.title for post in self.owners.all()]


class ActionChange(models.Model):
    """An immutable record of a change to an action's plan: owners, due date, text, group, related actions or retirement.

    Ratings and narratives are ActionUpdates; together they are the action's history.
    `reason` is the officer's explanation, required for a changed due date and shown to the board.
    """

    class Field(models.TextChoices):
        CREATED = "created", "Added to the plan"
        TEXT = "text", "Action"
        OWNERS = "owners", "Owners"
        DUE = "due", "Due date"
        GROUP = "group", "Delivery group"
        RELATED = "related", "Related actions"
        RETIRED = "retired", "Retired"
        RATING_SCHEME = "rating_scheme", "Rating scheme"
        MILESTONES = "milestones", "Milestones"

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="changes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    field = models.CharField(max_length=20, choices=Field.choices)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        triggers = [pgtrigger.Protect(name="actionchange_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.action_id} {self.get_field_display()} {self.created_at:%Y-%m-%d}"

    def sentence(self) -> str:
        """The change as the board reads it: "Due date revised from September 2025 to March 2026: waiting on the new panel"."""
        if self.field == self.Field.CREATED:
            text = "Added to the plan"
        elif self.field == self.Field.RETIRED:
            text = f"Retired: {self.after}"
        elif self.field == self.Field.DUE:
            text = f"Due date revised from {self.before or 'TBC'} to {self.after or 'TBC'}"
        else:
            text = f"{self.get_field_display()} changed from “{self.before or 'none'}” to “{self.after or 'none'}”"
        return f"{text}: {self.reason}" if self.reason else text


class Milestone(models.Model):
    """A dated step inside an action (a phase of a programme): its progress is "3 of 5" beside the rating.

    Due by a month, stored as the month's last day as actions' due months are;
    `done_at` says when it was marked done. Every change is an ActionChange.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    due_date = models.DateField(null=True, blank=True, help_text="The last day of the month it is due by; empty when not yet set.")
    done_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["action", "position", "id"]

    def __str__(self) -> str:
        return self.title

    def due_label(self) -> str:
        return self.due_date.strftime("%B %Y") if self.due_date else "To be determined"


class ActionUpdate(models.Model):
    """An immutable record of a change to an action's rating or narrative."""

    class Source(models.TextChoices):
        BROWSER = "browser", "Update in the browser"
        IMPORT = "import", "Plan import"
        ADMIN = "admin", "Admin"
        SYSTEM = "system", "System"

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="action_updates")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    rating_before = models.ForeignKey(RatingLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rating_after = models.ForeignKey(RatingLevel, on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.BROWSER)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["action", "-created_at"], name="actionupdate_latest")]
        triggers = [pgtrigger.Protect(name="actionupdate_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.action.ref} {self.created_at:%Y-%m-%d}"

    def rating_changed(self) -> bool:
        return self.rating_before_id != self.rating_after_id


class PlanImport(Upload):
    """An uploaded plan file, kept so that a preview and its confirmation apply the same bytes."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="imports")
    # How the file reads as a plan when it is an officer's own tracker (see
    # actions.trackers); empty for a file in the import format.
    mapping = models.JSONField(default=dict, blank=True)
    layout = models.JSONField(default=list, blank=True, help_text="The folded headers of the sheet read, when mapped.")


class StrategyUpload(Upload):
    """An uploaded file of any other source a strategy reads (its `source` names the reader), kept for its preview."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="uploads")
    source = models.SlugField(max_length=50)


class ImportMapping(models.Model):
    """How a tracker's layout reads as a plan, saved for its strategy when an import with it is applied.

    The next upload with the same headers goes straight to the preview; the
    command line uses it by name (`import_plan --mapping NAME`).
    """

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="import_mappings")
    name = models.CharField(max_length=100)
    layout = models.JSONField(help_text="The folded headers of the sheet, in order.")
    mapping = models.JSONField()
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["strategy", "-saved_at"]
        constraints = [models.UniqueConstraint(fields=["strategy", "name"], name="importmapping_unique_name")]

    def __str__(self) -> str:
        return self.name


class PrivateStorage(FileSystemStorage):
    """Files kept under settings.PRIVATE_MEDIA_ROOT: no public URL, served only through views that check access.

    The location is read from settings on use, so a deployment (or a test) can move it.
    """

    def __init__(self, subfolder: str = "") -> None:
        super().__init__()
        self.subfolder = subfolder

    def deconstruct(self):
        return ("actions.models.PrivateStorage", (), {"subfolder": self.subfolder})

    @property
    def base_location(self) -> str:
        return str(Path(settings.PRIVATE_MEDIA_ROOT) / self.subfolder)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL: link to the view that checks access.")


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # The stored name is made by the server: the uploader's name is kept only as data.
    suffix = Path(filename).suffix.lower()
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A link or a file attached to an update, as proof of progress."""

    class Kind(models.TextChoices):
        LINK = "link", "Link"
        FILE = "file", "File"

    update = models.ForeignKey(ActionUpdate, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    url = models.URLField(max_length=2000, blank=True)
    file = models.FileField(storage=PrivateStorage("evidence"), upload_to=evidence_upload_to, max_length=200, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["update", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="") & Q(file="")) | (Q(kind="file") & Q(url="") & ~Q(file="")),
                name="evidence_link_or_file",
            ),
            # Only web links: a javascript: or data: URL must never reach a page.
            models.CheckConstraint(condition=Q(url="") | Q(url__regex=r"^https?://"), name="evidence_url_is_web"),
        ]
        triggers = [pgtrigger.Protect(name="evidence_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.original_name or self.url

    def download_name(self) -> str:
        """The name it was uploaded with, made safe for a Content-Disposition header and a file system.

        Only the last path part is kept; control, format (bidirectional) and separator characters
        go, and the extension is the stored file's (the one the upload was checked against).
        Django encodes what is left (RFC 6266 / 5987). Without a usable name, one made from the action.
        """
        suffix = Path(self.file.name).suffix
        name = Path(self.original_name.replace("\\", "/")).name
        name = "".join(ch for ch in name if (unicodedata.category(ch)[0] not in {"C", "Z"} or ch == " ") and ch not in '<>:"|?*')
        stem = " ".join(Path(name).stem.split()).strip(" .")[:150]
        if not stem:
            return f"{slugify(self.update.action.ref) or 'action'}-evidence-{self.pk}{suffix}"
        return f"{stem}{suffix}"


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> NotificationQuerySet:
        """Only what the person may still see: actions of their partnerships that they own, or any if they are its officer.

        Checked when shown and when sent, so a person who has left a post or a
        partnership is not told about its actions any more.
        """
        partnership = OuterRef("action__strategy__partnership")
        member = Membership.objects.filter(user=user, partnership=partnership)
        officer = member.filter(role=Membership.Role.OFFICER)
        owns = Action.owners.through.objects.filter(action=OuterRef("action"), post__holders=user)
        # The delivery group's lead (or its parent group's) is told when an overdue action is escalated to them.
        leads = DeliveryGroup.objects.filter(lead__holders=user).filter(
            Q(pk=OuterRef("action__group")) | Q(children=OuterRef("action__group"))
        )
        about_action = Q(action__isnull=False) & Exists(member) & (Exists(officer) | Exists(owns) | Exists(leads))
        # A notification about no action (a sign-off before a board) is the recipient's while they belong to its partnership.
        about_partnership = Q(action__isnull=True) & Exists(Membership.objects.filter(user=user, partnership=OuterRef("partnership")))
        return self.filter(recipient=user).filter(about_action | about_partnership)


class Notification(models.Model):
    """Something a person should know about an action, shown in the app and sent in their daily digest.

    The unique constraint makes each event reach each person at most once,
    however often the sweep runs or a task is retried.
    """

    class Kind(models.TextChoices):
        OVERDUE = "overdue", "Overdue"
        DUE_SOON = "due_soon", "Due soon"
        NEEDS_UPDATE = "needs_update", "Needs an update"
        REMINDER = "reminder", "Update before the board"
        SIGN_OFF = "sign_off", "Sign off before the board"
        CHASE = "chase", "Still overdue"
        ESCALATION = "escalation", "Overdue and escalated"
        KPI_ALERT = "kpi_alert", "KPI crossed its target"
        MILESTONE_OVERDUE = "milestone_overdue", "Milestone overdue"
        MILESTONE_DUE = "milestone_due", "Milestone due soon"

    # What asks for an update, and so is answered by the next update anyone records on the action.
    ANSWERED_BY_AN_UPDATE = (Kind.NEEDS_UPDATE, Kind.REMINDER)

    # No index of their own: the unique constraint leads with the recipient, and
    # the event index with the action (one index fewer to write per notification).
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False)
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications", db_index=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What makes the event distinct: the day an action became overdue, the due
    # date it is due soon for, the snapshot it needs an update since, the deadline.
    event_key = models.CharField(max_length=40)
    deadline = models.DateField(null=True, blank=True, help_text="For reminders: the date the update is needed by.")
    created_at = models.DateTimeField(default=timezone.now)
    digest = models.ForeignKey("EmailDigest", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")
    # For a notification about no action: whose it is, what it says and where it leads (a path in the service).
    partnership = models.ForeignKey(Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # db_default: the sweep's set-based INSERTs leave them out.
    message = models.CharField(max_length=500, blank=True, db_default="")
    link = models.CharField(max_length=300, blank=True, db_default="")
    # When the person marked it as read: read ones leave the page's default view, never the history.
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "action", "kind", "event_key"], name="notification_once_per_event", nulls_distinct=False
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_recent"),
            # The daily sweep asks whether an event is already known, whoever was told.
            models.Index(fields=["action", "kind", "event_key"], name="notification_event"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}"


class ChaseStep(models.Model):
    """One repeat reminder about an overdue action, on the partnership's schedule: part of the action's history.

    Numbered within the time the action has been overdue (from `overdue_since`):
    each goes to the owners; after the partnership's set number of reminders to
    the delivery group's lead as well, and later to the programme officers.
    """

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="chase_steps")
    overdue_since = models.DateField()
    number = models.PositiveSmallIntegerField()
    day = models.DateField()
    to_lead = models.BooleanField(default=False)
    to_officer = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "-number"]
        constraints = [models.UniqueConstraint(fields=["action", "overdue_since", "number"], name="chasestep_once")]
        triggers = [pgtrigger.Protect(name="chasestep_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"Reminder {self.number} about {self.action_id} on {self.day:%Y-%m-%d}"

    def sentence(self) -> str:
        """The step as the action's history reads it."""
        told = ["its owners"]
        if self.to_lead:
            told.append("the delivery group's lead")
        if self.to_officer:
            told.append("the programme officers")
        listed = ", ".join(told[:-1]) + f" and {told[-1]}" if len(told) > 1 else told[0]
        escalated = " (escalated)" if self.to_lead or self.to_officer else ""
        return f"Reminder {self.number}: overdue since {self.overdue_since:%-d %B %Y}, {listed} reminded{escalated}"


class EmailPreference(models.Model):
    """How often a person wants their digest. Without a row, daily.

    Repeat reminders and escalations of overdue actions go on the day whatever
    is chosen: they are the emails a person cannot turn down.
    """

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily: one email on any day there is something new"
        WEEKLY = "weekly", "Weekly: one email on Mondays with the week's news"
        ESCALATIONS = "escalations", "Only when an overdue action is chased again or escalated"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="email_preference")
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.DAILY)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_frequency_display()}"


class EmailDigest(models.Model):
    """The outbox: one email per person per day listing their new notifications.

    Sending is at most once: a digest is claimed (SENDING) before the email
    goes and marked SENT in its own transaction as soon as it has gone, so a
    task redelivered after a worker died never sends it again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_digests")
    day = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-day", "recipient_id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="emaildigest_one_per_person_per_day")]
        indexes = [models.Index(fields=["status"], name="emaildigest_status")]

    def __str__(self) -> str:
        return f"Digest for {self.recipient} on {self.day:%Y-%m-%d} ({self.get_status_display()})"


class SnapshotQuerySet(models.QuerySet):
    def latest_first(self) -> SnapshotQuerySet:
        """Newest first: the latest "as at" date, and of two on one date the one taken last."""
        return self.order_by("-as_at", "-taken_at", "-id")

    def latest_for(self, strategy: Strategy | int) -> Snapshot | None:
        """The strategy's latest snapshot (the newest frozen ratings; not "the last board", see last_board_for)."""
        return self.filter(strategy=strategy).latest_first().first()

    def last_board_first(self, today: dt.date | None = None, *leading: str) -> SnapshotQuerySet:
        """Ordered so that the first is "the last board": the newest snapshot a board met on, else the newest.

        A board met on a snapshot when a meeting (not cancelled) whose date has come
        is built from it. "Since the last board" means since this snapshot was taken,
        on every page, email, pack and sweep; before any board has met on a snapshot,
        the newest snapshot stands in. `leading` orders first (e.g. by strategy).
        """
        met = _boards_on().filter(date__lte=today or timezone.localdate())
        return self.alias(board_met=Exists(met)).order_by(*leading, F("board_met").desc(), "-as_at", "-taken_at", "-id")

    def with_first_board(self) -> SnapshotQuerySet:
        """Each with `first_board_on`: the date of the first meeting (not cancelled) built from it, or None (see last_board_among)."""
        return self.annotate(first_board_on=Subquery(_boards_on().order_by("date").values("date")[:1]))

    def last_board_for(self, strategy: Strategy | int, *, before: dt.date | None = None, today: dt.date | None = None) -> Snapshot | None:
        """The strategy's last board (see last_board_first), among the snapshots as at a date before `before` when given."""
        snapshots = self.filter(strategy=strategy)
        if before is not None:
            snapshots = snapshots.filter(as_at__lt=before)
        return snapshots.last_board_first(today).first()


def _boards_on() -> models.QuerySet:
    """The meetings (not cancelled) built from the outer query's snapshot; the model is governance's, found by the relation."""
    meeting = Snapshot._meta.get_field("meetings").related_model
    return meeting.objects.filter(snapshot=OuterRef("pk")).exclude(status="cancelled")


def last_board_among(snapshots: list[Snapshot], today: dt.date) -> Snapshot | None:
    """The Python twin of `last_board_first` over snapshots read `with_first_board()`, newest first."""
    met = (s for s in snapshots if s.first_board_on is not None and s.first_board_on <= today)
    return next(met, snapshots[0] if snapshots else None)


class Snapshot(models.Model):
    """A strategy's ratings frozen "as at" a date: board reports are built from these.

    The reporting cycle runs from one snapshot to the next: an action "needs an
    update" when nothing was recorded since its strategy's latest snapshot was taken.
    """

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="snapshots")
    as_at = models.DateField()
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["strategy", "-as_at"]
        get_latest_by = "as_at"
        constraints = [models.UniqueConstraint(fields=["strategy", "as_at"], name="snapshot_one_per_day")]
        triggers = [pgtrigger.Protect(name="snapshot_immutable", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.strategy} as at {self.as_at:%-d %B %Y}"

    def previous(self) -> Snapshot | None:
        """The last board before this snapshot: what its pack's movement and changes are measured from."""
        return Snapshot.objects.last_board_for(self.strategy_id, before=self.as_at, today=self.as_at)


class SnapshotAction(models.Model):
    """One action as it stood in a snapshot."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="items")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="snapshot_items")
    group = models.ForeignKey(DeliveryGroup, on_delete=models.PROTECT, related_name="+")
    ref = models.CharField(max_length=40)
    text = models.TextField()
    owners = models.TextField(blank=True, help_text="Owner titles at the time, separated by '; '.")
    due_date = models.DateField(null=True, blank=True)
    due_precision = models.CharField(max_length=10, choices=Action.DuePrecision.choices)
    rating = models.ForeignKey(RatingLevel, on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField(blank=True, help_text="The latest progress narrative at the time.")
    last_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["snapshot", "id"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "action"], name="snapshotaction_unique")]
        triggers = [pgtrigger.Protect(name="snapshotaction_immutable", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.ref} in {self.snapshot}"
