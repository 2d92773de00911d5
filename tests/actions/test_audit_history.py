"""An action's history is append-only, and a bulk update leaves one history row per action changed."""

from __future__ import annotations

import datetime as dt

import pghistory.models
import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from actions.models import Action, ActionUpdate
from tests.conftest import make_user

ActionEvent = apps.get_model("actions", "ActionEvent")  # pghistory's event model for Action


def _refused(run) -> None:
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        run()


@pytest.fixture
def history(action):
    action.text = "Strengthen oversight of the whole system"
    action.save()
    assert ActionEvent.objects.filter(pgh_obj=action).count() == 2  # insert + update
    return ActionEvent.objects.filter(pgh_obj=action)


def test_it_refuses_to_change_history_through_the_orm(history):
    _refused(lambda: history.update(text="rewritten"))
    event = history.first()
    event.text = "rewritten"
    _refused(event.save)
    assert not history.filter(text="rewritten").exists()


def test_it_refuses_to_delete_history_through_the_orm(history):
    _refused(history.delete)
    _refused(history.first().delete)
    assert history.count() == 2


def test_it_refuses_to_change_or_delete_history_in_raw_sql(history):
    def run(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    _refused(lambda: run("UPDATE actions_actionevent SET text = 'rewritten'"))
    _refused(lambda: run("DELETE FROM actions_actionevent"))
    assert history.count() == 2


def test_it_refuses_to_change_or_delete_updates_and_keeps_an_actions_history_after_it_is_deleted(action, level, officer):
    update = ActionUpdate.objects.create(action=action, author=officer, rating_after=level("red"), narrative="Slipping")
    _refused(lambda: ActionUpdate.objects.filter(pk=update.pk).update(narrative="Fine"))
    _refused(lambda: ActionUpdate.objects.filter(pk=update.pk).delete())
    other = Action.objects.create(
        strategy=action.strategy, group=action.group, ref="SP2", text="Second", rating=level("grey"), due_precision="none"
    )
    other_id = other.pk
    other.delete()
    assert list(ActionEvent.objects.filter(pgh_obj_id=other_id).values_list("pgh_label", flat=True).order_by("pgh_id")) == [
        "insert",
        "delete",
    ]


def test_a_bulk_update_leaves_one_history_row_per_action(strategy, group, level):
    actions = Action.objects.bulk_create(
        Action(strategy=strategy, group=group, ref=f"B{i}", text=f"Bulk {i}", rating=level("grey"), due_precision="none") for i in range(40)
    )
    # bulk_create skips save(); the database trigger still records each insert.
    assert ActionEvent.objects.filter(pgh_label="insert", ref__startswith="B").count() == 40
    with pghistory.context(reason="Dates agreed at the board"):
        changed = Action.objects.filter(ref__startswith="B").update(due_date=dt.date(2026, 3, 31), due_precision="month")
    assert changed == 40
    updates = ActionEvent.objects.filter(pgh_label="update", ref__startswith="B")
    assert updates.count() == 40
    assert set(updates.values_list("pgh_obj_id", flat=True)) == {a.pk for a in actions}
    assert {e.pgh_context.metadata["reason"] for e in updates.select_related("pgh_context")} == {"Dates agreed at the board"}


def test_the_admin_shows_history_read_only(client, history, partnership):
    admin = make_user("admin@example.org", partnership, "officer")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    events = pghistory.models.Events._meta
    changelist = client.get(reverse(f"admin:{events.app_label}_{events.model_name}_changelist"))
    assert changelist.status_code == 200
    assert "Strengthen oversight of the whole system" in changelist.content.decode()
    assert 'name="_save"' not in changelist.content.decode()
    admin_site = changelist.wsgi_request.resolver_match.func.model_admin.admin_site
    events_admin = admin_site._registry[pghistory.models.Events]
    request = changelist.wsgi_request
    assert not events_admin.has_add_permission(request)
    assert not events_admin.has_change_permission(request)
    assert not events_admin.has_delete_permission(request)
    # The update log is read-only too.
    update_admin = admin_site._registry[ActionUpdate]
    assert not update_admin.has_change_permission(request)
    assert not update_admin.has_delete_permission(request)
