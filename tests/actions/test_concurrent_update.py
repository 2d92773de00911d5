"""Two people submit at the same moment on PostgreSQL: one update wins, the other is told, none is lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from actions.models import Action, ActionUpdate
from actions.services import ActionUpdateConflictError, action_update_record


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_at_the_same_version_give_one_update_and_one_conflict(action, owner, group_lead, level):
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, str] = {}

    def submit(user, rating, narrative):
        try:
            copy = Action.objects.get(pk=action.pk)  # each thread loaded the form at version 1
            barrier.wait()
            action_update_record(action=copy, user=user, rating=rating, narrative=narrative, expected_version=1)
            outcomes[narrative] = "saved"
        except ActionUpdateConflictError as conflict:
            outcomes[narrative] = f"conflict with {conflict.latest_update.narrative}"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=(owner, level("red"), "from the owner")),
        threading.Thread(target=submit, args=(group_lead, level("green"), "from the lead")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values(), key=lambda v: v.startswith("conflict")) in (
        ["saved", "conflict with from the owner"],
        ["saved", "conflict with from the lead"],
    )
    winner = next(narrative for narrative, outcome in outcomes.items() if outcome == "saved")
    updates = list(ActionUpdate.objects.filter(action=action))
    assert [u.narrative for u in updates] == [winner]
    action.refresh_from_db()
    assert action.version == 2
    assert action.rating == updates[0].rating_after
