"""The feed's risk register and mitigations: the partnership's own, restricted risks never, money exact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance.services import actual_record
from risks.services import risk_close
from tests.feed.conftest import bearer
from tests.finance.conftest import finance_plan, mitigation  # noqa: F401  (fixtures)
from tests.risks.conftest import make_risk, restricted_risk, risk  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
# ruff: noqa: F811  (fixtures)


def read(client, token, name, **params):
    return client.get(f"/feed/odata/{name}", params, **bearer(token))


def test_a_token_reads_the_register_with_scores_and_flags_but_never_a_restricted_risk(client, token, risk, restricted_risk):
    body = read(client, token, "Risks").json()
    [row] = body["value"]
    assert row["Ref"] == "R1" and row["ResidualScore"] == 16 and row["TargetScore"] == 6 and row["MitigatingActions"] == "SP1"
    assert row["IsReviewOverdue"] is False
    scores = read(client, token, "RiskScores").json()["value"]
    assert [s["RiskRef"] for s in scores] == ["R1"]


def test_the_feed_gives_a_closed_risk_its_closing_time_and_no_flags(client, token, officer, strategy, owner_post):
    late = make_risk(strategy, owner_post, ref="R3", title="Late review", review_date=dt.date(2020, 1, 1))
    make_risk(strategy, owner_post, ref="R4", title="Still open")
    risk_close(risk=late, version=None, reason="The cause has gone.", by=officer)
    rows = {row["Ref"]: row for row in read(client, token, "Risks").json()["value"]}
    assert rows["R3"]["ClosedAt"] is not None and rows["R3"]["IsReviewOverdue"] is False
    assert rows["R4"]["ClosedAt"] is None
    live = read(client, token, "Risks", **{"$filter": "ClosedAt eq null"}).json()["value"]
    assert [row["Ref"] for row in live] == ["R4"]


def test_another_partnerships_token_reads_none_of_the_register(client, outsider_token, risk):
    assert read(client, outsider_token, "Risks").json()["value"] == []


def test_mitigations_read_planned_and_achieved_to_the_penny(client, token, mitigation, owner):
    actual_record(mitigation=mitigation, year=2025, as_at=dt.date(2025, 9, 30), achieved=Decimal("1234567.89"), by=owner)
    rows = read(client, token, "Mitigations", **{"$orderby": "Year"}).json()["value"]
    assert [(r["Year"], Decimal(str(r["Planned"])), r["Achieved"] and Decimal(str(r["Achieved"]))) for r in rows] == [
        (2024, Decimal("5000000"), None),
        (2025, Decimal("12500000.5"), Decimal("1234567.89")),
    ]


def test_a_mitigation_is_at_risk_in_the_feed_when_an_action_that_delivers_it_is(client, token, mitigation, action, level):
    action.rating = level("red")
    action.save()
    rows = read(client, token, "Mitigations").json()["value"]
    assert [r["IsAtRisk"] for r in rows] == [True, True]
