"""The database cache needs its table: `migrate` makes it, so a deployment without Redis cannot be missing it."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connection

from send_tracker.cache import cache_get, cache_set

pytestmark = pytest.mark.django_db


def test_migrate_makes_the_database_caches_table_and_pages_can_use_it(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_made_by_migrate"}}
    assert "cache_made_by_migrate" not in connection.introspection.table_names()
    migration = import_module("accounts.migrations.0003_cache_table")
    migration.cache_table_create(None, SimpleNamespace(connection=connection))
    migration.cache_table_create(None, SimpleNamespace(connection=connection))  # again: nothing changes
    assert "cache_made_by_migrate" in connection.introspection.table_names()
    cache_set("dashboard:test", "<p>built</p>", 60)
    assert cache_get("dashboard:test") == "<p>built</p>"
