"""Who may see and do what, for every app. Every view goes through these helpers.

Anything outside the user's partnerships is reported as "not found", never
"forbidden", so that one partnership cannot learn what another holds. Inside
their own partnership, a person whose role does not allow a page or a write
gets 403 with a message saying who may.
"""

from __future__ import annotations

from operator import attrgetter

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, QuerySet
from django.http import Http404

from accounts.models import User
from people.models import Membership, Partnership
from send_tracker.security import NotInPartnership
from send_tracker.statements import kept_objects


def not_found(found: object | None, message: str) -> Http404:
    """The 404 to raise: one that the security log records when the object exists in another partnership."""
    return Http404(message) if found is None else NotInPartnership(message)


def memberships_of(user_id: int) -> QuerySet[Membership]:
    """A person's memberships with their partnerships and whether they hold a post, oldest first."""
    holds_post = Exists(User.posts.through.objects.filter(user_id=user_id))
    found = Membership.objects.filter(user_id=user_id).select_related("partnership").annotate(holds_post=holds_post)
    return found.order_by("pk")


def memberships_read(user: User) -> list[Membership]:
    """The person's memberships with their partnerships and whether they hold a post, oldest first.

    Read once a request (its SQL compiled once a process) and kept on the request's user, where the access
    checks and the menu both find them.
    """
    if not hasattr(user, "memberships_of_request"):
        memberships_known(user, kept_objects(memberships_of, user.pk))
    return user.memberships_of_request


def memberships_known(user: User, memberships: list[Membership]) -> None:
    """Hand the person their memberships as `memberships_of` reads them, read with the person: `memberships_read` reads nothing."""
    user.memberships_of_request = memberships


def membership_for(user: User, partnership_id: int) -> Membership | None:
    """The person's membership of the partnership, from their memberships read once a request; None outside it."""
    if not user.is_authenticated:
        return None
    for membership in memberships_read(user):
        if membership.partnership_id == partnership_id:
            return membership
    return None


def member_object(user: User, queryset: QuerySet, pk: int, partnership: str, message: str) -> tuple:
    """An object of one of the person's partnerships (`partnership`: the path to its partnership's id, such as
    "strategy.partnership_id"), with their membership there; 404 otherwise, logged when it is another partnership's.
    """
    # Unordered: one row by its key needs no ORDER BY, and compiling the model's ordering is most of the read's cost.
    found = queryset.filter(pk=pk).order_by()[:1]
    return member_found(user, found[0] if found else None, partnership, message)


def member_found(user: User, found: object | None, partnership: str, message: str) -> tuple:
    """`member_object` for an object already read (or None): the object with the person's membership of its partnership."""
    membership = membership_for(user, attrgetter(partnership)(found)) if found is not None else None
    if found is None or membership is None:
        raise not_found(found, message)
    return found, membership


def is_officer(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Membership.Role.OFFICER


def is_coproduction_partner(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Membership.Role.COPRODUCTION


def is_finance_lead(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Membership.Role.FINANCE_LEAD


def reads_only(membership: Membership) -> bool:
    """Board members, co-production partners and finance leads read the plan and change nothing of the officers' (ratings, KPIs)."""
    return membership.role in (Membership.Role.BOARD_MEMBER, Membership.Role.COPRODUCTION, Membership.Role.FINANCE_LEAD)


def officer_required(membership: Membership, what: str = "do this") -> None:
    """Refuse (403) anyone but the partnership's programme officers: the one check every officer-only view makes."""
    if not is_officer(membership):
        raise PermissionDenied(f"Only programme officers can {what}.")


def coproduction_partner_required(membership: Membership, what: str = "do this") -> None:
    """Refuse (403) anyone but the partnership's co-production partners: officers and leads never write the families' view."""
    if not is_coproduction_partner(membership):
        raise PermissionDenied(f"Only co-production partners (the Parent Carer Forum or young people's forum) can {what}.")


def officer_partnership(user: User, partnership_id: int, what: str = "manage the partnership's people") -> tuple[Partnership, Membership]:
    """The partnership a signed-in officer manages: 404 outside it, 403 for its other members."""
    partnership, membership = member_object(user, Partnership.objects, partnership_id, "pk", "No such partnership.")
    officer_required(membership, what)
    membership.partnership = partnership
    return partnership, membership


def officer_membership(user: User, membership_id: int) -> tuple[Membership, Membership]:
    """A member of a partnership the user is an officer of, and the officer's own membership."""
    member = Membership.objects.select_related("user__organisation", "partnership").filter(pk=membership_id).first()
    _partnership, mine = officer_partnership(user, member.partnership_id) if member else (None, None)
    if member is None:
        raise not_found(None, "No such person.")
    return member, mine


def officer_object(user: User, model, pk: int, what: str = "manage the partnership's people"):
    """An object with a `partnership` of which the user is an officer (a post, an invitation), or 404/403."""
    found = model.objects.select_related("partnership").filter(pk=pk).first()
    if found is None:
        raise not_found(None, f"No such {model._meta.verbose_name}.")
    officer_partnership(user, found.partnership_id, what)
    return found
