"""A change of rating has one service, whichever door it comes through: an immutable update, a new version, history."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib import admin

from actions.models import Action, ActionUpdate
from actions.services import ActionUpdateConflictError, action_update_record


def test_a_rating_changed_in_the_admin_is_an_update_with_a_new_version(rf, action, level, administrator):
    request = rf.post("/")
    request.user = administrator
    version = action.version
    action.rating = level("red")  # as the admin's form leaves the instance
    admin.site._registry[Action].save_model(request, action, SimpleNamespace(changed_data=["rating"]), change=True)
    stored = Action.objects.get(pk=action.pk)
    assert stored.rating == level("red") and stored.version == version + 1
    update = ActionUpdate.objects.get(action=action)
    assert (update.source, update.rating_before, update.rating_after, update.author) == (
        "admin",
        level("amber"),
        level("red"),
        administrator,
    )


def test_an_admin_edit_that_keeps_the_rating_still_moves_the_version_and_records_no_rating_change(rf, action, administrator):
    request = rf.post("/")
    request.user = administrator
    action.text = "Strengthen oversight of EHC plans"
    admin.site._registry[Action].save_model(request, action, SimpleNamespace(changed_data=["text"]), change=True)
    stored = Action.objects.get(pk=action.pk)
    assert stored.text == "Strengthen oversight of EHC plans" and stored.version == 2
    assert not ActionUpdate.objects.filter(action=action).exists()


def test_a_browser_form_loaded_before_an_admin_change_is_a_conflict_not_an_overwrite(rf, action, level, administrator, owner):
    loaded = action.version
    request = rf.post("/")
    request.user = administrator
    action.rating = level("red")
    admin.site._registry[Action].save_model(request, action, SimpleNamespace(changed_data=["rating"]), change=True)
    with pytest.raises(ActionUpdateConflictError):
        action_update_record(action=action, user=owner, rating=level("green"), narrative="Done", expected_version=loaded)
    assert Action.objects.get(pk=action.pk).rating == level("red")
