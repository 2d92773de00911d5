"""Fixtures for the risk register: a scored risk owned by the owner's post and mitigated by the action."""

from __future__ import annotations

import datetime as dt

import pytest

from risks.models import Risk
from risks.services import risk_create


def make_risk(strategy, owner_post, *, ref="R1", residual=(4, 4), target=(2, 3), inherent=(5, 4), actions=(), **fields) -> Risk:
    risk = Risk(
        strategy=strategy,
        ref=ref,
        title=fields.pop("title", "Sufficiency of specialist places"),
        cause=fields.pop("cause", "Demand for specialist places grows faster than new places open."),
        effect=fields.pop("effect", "Children placed out of area at high cost."),
        owner=owner_post,
        category=fields.pop("category", Risk.Category.SUFFICIENCY),
        inherent_likelihood=inherent[0],
        inherent_impact=inherent[1],
        residual_likelihood=residual[0],
        residual_impact=residual[1],
        target_likelihood=target[0],
        target_impact=target[1],
        review_date=fields.pop("review_date", dt.date.today() + dt.timedelta(days=30)),
        **fields,
    )
    return risk_create(risk=risk, actions=list(actions), by=None)


@pytest.fixture
def risk(strategy, owner_post, action) -> Risk:
    return make_risk(strategy, owner_post, actions=[action])


@pytest.fixture
def restricted_risk(strategy, lead_post) -> Risk:
    return make_risk(strategy, lead_post, ref="R9", title="Provider contract dispute", restricted=True, residual=(3, 3))


@pytest.fixture
def closed_risk(strategy, owner_post, officer) -> Risk:
    from risks.services import risk_close

    closed = make_risk(strategy, owner_post, ref="R8", title="Home to school transport contract")
    return risk_close(risk=closed, version=None, reason="The contract was re-let: the cause has gone.", by=officer)
