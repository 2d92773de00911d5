"""Reads whose SQL is compiled once a process: the same rows as the queryset, read afresh every time."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from actions.access import action_with_plan
from actions.models import Action
from people.access import memberships_of
from send_tracker.statements import compiled, compiled_large, kept_objects, kept_objects_together, kept_rows, prefetched

pytestmark = pytest.mark.django_db


def test_a_kept_read_gives_what_the_queryset_gives_with_its_related_rows_and_annotations(action, owner):
    [kept] = kept_objects(action_with_plan, action.pk)
    [read] = action_with_plan(action.pk)
    assert {f.attname: getattr(kept, f.attname) for f in Action._meta.concrete_fields} == {
        f.attname: getattr(read, f.attname) for f in Action._meta.concrete_fields
    }
    with CaptureQueriesContext(connection) as queries:
        assert (kept.strategy, kept.rating, kept.group.priority, kept.group.parent) == (
            read.strategy,
            read.rating,
            read.group.priority,
            read.group.parent,
        )
        [membership] = kept_objects(memberships_of, owner.pk)
        assert membership.holds_post is True
    assert len(queries) == 1  # the memberships: the action's related rows came with it


def test_the_sql_is_compiled_once_and_the_rows_read_every_time(action):
    compiled.cache_clear()
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as compiling:
        first = kept_objects(action_with_plan, action.pk)
        Action.objects.filter(pk=action.pk).update(notes="Changed since.")
        with CaptureQueriesContext(connection) as queries:
            again = kept_objects(action_with_plan, action.pk)
    assert compiling.call_count == 1
    assert len(queries) == 1
    assert (first[0].notes, again[0].notes) == ("", "Changed since.")


def refs_and_notes(strategy_id: int):
    """A union of values_list reads, as the change log's page is."""
    actions = Action.objects.filter(strategy_id=strategy_id)
    parts = [actions.filter(retired_at__isnull=retired).values_list("ref", "notes") for retired in (True, False)]
    return parts[0].union(parts[1], all=True).order_by("ref")


def test_a_kept_union_of_values_gives_the_querysets_tuples_compiled_once_and_read_afresh(action):
    compiled_large.cache_clear()
    assert kept_rows(refs_and_notes, action.strategy_id) == list(refs_and_notes(action.strategy_id)) == [(action.ref, "")]
    Action.objects.filter(pk=action.pk).update(notes="Changed since.")
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as compiling:
        with CaptureQueriesContext(connection) as queries:
            again = kept_rows(refs_and_notes, action.strategy_id)
    assert compiling.call_count == 0 and len(queries) == 1
    assert again == [(action.ref, "Changed since.")]


def test_a_read_that_can_match_nothing_runs_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert kept_objects(nothing_matched) == []
        assert kept_objects(nothing_matched) == []
    assert len(queries) == 0


def nothing_matched():
    return Action.objects.filter(pk__in=[])


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_a_kept_read_on_its_own_connection(action):
    kept_objects(action_with_plan, action.pk)  # compiled here, on this thread's connection
    found, used = [], []

    def read():
        with CaptureQueriesContext(connection) as queries:
            found.extend(kept_objects(action_with_plan, action.pk))
        used.append((id(connection.connection), len(queries)))
        connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert [a.pk for a in found] == [action.pk]
    assert used[0][0] != id(connection.connection) and used[0][1] == 1


def test_rows_handed_to_an_instance_are_what_its_relation_gives_without_a_query(action, owner_post):
    owners = kept_objects(action_owners, action.pk)
    prefetched(action, "owners", owners)
    with CaptureQueriesContext(connection) as queries:
        assert list(action.owners.all()) == [owner_post]
    assert len(queries) == 0


def action_owners(action_id):
    return Action.owners.field.related_model.objects.filter(actions=action_id)


def refs_of(strategy_id: int):
    return Action.objects.filter(strategy_id=strategy_id).order_by("ref").values_list("ref", flat=True)


def test_reads_sent_together_give_what_each_gives_alone_in_one_round_trip(action, owner, owner_post):
    reads = [(action_with_plan, (action.pk,)), (nothing_matched, ()), (action_owners, (action.pk,)), (refs_of, (action.strategy_id,))]
    alone = [kept_objects(build, *args) for build, args in reads]
    with CaptureQueriesContext(connection) as queries:
        together = kept_objects_together(*reads)
    assert len(queries) == 1  # the empty read is not sent
    assert together == alone == [[action], [], [owner_post], [action.ref]]
    [read] = together[0]
    with CaptureQueriesContext(connection) as queries:
        assert (read.strategy, read.group.priority) == (action.strategy, action.group.priority)
    assert len(queries) == 0  # its related rows came with it, as they do alone


def test_reads_sent_together_are_read_afresh_each_time(action):
    reads = [(action_with_plan, (action.pk,)), (refs_of, (action.strategy_id,))]
    kept_objects_together(*reads)
    Action.objects.filter(pk=action.pk).update(notes="Changed since.", ref="9.9")
    [[read], refs] = kept_objects_together(*reads)
    assert (read.notes, refs) == ("Changed since.", ["9.9"])


def test_where_the_server_binds_statements_one_a_message_the_reads_go_one_by_one_with_the_same_rows(action, owner_post):
    reads = [(action_with_plan, (action.pk,)), (action_owners, (action.pk,))]
    with mock.patch.dict(connection.settings_dict["OPTIONS"], {"server_side_binding": True}):
        with CaptureQueriesContext(connection) as queries:
            together = kept_objects_together(*reads)
    assert together == [[action], [owner_post]] and len(queries) == 2
