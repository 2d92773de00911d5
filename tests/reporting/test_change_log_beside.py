"""The change log holds the risk register's scores and the high-needs budget's mitigations and actual figures, linked and filterable."""

# ruff: noqa: F811  (the fixtures imported below are the tests' arguments)

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from finance.services import actual_record
from risks.services import risk_close, risk_rescore
from tests.finance.conftest import finance_lead, finance_plan, mitigation  # noqa: F401  (fixtures)
from tests.reporting.test_change_log import entries, log_url
from tests.risks.conftest import risk  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def beside(risk, officer, mitigation, finance_lead):
    risk_rescore(risk=risk, version=None, scores={"residual_likelihood": 2}, reason="Two resourced provisions opened.", by=officer)
    actual_record(
        mitigation=mitigation, year=2024, as_at=dt.date(2025, 3, 31), achieved=Decimal("-1250000.5"), note="Outturn", by=finance_lead
    )


def test_an_officer_reads_re_scores_mitigations_and_actual_figures_with_links(client, officer, partnership, strategy, risk, beside):
    client.force_login(officer)
    response = client.get(log_url(partnership, "what=risk"))
    shown = entries(response)
    assert len(shown) == 2  # the first scoring and the re-score
    assert "Risks: scores, closing and reopening" in shown[0] and "16 (likelihood 4, impact 4) to 8 (likelihood 2, impact 4)" in shown[0]
    assert "Two resourced provisions opened." in shown[0]
    assert f'href="{reverse("risks:risk_detail", args=[risk.pk])}"' in response.content.decode()
    response = client.get(log_url(partnership, "what=finance"))
    shown = entries(response)
    assert len(shown) == 2
    assert "M1 achieved in 2024-25" in shown[0] and "(£1,250,000.50)" in shown[0] and "Outturn" in shown[0]
    assert "Mitigation M1: More resourced provision in mainstream" in shown[1] and "Added" in shown[1]
    assert f'href="{reverse("finance:plan", args=[strategy.pk])}"' in response.content.decode()


def test_the_new_entries_filter_by_who_and_export(client, officer, finance_lead, partnership, beside):
    client.force_login(officer)
    by_finance_lead = entries(client.get(log_url(partnership, f"who={finance_lead.pk}")))
    assert len(by_finance_lead) == 1 and "M1 achieved in 2024-25" in by_finance_lead[0]
    table = client.get(reverse("reporting:change_log_export", args=[partnership.pk, "csv"])).content.decode("utf-8-sig")
    assert "Risks: scores, closing and reopening" in table and "High-needs budget: mitigations and actual figures" in table


def test_a_board_member_reads_neither(client, board, partnership, beside):
    client.force_login(board)
    for query in ("", "what=risk", "what=finance"):
        shown = " ".join(entries(client.get(log_url(partnership, query))))
        assert "Risks: scores, closing and reopening" not in shown and "achieved in" not in shown and "Mitigation M1" not in shown


def test_a_risk_closed_and_reopened_is_in_the_log_with_who_why_and_a_link(client, officer, partnership, risk):
    """Closing a risk takes it off the live register: the log says who closed it, when and why, and who brought it back."""
    client.force_login(officer)
    detail = reverse("risks:risk_detail", args=[risk.pk])
    # Closed as at ten days ago, as an officer recording a decision the board took then.
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    closed = risk_close(risk=risk, version=None, reason="The contract was re-let: the cause has gone.", by=officer, at=ten_days_ago)
    # Reopened through its page, as an officer does: the history notes who.
    assert client.post(reverse("risks:risk_reopen", args=[risk.pk]), {"version": closed.version}).status_code == 302
    shown = entries(client.get(log_url(partnership, "what=risk")))
    assert len(shown) == 3  # the first scoring, the closing and the reopening
    [reopened] = [entry for entry in shown if "Reopened" in entry]
    [closing] = [entry for entry in shown if "Closed" in entry]
    assert f"{risk.ref}: {risk.title}" in reopened and str(officer) in reopened
    assert "The contract was re-let: the cause has gone." in closing and "Risks: scores, closing and reopening" in closing
    assert shown[-1] == closing  # listed when it was closed, the oldest of the three
    assert f'href="{detail}"' in client.get(log_url(partnership, "what=risk")).content.decode()
    # A later re-score of the reopened risk is not read as another closing.
    risk_rescore(risk=risk, version=None, scores={"residual_likelihood": 2}, reason="Lower now.", by=officer)
    assert len(entries(client.get(log_url(partnership, "what=risk")))) == 4
