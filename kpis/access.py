"""Who may see KPIs and enter their values: read by every member of the partnership, 404 outside it."""

from __future__ import annotations

from accounts.models import User
from kpis.models import Indicator, KpiValue
from people.access import is_officer, membership_for, not_found, reads_only
from people.models import Membership


def get_indicator_for_user(user: User, indicator_id: int) -> tuple[Indicator, Membership]:
    indicator = Indicator.objects.select_related("strategy__partnership").filter(pk=indicator_id).first()
    membership = membership_for(user, indicator.strategy.partnership_id) if indicator else None
    if indicator is None or membership is None:
        raise not_found(indicator, "No such KPI.")
    return indicator, membership


def get_kpi_value_for_user(user: User, value_id: int) -> tuple[KpiValue, Membership]:
    value = KpiValue.objects.select_related("indicator__strategy__partnership").filter(pk=value_id).first()
    membership = membership_for(user, value.indicator.strategy.partnership_id) if value else None
    if value is None or membership is None:
        raise not_found(value, "No such KPI value.")
    return value, membership


def can_enter_values(user: User, membership: Membership, indicator: Indicator) -> bool:
    """Programme officers, and the holders of the KPI's owner posts. Board members only read."""
    if is_officer(membership):
        return True
    if reads_only(membership):
        return False
    held = {post.pk for post in user.posts.all()}
    return any(post.pk in held for post in indicator.owners.all())
