"""A database connection lost in the middle of a request costs the person nothing they typed.

Between requests, CONN_HEALTH_CHECKS (settings) finds a connection the
database has dropped (a restart, a failover, an idle connection cut by a
proxy) and opens a new one before the request uses it. A connection lost
while a request runs is caught here: if the request has committed nothing
yet, and sends no files (which were read already), it is run once more on a
fresh connection; otherwise, or if that fails too, the person gets a 503 page
that shows back every line they typed, never a bare server error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape

# A task whose database is briefly unreachable (failover, restart) is worth a few tries, spaced out exponentially with
# jitter; anything else fails at once. Every scheduled task takes these (`@shared_task(**TRANSIENT_DATABASE_RETRIES)`).
TRANSIENT_DATABASE_RETRIES = dict(
    autoretry_for=(OperationalError, InterfaceError), max_retries=3, retry_backoff=30, retry_backoff_max=600, retry_jitter=True
)

logger = logging.getLogger(__name__)

READS = ("select", "show", "set ", "savepoint", "release", "rollback", "begin")
# Form fields that are never shown back: secrets, and the form's own bookkeeping.
NOT_SHOWN_BACK = ("password", "token", "secret", "csrfmiddlewaretoken", "code", "version")


def connection_lost(exception: BaseException) -> bool:
    """Whether `exception` says the database connection went away (rather than the query being refused).

    PostgreSQL's connection exceptions (SQLSTATE class 08) and its operator
    interventions (57P: terminated by an administrator, a crash, a shutdown), or
    no SQLSTATE at all: the server closed the connection, or could not be reached.
    A cancelled statement (57014, a statement timeout) is not a lost connection.
    """
    if not isinstance(exception, (OperationalError, InterfaceError)):
        return False
    sqlstate = getattr(exception.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(("08", "57P"))


class _CommitWatch:
    """Marks the request once a write of it has been committed (at once in autocommit, or when its transaction commits)."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not str(sql).lstrip().lower().startswith(READS):
            # Runs now outside a transaction; when the outermost one commits inside it; never if it rolls back.
            transaction.on_commit(self._committed)
        return result

    def _committed(self) -> None:
        self.request.database_committed = True


class ConnectionLostMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.database_committed = False
        with connections[DEFAULT_DB_ALIAS].execute_wrapper(_CommitWatch(request)):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not connection_lost(exception):
            return None
        connections[DEFAULT_DB_ALIAS].close()  # the next query opens a fresh connection
        match = request.resolver_match
        retry_safe = not request.database_committed and not request.FILES and not getattr(request, "database_retried", False)
        if match is not None and retry_safe:
            request.database_retried = True
            logger.warning("The database connection was lost during %s %s; running it again.", request.method, request.path)
            try:
                return match.func(request, *match.args, **match.kwargs)
            except (OperationalError, InterfaceError) as again:
                connections[DEFAULT_DB_ALIAS].close()
                exception = again
        logger.error("The database connection was lost during %s %s.", request.method, request.path, exc_info=exception)
        return _typed_text_page(request)


def _typed_text_page(request: HttpRequest) -> HttpResponse:
    typed = [
        (name, value)
        for name, values in request.POST.lists()
        if not any(word in name.lower() for word in NOT_SHOWN_BACK)
        for value in values
        if value.strip()
    ]
    context = {"typed": typed, "saved": request.database_committed}
    try:
        response = render(request, "503_database.html", context, status=503)
    except (OperationalError, InterfaceError):
        # The database is still away and the page's layout asks it for the person's menu: the same words, plainly.
        connections[DEFAULT_DB_ALIAS].close()
        lines = "".join(f"<dt>{escape(name)}</dt><dd>{linebreaksbr(value, autoescape=True)}</dd>" for name, value in typed)
        response = HttpResponse(
            "<!DOCTYPE html><html lang='en'><title>Sorry, there is a problem with the service</title>"
            "<h1>Sorry, there is a problem with the service</h1><p>The service lost its connection to the database."
            f" This is what you typed: copy it, go back, and send it again in a minute.</p><dl>{lines}</dl></html>",
            status=503,
        )
    response["Retry-After"] = "5"
    return response
