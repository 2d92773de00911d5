"""Who may change the finance plan: the programme officers and the partnership's finance leads. Everyone in it reads."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import User
from actions.access import get_strategy_for_user
from finance.models import Mitigation
from people.access import is_finance_lead, is_officer, member_object
from people.models import Membership


def can_change_finance(membership: Membership) -> bool:
    return is_officer(membership) or is_finance_lead(membership)


def finance_required(membership: Membership, what: str) -> None:
    if not can_change_finance(membership):
        raise PermissionDenied(f"Only programme officers and finance leads can {what}.")


def get_mitigation_for_user(user: User, mitigation_id: int) -> tuple[Mitigation, Membership]:
    found = Mitigation.objects.select_related("plan__strategy__partnership")
    return member_object(user, found, mitigation_id, "plan.strategy.partnership_id", "No such mitigation.")


__all__ = ["can_change_finance", "finance_required", "get_mitigation_for_user", "get_strategy_for_user"]
