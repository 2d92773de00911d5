"""Boards, meetings, sign-off, inspections and their findings."""

from __future__ import annotations

import datetime as dt

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from actions.models import Snapshot, Strategy
from governance import framework
from people.models import Organisation, Partnership


class Board(models.Model):
    """A governance group that oversees the strategy (e.g. the SEND and AP Partnership Board)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="boards")
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    chair_role = models.CharField(max_length=200, blank=True)
    cadence = models.CharField(max_length=200, blank=True, help_text="How often it meets, e.g. every two months.")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="boards")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["partnership", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="board_unique_name")]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="meetings")
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    # Wall-clock times in Europe/London (TIME_ZONE) on the meeting's date, as the invitation says them.
    start_time = models.TimeField(default=dt.time(10, 0), db_default=dt.time(10, 0), help_text="Local time (UK).")
    end_time = models.TimeField(default=dt.time(12, 0), db_default=dt.time(12, 0), help_text="Local time (UK).")
    papers_deadline = models.DateField(null=True, blank=True, help_text="When updates and papers are due.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    snapshot = models.ForeignKey(
        Snapshot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text="The snapshot its board pack is built from.",
    )

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["board", "date"], name="meeting_one_per_day"),
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="meeting_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.board} – {self.date:%-d %B %Y}"

    def times_label(self) -> str:
        """ "10:00 to 12:00", UK time."""
        return f"{self.start_time:%H:%M} to {self.end_time:%H:%M}"

    def status_label(self, today: dt.date) -> str:
        """What the calendar says of it: cancelled; held once its day has passed (as "the last board" counts a meeting
        whose date has come); today; or scheduled."""
        if self.status == self.Status.CANCELLED:
            return "Cancelled"
        if self.status == self.Status.HELD or self.date < today:
            return "Held"
        return "Today" if self.date == today else "Scheduled"

    @classmethod
    def on_record(cls) -> Q:
        """Meetings that took place, whose record stands: a decision or an action arising is recorded for them."""
        return Q(Exists(Decision.objects.filter(meeting=OuterRef("pk")))) | Q(Exists(ActionArising.objects.filter(meeting=OuterRef("pk"))))


class CalendarFeed(models.Model):
    """A person's private calendar address: their partnerships' meetings, papers deadlines and sign-off dates.

    Only a hash of the address's token is kept, as for invitations: the address is
    shown once, when it is made, and making a new one (or stopping it) ends the old.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar of {self.user}"


class MeetingRecord(models.Model):
    """Something an officer recorded for a board meeting (its `meeting`), during or after it: by whom and when, in that order."""

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["meeting", "recorded_at", "id"]


class Decision(MeetingRecord):
    """What a board meeting decided, recorded by an officer during or after it. Never changed: a correction is a new one."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField()

    class Meta(MeetingRecord.Meta):
        triggers = [pgtrigger.Protect(name="decision_append_only", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.text[:60]}"


class ActionArising(MeetingRecord):
    """An action a board meeting gave someone: an action in the plan (so it has updates, chasing and history), tied to the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions_arising")
    action = models.OneToOneField("actions.Action", on_delete=models.PROTECT, related_name="arising_from")

    def __str__(self) -> str:
        return f"{self.meeting}: {self.action_id}"


class Signatory(models.Model):
    """The person an organisation nominates to sign off its updates before each board."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="signatory")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signatory_for")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    nominated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} signs for {self.organisation}"


class SignOff(models.Model):
    """An organisation's confirmation that its updates are complete and accurate for a meeting.

    One per meeting and organisation that owns actions. An update to one of
    the organisation's actions after it signed reopens it (and says why).
    Every change is also kept as a SignOffEvent.
    """

    class Status(models.TextChoices):
        OUTSTANDING = "outstanding", "Not signed off"
        CONFIRMED = "confirmed", "Signed off"
        DECLINED = "declined", "Declined"
        REOPENED = "reopened", "Reopened"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sign_offs")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sign_offs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OUTSTANDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was declined, or why it was reopened.")

    class Meta:
        ordering = ["meeting", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "organisation"], name="signoff_one_per_organisation")]

    def __str__(self) -> str:
        return f"{self.organisation} for {self.meeting}: {self.get_status_display()}"

    def is_signed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    def tag_colour(self) -> str:
        """The GOV.UK tag colour its status is shown in, beside the status's words: signed off green, declined red,
        reopened orange, not signed off grey."""
        return {self.Status.CONFIRMED: "green", self.Status.DECLINED: "red", self.Status.REOPENED: "orange"}.get(self.status, "grey")

    def deadline_words(self) -> str:
        """What the signatory is asked to do by the papers deadline, said after the status's words: a declined sign-off
        can still be given, a reopened one given again."""
        return {self.Status.DECLINED: "you can still sign off by", self.Status.REOPENED: "sign off again by"}.get(self.status, "due by")


class SignOffEvent(models.Model):
    """An immutable record of a sign-off's change: confirmed, declined or reopened, by whom, when and why."""

    sign_off = models.ForeignKey(SignOff, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=SignOff.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        triggers = [pgtrigger.Protect(name="signoffevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.sign_off}: {self.get_status_display()} at {self.at:%Y-%m-%d %H:%M}"

    def change_words(self) -> str:
        """The change in words ("Northshire Council signed off at 14:20 on 8 December 2026"), as a page says it."""
        organisation = self.sign_off.organisation
        done = {
            SignOff.Status.CONFIRMED: f"{organisation} signed off",
            SignOff.Status.DECLINED: f"{organisation} declined to sign off",
            SignOff.Status.REOPENED: f"{organisation}'s sign-off was reopened",
        }.get(self.status, f"{organisation}'s sign-off changed")
        return f"{done} at {timezone.localtime(self.at):%H:%M on %-d %B %Y}"


class Inspection(models.Model):
    """An area SEND inspection (Ofsted and CQC) or monitoring inspection, and the plan that answers its findings."""

    class Kind(models.TextChoices):
        FULL = "full", "Full inspection"
        MONITORING = "monitoring", "Monitoring inspection"
        OTHER = "other", "Other"

    class Inspectorate(models.TextChoices):
        OFSTED = "ofsted", "Ofsted"
        CQC = "cqc", "CQC"

    class Outcome(models.TextChoices):
        # The framework's three outcomes, in its own words (governance.framework names the edition).
        POSITIVE = "positive", framework.OUTCOMES["positive"]
        INCONSISTENT = "inconsistent", framework.OUTCOMES["inconsistent"]
        SYSTEMIC = "systemic", framework.OUTCOMES["systemic"]
        NONE = "none", "No overall outcome (a monitoring inspection reports its findings in a letter)"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="inspections")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.FULL)
    started_on = models.DateField(help_text="The first day inspectors were on site.")
    ended_on = models.DateField(help_text="The last day of the inspection.")
    published_on = models.DateField(null=True, blank=True, help_text="When the report was published.")
    plan_submitted_on = models.DateField(
        null=True, blank=True, help_text="When the priority action plan answering its areas for priority action was submitted."
    )
    inspectorates = ArrayField(models.CharField(max_length=10, choices=Inspectorate.choices), default=list)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, default=Outcome.NONE)
    report_url = models.URLField(max_length=2000, blank=True)
    notes = models.TextField(blank=True)
    is_illustrative = models.BooleanField(default=False, help_text="Made up for the demo: not a real inspection.")
    version = models.PositiveIntegerField(default=1, help_text="Goes up on every save: a form loaded at another version is refused.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-ended_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__gte=F("started_on")), name="inspection_ends_after_start"),
            models.CheckConstraint(condition=Q(report_url="") | Q(report_url__regex=r"^https?://"), name="inspection_url_is_web"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.ended_on:%B %Y}"

    def outcome_sentence(self) -> str:
        """The outcome's first sentence, in the framework's words: what a line about the inspection quotes, whole."""
        return self.get_outcome_display().split(". ")[0].rstrip(".") + "."

    def inspectorates_label(self) -> str:
        labels = dict(self.Inspectorate.choices)
        return " and ".join(labels.get(code, code) for code in self.inspectorates)


def finding_order() -> list:
    """Areas for priority action before areas for improvement, each by number, as reports list them."""
    first = models.Case(models.When(kind="priority", then=models.Value(0)), default=models.Value(1))
    return [first.asc(), "number", "id"]


class Finding(models.Model):
    """An area for priority action or for improvement, as the inspection report wrote it, and what answers it."""

    class Kind(models.TextChoices):
        PRIORITY = "priority", "Area for priority action"
        IMPROVEMENT = "improvement", "Area for improvement"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(help_text="Its place in the report's list of areas of its kind.")
    text = models.TextField(help_text="As the report wrote it.")
    actions = models.ManyToManyField("actions.Action", blank=True, related_name="findings")
    indicators = models.ManyToManyField("kpis.Indicator", blank=True, related_name="findings")
    version = models.PositiveIntegerField(default=1, help_text="Goes up on every save: a form loaded at another version is refused.")

    class Meta:
        ordering = ["inspection", *finding_order()]
        constraints = [models.UniqueConstraint(fields=["inspection", "kind", "number"], name="finding_unique_number")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def label(self) -> str:
        short = "Priority action" if self.kind == self.Kind.PRIORITY else "Improvement"
        return f"{short} {self.number}"


class StrandLink(models.Model):
    """An action, KPI or deliverable tagged to an evaluation strand it serves (codes from governance.framework)."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="strand_links")
    strand = models.CharField(max_length=8, choices=framework.STRAND_CHOICES)
    action = models.ForeignKey("actions.Action", null=True, blank=True, on_delete=models.CASCADE, related_name="strand_links")
    indicator = models.ForeignKey("kpis.Indicator", null=True, blank=True, on_delete=models.CASCADE, related_name="strand_links")
    deliverable = models.ForeignKey(
        "coproduction.Deliverable", null=True, blank=True, on_delete=models.CASCADE, related_name="strand_links"
    )

    class Meta:
        ordering = ["strategy", "strand", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(action__isnull=False, indicator__isnull=True, deliverable__isnull=True)
                    | Q(action__isnull=True, indicator__isnull=False, deliverable__isnull=True)
                    | Q(action__isnull=True, indicator__isnull=True, deliverable__isnull=False)
                ),
                name="strandlink_tags_one_thing",
            ),
            models.UniqueConstraint(fields=["strand", "action"], name="strandlink_unique_action"),
            models.UniqueConstraint(fields=["strand", "indicator"], name="strandlink_unique_indicator"),
            models.UniqueConstraint(fields=["strand", "deliverable"], name="strandlink_unique_deliverable"),
        ]

    def __str__(self) -> str:
        return f"{self.strand}: {self.action_id or self.indicator_id or self.deliverable_id}"


class SelfEvaluation(models.Model):
    """A strategy's self-evaluation: the partnership's own judgement strand by strand, kept as numbered versions."""

    strategy = models.OneToOneField(Strategy, on_delete=models.CASCADE, related_name="self_evaluation")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Self-evaluation of {self.strategy}"


class SelfEvaluationVersion(models.Model):
    """One saved state of a self-evaluation. Never changed: every edit, draft or upload is a new version."""

    class Source(models.TextChoices):
        DRAFTED = "drafted", "Drafted from the tracker"
        EDITED = "edited", "Edited in the product"
        UPLOADED = "uploaded", "Uploaded from Word"

    self_evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices)
    snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="The figures of its drafts are as at this."
    )
    edition = models.CharField(max_length=200, help_text="The framework edition its strands follow.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["self_evaluation", "-number"]
        constraints = [models.UniqueConstraint(fields=["self_evaluation", "number"], name="selfevaluationversion_unique_number")]
        triggers = [pgtrigger.Protect(name="selfevaluationversion_immutable", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"Version {self.number}"

    @property
    def source_in_sentence(self) -> str:
        """How it was made, inside a sentence: "uploaded from Word" (Word keeps its capital)."""
        said = self.get_source_display()
        return said[:1].lower() + said[1:]


class SelfEvaluationSection(models.Model):
    """One strand of a version: the draft the tracker wrote from its figures, and the officers' own words."""

    version = models.ForeignKey(SelfEvaluationVersion, on_delete=models.CASCADE, related_name="sections")
    strand = models.CharField(max_length=8)
    draft = models.TextField(blank=True, help_text="Written from the tracker's figures as at the version's snapshot.")
    strengths = models.TextField(blank=True)
    improve = models.TextField(blank=True, help_text="What we know we must improve.")
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "strand"]
        constraints = [models.UniqueConstraint(fields=["version", "strand"], name="selfevaluationsection_one_per_strand")]
        triggers = [pgtrigger.Protect(name="selfevaluationsection_immutable", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.version}: {self.strand}"
