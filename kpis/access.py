"""Who may see KPIs and enter their values: read by every member of the partnership, 404 outside it."""

from __future__ import annotations

from accounts.models import User
from kpis.models import Indicator, KpiValue
from people.access import is_officer, member_object, reads_only
from people.models import Membership


def get_indicator_for_user(user: User, indicator_id: int) -> tuple[Indicator, Membership]:
    found = Indicator.objects.select_related("strategy__partnership")
    return member_object(user, found, indicator_id, "strategy.partnership_id", "No such KPI.")


def get_kpi_value_for_user(user: User, value_id: int) -> tuple[KpiValue, Membership]:
    found = KpiValue.objects.select_related("indicator__strategy__partnership")
    return member_object(user, found, value_id, "indicator.strategy.partnership_id", "No such KPI value.")


def can_enter_values(user: User, membership: Membership, indicator: Indicator) -> bool:
    """Programme officers, and the holders of the KPI's owner posts. Board members only read."""
    if is_officer(membership):
        return True
    if reads_only(membership):
        return False
    held = {post.pk for post in user.posts.all()}
    return any(post.pk in held for post in indicator.owners.all())
