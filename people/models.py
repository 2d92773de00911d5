"""The people and tenancy every app stands on: partnerships, organisations, posts and memberships."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone


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

    # Chasing (actions.chasing): how often an overdue action's owners are reminded again, and after how
    # many reminders the delivery group's lead and then the programme officers are told as well.
    chase_every_days = models.PositiveSmallIntegerField(
        default=14, db_default=14, help_text="Remind the owners of an overdue action again every so many days (0: never again)."
    )
    escalate_to_lead_after = models.PositiveSmallIntegerField(
        default=2, db_default=2, help_text="After this many reminders, each further one goes to the delivery group's lead as well."
    )
    escalate_to_officer_after = models.PositiveSmallIntegerField(
        default=4, db_default=4, help_text="After this many reminders, each further one goes to the programme officers as well."
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
    # A placeholder the plan names until someone is appointed ("Lead to be allocated"):
    # actions it alone owns count as unallocated.
    to_be_allocated = models.BooleanField(default=False)

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
        # Council finance (the DSG management plan): enters the high-needs budget's actual
        # figures and reads the plan like a board member; changes no action or rating.
        FINANCE_LEAD = "finance_lead", "Finance lead"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "partnership"], name="membership_one_role_per_partnership")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.partnership}"


class Invitation(models.Model):
    """An officer's invitation to join the partnership with a role and posts, accepted once through an emailed link.

    Only a hash of the link's token is stored: a copy of the database cannot be
    used to accept an invitation.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=20, choices=Membership.Role.choices)
    posts = models.ManyToManyField(Post, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be accepted"
        ACCEPTED = "accepted", "Accepted"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # One open invitation per person and partnership: a second is a resend.
            models.UniqueConstraint(
                fields=["partnership", "email"],
                condition=Q(accepted_at__isnull=True, withdrawn_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.email} ({self.get_status_display()})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.withdrawn_at:
            return self.Status.WITHDRAWN
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    def is_open(self) -> bool:
        return self.status == self.Status.PENDING


class PersonChange(models.Model):
    """One change an officer made to a person, an invitation or a post: who, when, and what before and after.

    Append-only (a trigger refuses UPDATE and DELETE), shown on the person's page.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="person_changes")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="changes_to_me")
    # No database constraint: a merged post is deleted, and its records stay as written.
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="changes")
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="changes"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    what = models.CharField(max_length=100)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        triggers = [pgtrigger.Protect(name="personchange_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.what} at {self.at:%Y-%m-%d %H:%M}"
