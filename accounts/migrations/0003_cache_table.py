"""The database cache's table, made by `migrate` itself so no deployment can forget it.

Where CACHES names a database cache (no CACHE_URL: the newcomer's set-up and a
deployment without Redis) the table is created, as `createcachetable` does;
with Redis or a memory cache there is nothing to create. Running it again, or
after `createcachetable`, changes nothing.
"""

from django.core.management import call_command
from django.db import migrations


def cache_table_create(apps, schema_editor) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(cache_table_create, migrations.RunPython.noop)]
