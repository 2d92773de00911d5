"""Co-production: the families' view of each delivery group, the deliverables families will see, and the public page."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from actions.models import Action, DeliveryGroup, Snapshot, Strategy


class FamiliesLevel(models.TextChoices):
    """The families' view's own small scheme, best first. It is not a rating level and never mixes with one."""

    IMPROVEMENT = "improvement", "Families see improvement"
    SOME = "some", "Some improvement"
    NO_CHANGE = "no_change", "No change yet"
    WORSE = "worse", "Getting worse"


# The levels that contradict officers who rate a group on track.
FAMILIES_CONCERNED = {FamiliesLevel.NO_CHANGE, FamiliesLevel.WORSE}
# For the tag's colour class; the label is always shown beside it.
FAMILIES_COLOUR = {
    FamiliesLevel.IMPROVEMENT: "green",
    FamiliesLevel.SOME: "amber",
    FamiliesLevel.NO_CHANGE: "grey",
    FamiliesLevel.WORSE: "red",
}


class FamiliesLevelled(models.Model):
    """A families' view's level, read by its label and its tag colour: the view as recorded and as a snapshot froze it."""

    level = models.CharField(max_length=20, choices=FamiliesLevel.choices)

    class Meta:
        abstract = True

    @property
    def colour(self) -> str:
        return FAMILIES_COLOUR[FamiliesLevel(self.level)]


class FamiliesViewQuerySet(models.QuerySet):
    def current(self) -> FamiliesViewQuerySet:
        """Each delivery group's latest families' view: the one the dashboard, the group page and snapshots show."""
        return self.order_by("group_id", "-recorded_at", "-id").distinct("group_id")


class FamiliesView(FamiliesLevelled):
    """What families say about a delivery group in a reporting cycle, recorded by a co-production partner.

    Immutable: a new view is a new row, so the rows of a group are its
    history. The cycle is the snapshot the reporting cycle started from
    (none before the strategy's first snapshot).
    """

    group = models.ForeignKey(DeliveryGroup, on_delete=models.PROTECT, related_name="families_views")
    cycle = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField(help_text="What families are saying.")
    source = models.TextField(help_text="Survey question and result, listening event, casework themes.")
    publishable = models.BooleanField(default=False, help_text="The forum agrees to show this view on the public page.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = FamiliesViewQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["group", "-recorded_at"], name="familiesview_latest")]
        triggers = [pgtrigger.Protect(name="familiesview_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.group}: {self.get_level_display()}"

    def recorded_in(self, cycle: Snapshot | None) -> bool:
        """Whether the view was recorded in the reporting cycle that started from `cycle` (the last board's snapshot;
        None before the strategy's first)."""
        return self.cycle_id == (cycle.pk if cycle else None)


class SnapshotFamiliesView(FamiliesLevelled):
    """A group's families' view as it stood when a snapshot was taken: board packs read these."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="families_views")
    view = models.ForeignKey(FamiliesView, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(DeliveryGroup, on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField()
    source = models.TextField()
    publishable = models.BooleanField(default=False)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["snapshot", "group_id"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "group"], name="snapshotfamiliesview_unique")]
        triggers = [pgtrigger.Protect(name="snapshotfamiliesview_immutable", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.group} in {self.snapshot}"

    def get_level_display(self) -> str:
        return FamiliesLevel(self.level).label


class Deliverable(models.Model):
    """A dated "what you will see" statement of a delivery group, delivered by the actions linked to it."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="deliverables")
    group = models.ForeignKey(DeliveryGroup, on_delete=models.PROTECT, related_name="deliverables")
    statement = models.TextField()
    due_date = models.DateField(help_text="The last day of the month it is promised by.")
    due_text = models.CharField(max_length=100, blank=True, help_text="As the plan wrote it.")
    actions = models.ManyToManyField(Action, blank=True, related_name="deliverables")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["strategy", "due_date", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["strategy", "statement", "due_date"], name="deliverable_unique")]

    def __str__(self) -> str:
        return self.statement[:80]


class PublicPage(models.Model):
    """A strategy's public progress page: what the partnership chose to show, at a stable address."""

    strategy = models.OneToOneField(Strategy, on_delete=models.CASCADE, related_name="public_page")
    slug = models.SlugField(max_length=100, unique=True, help_text="Its address: /progress/<slug>/.")
    introduction = models.TextField(blank=True)
    show_ratings = models.BooleanField(default=False, help_text="Show the officers' rating mix of each delivery group.")
    show_families_view = models.BooleanField(default=True, help_text="Show the families' views the forum agreed to publish.")

    def __str__(self) -> str:
        return f"Public page of {self.strategy}"

    def latest_publication(self) -> Publication | None:
        return self.publications.order_by("-published_at", "-id").first()


class YouSaidWeDid(models.Model):
    """A group's "You said, we did" summary: what families said, and what the partnership did about it."""

    you_said = models.TextField(blank=True)
    we_did = models.TextField(blank=True)

    class Meta:
        abstract = True

    def is_empty(self) -> bool:
        return not (self.you_said.strip() or self.we_did.strip())


class SummaryDraft(YouSaidWeDid):
    """The officers' working copy of a group's "You said, we did" summary: never shown to the public."""

    group = models.OneToOneField(DeliveryGroup, on_delete=models.CASCADE, related_name="summary_draft")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Draft summary of {self.group}"


class Publication(models.Model):
    """One act of publishing: what became public, by whom, when. Immutable, so the history says what was public when."""

    page = models.ForeignKey(PublicPage, on_delete=models.CASCADE, related_name="publications")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        triggers = [pgtrigger.Protect(name="publication_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"Published {self.published_at:%-d %B %Y %H:%M}"


class PublishedSummary(YouSaidWeDid):
    """A group's summary as it was published; the latest per group is what the public page shows."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="summaries")
    group = models.ForeignKey(DeliveryGroup, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["publication", "group_id"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "group"], name="publishedsummary_unique"),
            models.CheckConstraint(condition=~Q(you_said="", we_did=""), name="publishedsummary_not_empty"),
        ]
        triggers = [pgtrigger.Protect(name="publishedsummary_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"Summary of {self.group} ({self.publication})"
