"""Data sets that take seconds to load (the One Plan, the whole demo), loaded once a run and copied back per test.

When the test database is ready, each data set the process's tests ask for is loaded for real, once, in a
transaction that is rolled back; the rows it added are kept, table by table, as PostgreSQL COPY text, with the
emails it sent and the private files it wrote. A test that asks for the data set gets exactly those rows back
with COPY (triggers off: the rows are the loader's own, with their history, revisions and foreign keys already
consistent), its emails in the outbox and its files in the test's folder: a fraction of a second, where the
demo's seed takes about 20. The rows keep the ids they were given; every id sequence has moved past them, so
nothing a test creates can take one.

The processes of one run share each data set: the first to get to it loads it, and writes what it added to a file
of the run's temporary folder; the others read that file when a test first asks for the data set, waiting for it if
it is still being loaded, and carry on with other tests meanwhile. Every process's database is copied from one
migrated template (tests/testdb.py), so the migrations' rows, and the ids the data set refers to, are the same in each.

The rows refer to the rows migrations put in (rating schemes, content types): a test finds those as they were,
for a transactional test's flush puts them back with their ids (`flush_sql`). Where a test changed them before
asking for the data set, it is loaded for real, as slowly as before.
"""

from __future__ import annotations

import fcntl
import pickle
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction

Rows = dict[str, bytes]
KEPT = "as_migrated"  # the schema holding the migrations' rows


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _dump(tables: list[str]) -> Rows:
    """Each table's rows as COPY text, one row a line."""
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                rows[table] = b"".join(bytes(block) for block in copy)
    return rows


def _lines(text: bytes) -> Counter:
    return Counter(text.splitlines(keepends=True))


def _added(before: Rows, after: Rows) -> Rows:
    """The rows `after` has that `before` has not; a row `before` had that changed or went is an error."""
    added = {}
    for table, text in after.items():
        old, new = _lines(before.get(table, b"")), _lines(text)
        if old - new:
            raise RuntimeError(f"Preloading changed rows of {table} that were there before it; it can only add rows")
        if rows := b"".join((new - old).elements()):
            added[table] = rows
    return added


def _copy_in(rows: Rows) -> None:
    """COPY the rows in with every trigger off, then move each id sequence past the ids now taken.

    COPY goes to the driver's cursor, past Django's error translation: it is put back here, so that a row the test
    made first with one of these ids raises Django's IntegrityError, which `Preload.load` answers by loading for real."""
    with connection.cursor() as cursor, connection.wrap_database_errors:
        # Inside a transaction, so that an error puts the setting back with everything else.
        cursor.execute("SET session_replication_role = replica")
        for table, text in rows.items():
            with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                copy.write(text)
        cursor.execute("SET session_replication_role = origin")
        models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in rows]
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


class Migrated:
    """The test database as migrations left it: taken when it is created, before any test runs."""

    rows: Rows = {}
    columns: dict[str, str] = {}  # of each table with rows, those it stores (not generated)

    @classmethod
    def take(cls) -> None:
        cls.rows = _dump(_tables())
        # A copy the database keeps, for emptying it back to this state in SQL alone (flush_sql).
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {KEPT} CASCADE")
            cursor.execute(f"CREATE SCHEMA {KEPT}")
            for table in [table for table, text in cls.rows.items() if text]:
                cursor.execute(
                    "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute"
                    " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''",
                    [f'"{table}"'],
                )
                cls.columns[table] = cursor.fetchone()[0]
                cursor.execute(f'CREATE TABLE {KEPT}."{table}" AS SELECT {cls.columns[table]} FROM "{table}"')

    @classmethod
    def present(cls) -> bool:
        """Every row migrations put in is there, as it was."""
        current = _dump([table for table, text in cls.rows.items() if text])
        return all(not (_lines(text) - _lines(current[table])) for table, text in cls.rows.items() if text)


def flush_sql(tables: list[str]) -> list[str]:
    """Empty the tables and put back the rows migrations put in, with their ids: SQL to run inside one transaction.

    DELETE with every trigger off, so no row's references or history stop it:
    Django's flush sends TRUNCATE, which gives every table new files (most of a
    second for the ~150 tables here), and leaves the migrations' rows out.
    """
    columns = Migrated.columns
    return [
        "SET LOCAL session_replication_role = replica",
        *(f'DELETE FROM "{table}"' for table in tables),
        *(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM {KEPT}."{table}"' for table in tables if (cols := columns.get(table))),
    ]


class Preload:
    """One data set: its loader, and once taken, the rows, emails and private files it adds."""

    def __init__(self, loader: Callable[[], object], result: Callable[[], object]):
        self.loader, self.result = loader, result
        self.rows: Rows | None = None
        self.emails: list = []
        self.files: dict[Path, bytes] = {}
        self.shared: Path | None = None  # the file another process of the run writes it to

    def take_once(self, folder: Path, name: str) -> None:
        """Take the data set here, unless another process of the run is taking it or has: then read its file when a test
        first asks for the data set (`load`)."""
        self.shared = folder / f"{name}.preloaded"
        with open(self._lock_path(), "ab") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # another process is taking it
            try:
                if self.shared.exists():
                    return  # another process took it
                self.take()
                partial = self.shared.with_suffix(".partial")
                partial.write_bytes(pickle.dumps((self.rows, self.emails, self.files)))
                partial.rename(self.shared)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _lock_path(self) -> Path:
        return self.shared.with_suffix(".lock")

    def _read_shared(self) -> None:
        """What another process took, once it has finished taking it; nothing if it could not."""
        if self.rows is not None or self.shared is None:
            return
        with open(self._lock_path(), "ab") as lock:
            fcntl.flock(lock, fcntl.LOCK_SH)  # waits while the process taking it holds it
            if self.shared.exists():
                self.rows, self.emails, self.files = pickle.loads(self.shared.read_bytes())
        self.shared = None

    def take(self) -> None:
        """Load the data set for real in a transaction that is rolled back, keeping what it added."""
        outbox, media = getattr(mail, "outbox", None), settings.PRIVATE_MEDIA_ROOT
        folder = Path(tempfile.mkdtemp(prefix="preload-"))
        mail.outbox, settings.PRIVATE_MEDIA_ROOT = [], folder
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # As a test's own transaction has it (tests/conftest.py), so the revisions are raised as the rows go in.
                    cursor.execute("SET CONSTRAINTS strategy_revision_raise IMMEDIATE")
                self.loader()
                self.rows = _added(Migrated.rows, _dump(_tables()))
                transaction.set_rollback(True)
            self.emails = list(mail.outbox)
            self.files = {path.relative_to(folder): path.read_bytes() for path in folder.rglob("*") if path.is_file()}
        finally:
            mail.outbox, settings.PRIVATE_MEDIA_ROOT = outbox, media
            shutil.rmtree(folder, ignore_errors=True)

    def load(self):
        """The data set in this test's database, as its loader leaves it."""
        self._read_shared()
        if self.rows is None or not Migrated.present():
            return self._load_for_real()
        try:
            with transaction.atomic():
                _copy_in(self.rows)
        except IntegrityError:  # the test made a row first that the loader would have found and used (a demo account, say)
            return self._load_for_real()
        cache.clear()  # pages cached by an earlier test under the same ids and revisions
        if hasattr(mail, "outbox"):
            mail.outbox.extend(self.emails)
        for relative, content in self.files.items():
            path = Path(settings.PRIVATE_MEDIA_ROOT) / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                path.write_bytes(content)
        return self.result()

    def _load_for_real(self):
        self.loader()
        return self.result()
