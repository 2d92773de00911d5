"""Each test process's database, copied from one migrated template instead of migrated again.

Migrating an empty database takes 10-15 seconds of a test process's start. The first process
to need it migrates a template database once, named after the test database and a hash of every
app's migration files (`test_<name>_template_<hash>`); every process then gets its own test
database (`test_<name>_gw0`, …) with `CREATE DATABASE … TEMPLATE`, in well under a second. The
template stays for the next run; a changed migration changes the hash, so the next run builds a
new template and drops the old ones. Only databases the suite created are ever dropped: the
template carries a comment saying so, and an old template without it is left alone.

Processes take turns through a PostgreSQL advisory lock, so two never build the same template
and none copies a half-built one (it is built under another name and renamed when it is done).
The same on the embedded PostgreSQL (`bin/with-db`) and on a server (CI's).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings

MARK = "A migrated template of the test databases, dropped by the test suite when migrations change"


def migration_files() -> list[tuple[str, Path]]:
    """Every installed app's migration files, as (app label, path), in a fixed order."""
    files = []
    for app in sorted(apps.get_app_configs(), key=lambda app: app.label):
        spec = importlib.util.find_spec(f"{app.name}.migrations")
        for folder in (spec.submodule_search_locations or []) if spec else []:
            files += [(app.label, path) for path in sorted(Path(folder).glob("*.py"))]
    return files


def migrations_hash(files: list[tuple[str, Path]] | None = None) -> str:
    """A hash of the migration files and of Django's version: what migrating gives."""
    digest = hashlib.sha256(django.get_version().encode())
    for label, path in migration_files() if files is None else files:
        digest.update(f"{label}/{path.name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def template_name(test_name: str) -> str:
    """`test_send_tracker_gw1` → `test_send_tracker_template_<hash>`: one template for every process of the run."""
    base = re.sub(r"_gw\d+$", "", test_name)[:30]  # with "_template_<hash>_building", within the 63 characters of a name
    return f"{base}_template_{migrations_hash()}"


def use_templates(connection) -> None:
    """Make the connection's `create_test_db` copy its test database from the migrated template."""
    creation = connection.creation
    migrate = creation.create_test_db

    def create_test_db(verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        from django.core.management import call_command

        test_name = creation._get_test_db_name()
        template = template_name(test_name)
        quote = connection.ops.quote_name
        with creation._nodb_cursor() as cursor:
            # Keyed by the template's name: runs on other test databases of the same server do not wait.
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
            try:
                if keepdb and _exists(cursor, test_name):
                    pass  # --reuse-db: the test database of the last run, as pytest-django keeps it
                else:
                    if not _exists(cursor, template):
                        _build(connection, migrate, cursor, template, verbosity)
                    if _exists(cursor, test_name):
                        cursor.execute(f"DROP DATABASE {quote(test_name)}")  # the last run's, as Django's own creation drops it
                    cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")
                    _drop_old_templates(cursor, template, quote)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [template])
        connection.close()
        settings.DATABASES[connection.alias]["NAME"] = test_name
        connection.settings_dict["NAME"] = test_name
        if serialize:
            connection._test_serialized_contents = creation.serialize_db_to_string()
        call_command("createcachetable", database=connection.alias)
        connection.ensure_connection()
        return test_name

    creation.create_test_db = create_test_db
    _end_connections_before_dropping(type(creation))


def _end_connections_before_dropping(creation_class) -> None:
    """A connection a thread left open (a browser test's server threads, code run in Playwright's own context, which
    has database connection objects of its own) would stop the test database's drop and leave it behind: each
    creation object of the backend ends the others' connections first."""
    destroy = creation_class._destroy_test_db
    if getattr(destroy, "ends_connections", False):
        return

    def _destroy_test_db(self, test_database_name, verbosity):
        with self._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [test_database_name],
            )
        destroy(self, test_database_name, verbosity)

    _destroy_test_db.ends_connections = True
    creation_class._destroy_test_db = _destroy_test_db


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


def _build(connection, migrate, cursor, template: str, verbosity: int) -> None:
    """Migrate a new database under a working name, then give it the template's name: never a half-built template."""
    quote = connection.ops.quote_name
    building = f"{template}_building"
    test, name = connection.settings_dict["TEST"], connection.settings_dict["NAME"]
    old_test_name = test.get("NAME")
    test["NAME"] = building
    try:
        migrate(verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False)  # drops a building copy a killed run left
    finally:
        test["NAME"] = old_test_name
        connection.close()
        connection.settings_dict["NAME"] = settings.DATABASES[connection.alias]["NAME"] = name
    cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")
    cursor.execute(f"COMMENT ON DATABASE {quote(template)} IS '{MARK}'")


def _drop_old_templates(cursor, template: str, quote) -> None:
    """Templates of this test database built from other migrations, which the suite made (they carry its comment)."""
    prefix = template.rsplit("_", 1)[0] + "_"
    cursor.execute(
        "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s AND shobj_description(oid, 'pg_database') = %s",
        [prefix, template, MARK],
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
