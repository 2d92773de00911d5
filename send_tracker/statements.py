"""Reads whose SQL is built once per process and run afresh on every request.

Django compiles a queryset's SQL on every evaluation, and for the short reads
every page makes (the person's memberships, an action with its related rows,
the actions a person owns) compiling costs more CPU than PostgreSQL takes to run
them. `kept_objects(build, *args)` compiles `build(*args)` once per process and
set of arguments, and then only runs it: the rows are read fresh each time and
turned into model instances (with their `select_related` rows and annotations)
as Django itself does. `build` must depend on nothing but its arguments (no
date, no setting): its arguments are the cache's key.

`kept_objects_together((build, args), ...)` runs several such reads in one
round trip to the database (one message of several statements, each answered
in turn), where one by one each would wait for the last: a page that reads an
action's owners, updates, changes and milestones pays for one wait, not ten.

`kept_rows(build, *args)` does the same for a large statement whose arguments
vary more, such as a page of the change log (a UNION of every history table,
with the filters a person chose): it returns what the queryset itself would
(tuples for `values_list`), and fewer such statements are kept.
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Model, QuerySet, prefetch_related_objects
from django.db.models.query import BaseIterable
from django.db.models.sql.query import Query

KEPT_STATEMENTS = 1024
KEPT_LARGE_STATEMENTS = 64


@dataclass(frozen=True)
class Compiled:
    """A queryset's statement and what turns its rows into instances; nothing bound to a connection."""

    model: type[Model]
    db: str  # the database alias the queryset reads, whose connection each run takes for its thread
    query: Query
    sql: str | None  # None: the queryset can match nothing (an empty `__in`), so nothing is run
    params: tuple
    select: list
    klass_info: dict | None
    annotation_col_map: dict | None
    col_count: int
    has_extra_select: bool
    prefetch: tuple
    iterable: type[BaseIterable]  # what turns rows into the queryset's results: instances, or tuples for values_list
    fields: tuple | None


def _compiled(build: Callable[..., QuerySet], args: tuple) -> Compiled:
    queryset = build(*args)
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        sql, params = None, ()
    return Compiled(
        model=queryset.model,
        db=queryset.db,
        query=queryset.query,
        sql=sql,
        params=tuple(params),
        select=compiler.select,
        klass_info=compiler.klass_info,
        annotation_col_map=compiler.annotation_col_map,
        col_count=compiler.col_count,
        has_extra_select=compiler.has_extra_select,
        prefetch=tuple(queryset._prefetch_related_lookups),
        iterable=queryset._iterable_class,
        fields=queryset._fields,
    )


compiled = functools.lru_cache(maxsize=KEPT_STATEMENTS)(_compiled)
compiled_large = functools.lru_cache(maxsize=KEPT_LARGE_STATEMENTS)(_compiled)


def kept_objects(build: Callable[..., QuerySet], *args) -> list:
    """The instances `build(*args)` reads, its SQL compiled at the first call with these arguments and kept."""
    return _run(compiled(build, args))


def kept_rows(build: Callable[..., QuerySet], *args) -> list:
    """What a large queryset `build(*args)` returns (tuples for `values_list`), its SQL compiled once and kept among fewer."""
    return _run(compiled_large(build, args))


def kept_objects_together(*reads: tuple[Callable[..., QuerySet], tuple]) -> list[list]:
    """What each `kept_objects(build, *args)` of `reads` would return, read in one round trip to the database."""
    kept = [compiled(build, args) for build, args in reads]
    sent = [each for each in kept if each.sql is not None]
    if len(sent) < 2 or len({each.db for each in sent}) > 1 or _binds_on_server(sent[0].db):
        return [_run(each) for each in kept]
    rows = iter(_fetch_together(sent))
    return [_run(each, next(rows)) if each.sql is not None else [] for each in kept]


def _binds_on_server(db: str) -> bool:
    """Whether statements are bound by the server, which takes one statement a message (a deployment's choice)."""
    return connections[db].settings_dict.get("OPTIONS", {}).get("server_side_binding") is True


def _fetch_together(kept: list[Compiled]) -> list[list[tuple]]:
    """The rows of each statement, sent as one message: PostgreSQL runs them in turn and answers each.

    Sent on the connection's own cursor, past the execute wrappers (they look at one statement's
    result, and these are reads), but logged as one query where queries are logged, with the
    database's errors turned into Django's as for any query.
    """
    connection = connections[kept[0].db]
    sql = ";\n".join(each.sql for each in kept)
    params = tuple(itertools.chain.from_iterable(each.params for each in kept))
    found = []
    with connection.cursor() as cursor:
        logged = cursor.debug_sql(sql, params) if isinstance(cursor, CursorDebugWrapper) else nullcontext()
        with logged, connection.wrap_database_errors:
            cursor.cursor.execute(sql, params)
            for each in kept:
                rows = cursor.cursor.fetchall()
                found.append([row[: each.col_count] for row in rows] if each.has_extra_select else rows)
                cursor.cursor.nextset()
    return found


def _run(kept: Compiled, rows: list[tuple] | None = None) -> list:
    """The instances (or tuples) of a kept statement: run now, or made from its `rows` already read."""
    if kept.sql is None:
        return []
    query = copy.copy(kept.query)  # a private handle, so the compiler below is this call's and this thread's connection's
    compiler = kept.query.get_compiler(using=kept.db)
    compiler.select, compiler.klass_info, compiler.annotation_col_map = kept.select, kept.klass_info, kept.annotation_col_map
    compiler.col_count, compiler.has_extra_select = kept.col_count, kept.has_extra_select
    compiler.as_sql = lambda *_args, **_kwargs: (kept.sql, kept.params)
    if rows is not None:
        compiler.execute_sql = lambda *_args, **_kwargs: [rows]
    query.get_compiler = lambda *_args, **_kwargs: compiler
    queryset = QuerySet(model=kept.model, query=query)
    queryset._fields = kept.fields
    found = list(kept.iterable(queryset))
    if kept.prefetch and found:
        prefetch_related_objects(found, *kept.prefetch)
    return found


def prefetched(instance: Model, name: str, rows: list) -> None:
    """Hand `instance` the rows of its relation `name` as `prefetch_related` would, so `instance.<name>.all()` reads nothing.

    For rows read by `kept_objects`, whose SQL is compiled once, where `prefetch_related` would compile its query on every call.
    """
    found = QuerySet(model=instance._meta.get_field(name).related_model)
    found._result_cache, found._prefetch_done = list(rows), True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = found


def prefetched_rows(instance: Model, name: str) -> list | None:
    """The rows of `instance`'s relation `name` as prefetched (by `prefetched` or `prefetch_related`), or None when they were not."""
    found = getattr(instance, "_prefetched_objects_cache", {}).get(name)
    return None if found is None else list(found)
