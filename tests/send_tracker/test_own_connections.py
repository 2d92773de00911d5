"""Tests that open a database connection of their own reach the suite's database, wherever Django reaches it."""

from __future__ import annotations

import re

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper

from tests.conftest import ROOT
from tests.dbconn import client_args, connection_params, database_url


@pytest.mark.django_db
def test_an_own_connection_reaches_the_same_server_and_database_as_django():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), (SELECT system_identifier FROM pg_control_system())")
        expected = cursor.fetchone()
    with psycopg.connect(**connection_params()) as own:
        assert own.execute("SELECT current_database(), (SELECT system_identifier FROM pg_control_system())").fetchone() == expected


def test_a_socket_directory_in_the_options_is_used_and_no_port_is_made_up():
    """The embedded PostgreSQL's DATABASE_URL puts its socket directory in OPTIONS and gives no HOST or PORT."""
    settings_dict = {**connection.settings_dict, "HOST": "", "PORT": "", "NAME": "send_tracker", "OPTIONS": {"host": "/srv/app/.pgdata"}}
    params = connection_params(DatabaseWrapper(settings_dict))
    assert params["host"] == "/srv/app/.pgdata" and "port" not in params and params["dbname"] == "send_tracker"
    args, env = client_args(params)
    assert args[:2] == ["-h", "/srv/app/.pgdata"] and "-p" not in args
    assert "PGHOST" not in env and "PGPORT" not in env
    assert database_url(params) == f"postgres://{params['user']}@/send_tracker?host=%2Fsrv%2Fapp%2F.pgdata"


def test_no_test_builds_a_connection_from_anything_else():
    for path in (ROOT / "tests").rglob("*.py"):
        if path.name in ("dbconn.py", "test_own_connections.py"):
            continue
        text = path.read_text(encoding="utf-8")
        for call in re.findall(r"psycopg\.connect\(([^)]*)\)", text):
            assert "connection_params" in call or call.startswith("**"), f"{path.name}: psycopg.connect({call})"
        assert "5432" not in text, f"{path.name} names a port: take it from tests.dbconn"
