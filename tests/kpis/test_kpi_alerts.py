"""KPI alerts: a new value that crosses the KPI's target or tolerance tells its owners and the officers, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core import mail
from django.urls import reverse

from actions.chasing import actions_sweep, digest_send, digests_to_send
from actions.models import Notification
from kpis.services import kpi_value_correct, kpi_value_enter
from tests.kpis.conftest import add_value


def alerts() -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=Notification.Kind.KPI_ALERT).values_list("recipient__email", "message"))


def test_a_value_that_falls_below_tolerance_alerts_the_owner_and_the_officer(indicator, owner, officer, board, other_lead):
    add_value(indicator, "2025-08", "88")  # on target (>= 85)
    kpi_value_enter(indicator=indicator, period="2025-09", value=Decimal("78"), entered_by=owner)  # short by 7: off target
    message = (
        "EHC-20WK EHC needs assessments completed within 20 weeks: 78% for September 2025 is now off target (was on target; target ≥ 85%)"
    )
    assert alerts() == [(officer.email, message), (owner.email, message)]


def test_a_value_that_stays_on_the_same_side_alerts_nobody(indicator, owner, officer):
    add_value(indicator, "2025-08", "88")
    kpi_value_enter(indicator=indicator, period="2025-09", value=Decimal("91"), entered_by=owner)
    kpi_value_enter(indicator=indicator, period="2025-07", value=Decimal("60"), entered_by=owner)  # an older period: not news
    assert alerts() == []


def test_crossing_back_into_tolerance_and_a_correction_each_alert_once(indicator, owner, officer):
    add_value(indicator, "2025-08", "70")
    value = kpi_value_enter(indicator=indicator, period="2025-09", value=Decimal("82"), entered_by=owner)  # within 5 of 85
    assert [m for _e, m in alerts()][0].endswith("is now within tolerance (was off target; target ≥ 85%)")
    kpi_value_correct(original=value, value=Decimal("86"), reason="Late returns counted", entered_by=owner)
    assert len(alerts()) == 4  # two values, two people each
    link = reverse("kpis:indicator_detail", args=[indicator.pk])
    assert Notification.objects.filter(kind=Notification.Kind.KPI_ALERT, link=link).count() == 4


def test_the_alert_reaches_the_owner_in_their_digest_but_is_not_counted_as_an_action(indicator, owner):
    add_value(indicator, "2025-08", "88")
    kpi_value_enter(indicator=indicator, period="2025-09", value=Decimal("70"), entered_by=owner)
    actions_sweep(today=dt.date(2025, 5, 1))  # nothing overdue yet: the alert alone
    for digest_id in digests_to_send():
        digest_send(digest_id=digest_id)
    [email] = [m for m in mail.outbox if m.to == [owner.email]]
    assert email.subject.endswith("1 KPI crossed its target") and "action" not in email.subject
    assert "KPIS THAT CROSSED THEIR TARGET OR TOLERANCE" in email.body and "70% for September 2025 is now off target" in email.body
