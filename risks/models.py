"""A partnership's risk register: risks to the strategy's delivery, scored on a 5 × 5 scale, with every re-score kept."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Snapshot, Strategy
from people.models import Membership, Partnership, Post

SCALE = range(1, 6)
DEFAULT_LIKELIHOOD_LABELS = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
DEFAULT_IMPACT_LABELS = ["Negligible", "Minor", "Moderate", "Major", "Catastrophic"]
# The NHS 5 × 5 grading, which councils and ICBs share: (lowest score of the band, its name, its tag colour).
BANDS = [(15, "Extreme", "red"), (8, "High", "orange"), (4, "Moderate", "yellow"), (1, "Low", "green")]


def band(score: int) -> tuple[str, str]:
    """A score's band name and tag colour: the words are always shown beside the colour."""
    return next((name, colour) for floor, name, colour in BANDS if score >= floor)


def default_likelihood_labels() -> list[str]:
    return list(DEFAULT_LIKELIHOOD_LABELS)


def default_impact_labels() -> list[str]:
    return list(DEFAULT_IMPACT_LABELS)


def one_to_five(name: str) -> list:
    return [MinValueValidator(1, f"{name} must be from 1 to 5"), MaxValueValidator(5, f"{name} must be from 1 to 5")]


class RiskScale(models.Model):
    """The words a partnership gives the scale's five likelihoods and five impacts, and who may read restricted risks."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="risk_scale")
    likelihood_labels = ArrayField(models.CharField(max_length=40), size=5, default=default_likelihood_labels)
    impact_labels = ArrayField(models.CharField(max_length=40), size=5, default=default_impact_labels)
    # Officers and a restricted risk's owner always read it; these roles too, when the officer allows.
    restricted_roles = ArrayField(
        models.CharField(max_length=20, choices=Membership.Role.choices),
        default=list,
        blank=True,
        help_text="Roles that read restricted risks.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(likelihood_labels__len=5) & Q(impact_labels__len=5), name="riskscale_five_labels_each"),
        ]

    def __str__(self) -> str:
        return f"Risk scale of {self.partnership}"

    @classmethod
    def for_partnership(cls, partnership: Partnership | int) -> RiskScale:
        """The partnership's scale, or the default one (unsaved) until an officer relabels it."""
        partnership_id = partnership if isinstance(partnership, int) else partnership.pk
        return cls.objects.filter(partnership_id=partnership_id).first() or cls(partnership_id=partnership_id)

    def likelihood(self, value: int) -> str:
        return f"{value} {self.likelihood_labels[value - 1]}"

    def impact(self, value: int) -> str:
        return f"{value} {self.impact_labels[value - 1]}"


class Scored:
    """A score is likelihood times impact: inherent (before mitigation), residual (now) and target, as the model records them."""

    @property
    def inherent_score(self) -> int:
        return self.inherent_likelihood * self.inherent_impact

    @property
    def residual_score(self) -> int:
        return self.residual_likelihood * self.residual_impact

    @property
    def target_score(self) -> int:
        return self.target_likelihood * self.target_impact


# Every change to what a risk says is kept (append-only), beside the scores' own history in RiskScore.
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), append_only=True)
class Risk(Scored, models.Model):
    """One risk to the strategy's delivery: what causes it, what follows, who owns it and how it is scored and controlled.

    Scores change only through a re-score (services.risk_rescore), which keeps its reason in RiskScore.
    A risk that no longer applies is closed (services.risk_close) with who closed it and why: it stays on
    record, readable, and leaves the live register (risks.rules.open_risk) until it is reopened.
    """

    class Category(models.TextChoices):
        SUFFICIENCY = "sufficiency", "Sufficiency of places"
        STATUTORY = "statutory", "Statutory duties and timeliness"
        FINANCE = "finance", "Finance"
        WORKFORCE = "workforce", "Workforce"
        QUALITY = "quality", "Quality of provision"
        SAFEGUARDING = "safeguarding", "Safeguarding"
        PARTNERSHIP = "partnership", "Partnership and governance"
        DATA = "data", "Data and systems"
        REPUTATION = "reputation", "Reputation and confidence"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="risks")
    ref = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    cause = models.TextField()
    effect = models.TextField()
    owner = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="owned_risks")
    category = models.CharField(max_length=20, choices=Category.choices)
    inherent_likelihood = models.PositiveSmallIntegerField(validators=one_to_five("Likelihood before controls"))
    inherent_impact = models.PositiveSmallIntegerField(validators=one_to_five("Impact before controls"))
    residual_likelihood = models.PositiveSmallIntegerField(validators=one_to_five("Likelihood"))
    residual_impact = models.PositiveSmallIntegerField(validators=one_to_five("Impact"))
    target_likelihood = models.PositiveSmallIntegerField(validators=one_to_five("Target likelihood"))
    target_impact = models.PositiveSmallIntegerField(validators=one_to_five("Target impact"))
    controls = models.TextField(blank=True, help_text="What is already in place that reduces the risk.")
    mitigating_actions = models.ManyToManyField(Action, blank=True, related_name="risks")
    review_date = models.DateField()
    restricted = models.BooleanField(
        default=False, help_text="Commercial or personal: hidden from the public page, the feed, exports and roles not allowed."
    )
    is_illustrative = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_reason = models.TextField(blank=True, default="", db_default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["strategy", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "ref"], name="risk_unique_ref"),
            # A closed risk always says why; an open one carries no reason.
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, closed_reason="") | (Q(closed_at__isnull=False) & ~Q(closed_reason="")),
                name="risk_closed_with_reason",
            ),
            *(
                models.CheckConstraint(condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 5}), name=f"risk_{name}_on_scale")
                for name in (
                    "inherent_likelihood",
                    "inherent_impact",
                    "residual_likelihood",
                    "residual_impact",
                    "target_likelihood",
                    "target_impact",
                )
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("risks:risk_detail", args=[self.pk])

    @property
    def residual_band(self) -> tuple[str, str]:
        return band(self.residual_score)


class RiskScore(Scored, models.Model):
    """One scoring of a risk, with who scored it and why: the first scoring and every re-score. Append-only."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="scores")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    residual_likelihood = models.PositiveSmallIntegerField()
    residual_impact = models.PositiveSmallIntegerField()
    reason = models.TextField()

    class Meta:
        ordering = ["risk", "-at", "-id"]
        triggers = [pgtrigger.Protect(name="riskscore_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.risk.ref} scored {self.residual_score} at {self.at:%Y-%m-%d %H:%M}"


class SnapshotRisk(Scored, models.Model):
    """One risk as it stood in a snapshot: the register a board pack reports."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="risks")
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="snapshot_items")
    ref = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=300)
    category = models.CharField(max_length=20, choices=Risk.Category.choices)
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    residual_likelihood = models.PositiveSmallIntegerField()
    residual_impact = models.PositiveSmallIntegerField()
    target_likelihood = models.PositiveSmallIntegerField()
    target_impact = models.PositiveSmallIntegerField()
    review_date = models.DateField()
    restricted = models.BooleanField(default=False)

    class Meta:
        ordering = ["snapshot", "ref"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "risk"], name="snapshotrisk_unique")]
        triggers = [pgtrigger.Protect(name="snapshotrisk_immutable", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.ref} in {self.snapshot}"
