"""The test databases' template (tests/testdb.py): one per set of migrations, shared by the run's processes, and only ours dropped."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection

from tests.dbconn import connection_params
from tests.testdb import MARK, _drop_old_templates, migration_files, migrations_hash, template_name


def test_every_process_of_a_run_copies_the_same_template_named_after_the_migrations():
    assert template_name("test_send_tracker_gw0") == template_name("test_send_tracker_gw11") == template_name("test_send_tracker")
    assert template_name("test_send_tracker") == f"test_send_tracker_template_{migrations_hash()}"
    assert template_name("test_other") != template_name("test_send_tracker")
    long = template_name("test_" + "a_very_long_database_name" * 3 + "_gw1")
    assert len(f"{long}_building") <= 63  # PostgreSQL's longest name: never cut short, so always found again


def test_a_changed_or_added_migration_names_another_template(tmp_path):
    files = migration_files()
    assert any(label == "actions" and path.name == "0001_initial.py" for label, path in files)
    copies = []
    for number, (label, path) in enumerate(files):
        copy = tmp_path / str(number) / path.name
        copy.parent.mkdir()
        copy.write_bytes(path.read_bytes())
        copies.append((label, copy))
    assert migrations_hash(copies) == migrations_hash()  # the same files, wherever they are
    added = tmp_path / "9999_more.py"
    added.write_text("operations = []\n")
    assert migrations_hash([*copies, ("actions", added)]) != migrations_hash()
    copies[-1][1].write_text("# changed\n")
    assert migrations_hash(copies) != migrations_hash()


@pytest.mark.slow
@pytest.mark.django_db
def test_an_old_template_is_dropped_only_when_the_suite_made_it():
    template = template_name("test_send_tracker_dropping")
    prefix = template.rsplit("_", 1)[0]
    ours, theirs = f"{prefix}_000000000000", f"{prefix}_111111111111"
    quote = connection.ops.quote_name
    with connection.creation._nodb_cursor() as cursor:
        for name in (template, ours, theirs):
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
            cursor.execute(f"CREATE DATABASE {quote(name)}")
        cursor.execute(f"COMMENT ON DATABASE {quote(ours)} IS '{MARK}'")
        try:
            _drop_old_templates(cursor, template, quote)
            cursor.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s) ORDER BY datname", [prefix])
            assert [name for (name,) in cursor.fetchall()] == sorted([template, theirs])
        finally:
            for name in (template, ours, theirs):
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_s_flush_puts_the_migrations_rows_back_without_making_them_again():
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db.models.signals import post_migrate

    from actions.models import RatingScheme
    from people.models import Partnership

    migrated = [sorted(model.objects.values_list("pk", flat=True)) for model in (ContentType, Permission, RatingScheme)]
    Partnership.objects.create(name="Northshire SEND Partnership", slug="northshire")
    sent = []

    def receiver(**kwargs):
        sent.append(kwargs["app_config"].label)

    def flush():  # as pytest-django ends the test; in a thread of its own, with a connection of its own, as a browser test's may be
        try:
            call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
        finally:
            connection.close()

    post_migrate.connect(receiver)
    try:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(flush).result()
    finally:
        post_migrate.disconnect(receiver)
    assert not Partnership.objects.exists()
    assert [sorted(model.objects.values_list("pk", flat=True)) for model in (ContentType, Permission, RatingScheme)] == migrated
    assert sent == []  # nothing made again, table by table


@pytest.mark.django_db
def test_a_connection_left_open_does_not_keep_a_test_database_from_being_dropped():
    name = "test_send_tracker_left_open"
    quote = connection.ops.quote_name
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
        cursor.execute(f"CREATE DATABASE {quote(name)}")
    left_open = psycopg.connect(**connection_params(dbname=name))
    try:
        connection.creation._destroy_test_db(name, verbosity=0)
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            assert cursor.fetchone() is None
    finally:
        left_open.close()
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
