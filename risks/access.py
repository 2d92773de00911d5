"""Who may see and change the risk register: 404 outside the partnership, and restricted risks only for those allowed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from accounts.models import User
from people.access import is_finance_lead, is_officer, member_object, not_found
from people.models import Membership
from risks.models import Risk, RiskScale


def sees_restricted(membership: Membership, scale: RiskScale) -> bool:
    """Officers always read restricted risks; other roles only where the officer allows them."""
    return is_officer(membership) or membership.role in scale.restricted_roles


def risks_visible(risks: QuerySet[Risk], user: User, membership: Membership, scale: RiskScale) -> QuerySet[Risk]:
    """The risks the person may read: every open one, and restricted ones if their role is allowed or they hold the owner post."""
    if sees_restricted(membership, scale):
        return risks
    return risks.filter(Q(restricted=False) | Q(owner__in=user.posts.all()))


def get_risk_for_user(user: User, risk_id: int) -> tuple[Risk, Membership]:
    """The risk and the user's role, or 404: outside the partnership, and for a restricted risk they may not read."""
    found = Risk.objects.select_related("strategy__partnership", "strategy__scheme", "owner")
    risk, membership = member_object(user, found, risk_id, "strategy.partnership_id", "No such risk.")
    if risk.restricted and not (
        sees_restricted(membership, RiskScale.for_partnership(risk.strategy.partnership_id)) or holds_post(user, risk.owner_id)
    ):
        raise not_found(None, "No such risk.")
    return risk, membership


def holds_post(user: User, post_id: int) -> bool:
    return any(post.pk == post_id for post in user.posts.all())


def can_change_risk(user: User, membership: Membership, risk: Risk) -> bool:
    """The risk's owner (a holder of its post), the programme officers, and for finance risks the finance leads."""
    if is_officer(membership):
        return True
    if risk.category == Risk.Category.FINANCE and is_finance_lead(membership):
        return True
    return holds_post(user, risk.owner_id)


def change_required(user: User, membership: Membership, risk: Risk) -> None:
    if not can_change_risk(user, membership, risk):
        raise PermissionDenied("Only the risk's owner, programme officers and, for finance risks, finance leads can change a risk.")
