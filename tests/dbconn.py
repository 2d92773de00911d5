"""How a test reaches the database the suite runs on, for the few tests that open a connection of their own.

Everything comes from Django's connection settings (the test database's, once
pytest-django has set it up): host or socket directory, port, user and name.
Nothing defaults to 127.0.0.1:5432, so a machine that also runs its own
PostgreSQL there, beside the embedded one the suite started, is not reached by mistake.
"""

from __future__ import annotations

from urllib.parse import quote

LIBPQ_KEYS = ("host", "port", "user", "password", "dbname")


def connection_params(connection=None, **overrides) -> dict[str, str]:
    """libpq keywords for psycopg.connect(), from Django's default connection (OPTIONS included, as Django merges them)."""
    if connection is None:
        from django.db import connection

    params = connection.get_connection_params()
    chosen = {key: str(params[key]) for key in LIBPQ_KEYS if params.get(key) not in (None, "")}
    return {**chosen, **overrides}


def client_args(params: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Command-line options and environment for pg_dump, pg_restore and psql reaching the same server."""
    import os

    args = []
    for key, option in (("host", "-h"), ("port", "-p"), ("user", "-U")):
        if key in params:
            args += [option, params[key]]
    env = {**os.environ, "PGPASSWORD": params.get("password", "")}
    for variable in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"):
        env.pop(variable, None)  # what is not given above is libpq's default, as it is for Django
    return args, env


def database_url(params: dict[str, str] | None = None) -> str:
    """A DATABASE_URL for a process started by a test (a Celery worker), reaching the same database."""
    params = params or connection_params()
    auth = quote(params.get("user", "")) + (f":{quote(params['password'])}" if params.get("password") else "")
    host = params.get("host", "")
    query = []
    if host.startswith("/"):  # a socket directory, as the embedded PostgreSQL uses
        query.append(f"host={quote(host, safe='')}")
        host = ""
    if params.get("port"):
        if host:
            host = f"{host}:{params['port']}"
        else:
            query.append(f"port={params['port']}")
    return f"postgres://{auth}@{host}/{quote(params['dbname'])}" + (f"?{'&'.join(query)}" if query else "")
