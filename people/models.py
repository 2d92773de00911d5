"""The people and tenancy every app stands on: partnerships, organisations, posts and memberships."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class Partnership(models.Model):
    """The tenant: a local area's SEND partnership. Everything belongs to one."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    la_code = models.CharField(
        "local authority code",
        max_length=9,
        blank=True,
        help_text="The council's nine-character code in national statistics (new_la_code), such as E06000049.",
    )
    statistical_neighbours = ArrayField(
        models.CharField(max_length=9),
        default=list,
        blank=True,
        help_text="The local authority codes of the council's statistical neighbours, whose average is a benchmark.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        ICB = "icb", "Integrated care board"
        NHS_TRUST = "nhs_trust", "NHS trust or health provider"
        SCHOOL = "school", "School, setting or college"
        PCF = "pcf", "Parent Carer Forum"
        VOLUNTARY = "voluntary", "Voluntary sector"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="organisation_unique_name")]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """A job title that owns or leads actions, as the plan writes it ("Head of Service: Inclusion").

    Plans allocate actions to posts, not people; people hold posts, so a
    change of post-holder moves "my actions" without touching the plan.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(max_length=300)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["partnership", "title"], name="post_unique_title")]

    def __str__(self) -> str:
        return self.title


class Membership(models.Model):
    """A person's role in a partnership: what they may see and do there."""

    class Role(models.TextChoices):
        DELIVERY_LEAD = "delivery_lead", "Delivery lead"
        BOARD_MEMBER = "board_member", "Board member"
        OFFICER = "officer", "Programme officer"
        # Parent Carer Forum and young people's forum members: they read like a
        # board member and record the families' view, and never change a rating.
        COPRODUCTION = "coproduction", "Co-production partner"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "partnership"], name="membership_one_role_per_partnership")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.partnership}"
