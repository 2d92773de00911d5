from __future__ import annotations

import datetime as dt

import pytest

from actions.models import Action


@pytest.fixture
def make_action(strategy, group, owner_post, level):
    """Another action of the strategy, owned by the owner's post unless told otherwise."""
    counter = iter(range(1000, 100000))

    def make(due: dt.date | None = dt.date(2025, 9, 30), rating: str = "amber", owners=None, **fields) -> Action:
        precision = fields.pop("due_precision", Action.DuePrecision.MONTH if due else Action.DuePrecision.NONE)
        action = Action.objects.create(
            strategy=strategy,
            group=group,
            ref=fields.pop("ref", f"A{next(counter)}"),
            text=fields.pop("text", "Deliver something"),
            due_date=due,
            due_precision=precision,
            rating=level(rating),
            **fields,
        )
        action.owners.add(*([owner_post] if owners is None else owners))
        return action

    return make
