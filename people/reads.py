"""Reads behind the people pages: views check access, call one of these, and render."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from people.models import Invitation, Membership, Partnership, Post


def members_of(partnership: Partnership, *, organisation: int | None = None, role: str = "") -> list[Membership]:
    """The partnership's people, active first, with whether each has set up two-factor and the posts they hold there."""
    members = (
        Membership.objects.filter(partnership=partnership)
        .select_related("user__organisation")
        .annotate(two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)))
        .prefetch_related(Prefetch("user__posts", queryset=Post.objects.filter(partnership=partnership).order_by("title")))
        .order_by("-user__is_active", "user__first_name", "user__last_name", "user__email")
    )
    if organisation:
        members = members.filter(user__organisation_id=organisation)
    if role:
        members = members.filter(role=role)
    return list(members)


def invitations_open(partnership: Partnership) -> list[Invitation]:
    """Invitations sent and neither accepted nor withdrawn."""
    return list(
        Invitation.objects.filter(partnership=partnership, accepted_at=None, withdrawn_at=None)
        .select_related("organisation", "invited_by")
        .prefetch_related("posts")
    )


def posts_of(partnership: Partnership) -> list[Post]:
    """The partnership's posts by title, with their organisation and holders."""
    return list(
        Post.objects.filter(partnership=partnership)
        .select_related("organisation")
        .prefetch_related(Prefetch("holders", queryset=User.objects.order_by("first_name", "last_name")))
        .order_by("title")
    )


def invitation_initial(partnership: Partnership, post_ids: list[str]) -> dict:
    """The invitation form's first values: a delivery lead, holding the posts asked for (`?post=`, the partnership's own),
    of their organisation when they share one. Anything else asked for is left out."""
    ids = [int(value) for value in post_ids if value.isdigit() and len(value) < 19]
    posts = list(Post.objects.filter(partnership=partnership, pk__in=ids)) if ids else []
    organisations = {post.organisation_id for post in posts}
    initial = {"role": Membership.Role.DELIVERY_LEAD, "posts": [post.pk for post in posts]}
    if len(organisations) == 1 and None not in organisations:
        initial["organisation"] = organisations.pop()
    return initial
