"""Shared fixtures: a small partnership with the people who use it.

Personas (as in every permission test): anonymous, owner (a delivery lead
holding the action's post), other_lead (a delivery lead who does not),
group_lead (holds the delivery group's lead post), board (board member),
officer (programme officer), partner (a co-production partner of the Parent
Carer Forum), outsider (an officer of another partnership).
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import os
import random
import re
from pathlib import Path

import pytest

from accounts.models import User
from actions.models import Action, DeliveryGroup, Priority, RatingScheme, Strategy
from people.models import Membership, Partnership, Post
from tests.preloaded import Migrated, Preload, flush_sql
from tests.testdb import use_templates

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in the test thread
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def pytest_configure(config) -> None:
    # Chosen once, before pytest-xdist starts its processes, which inherit it: every process samples alike.
    os.environ.setdefault("FUZZ_SEED", str(random.SystemRandom().randrange(1_000_000)))
    # A test process makes and drops millions of short-lived objects (requests, querysets, template contexts) and keeps
    # few: the cycle collector's default of a pass every 700 allocations spends about 4 % of its processor time
    # looking at them. A pass every 50,000 finds the same garbage.
    gc.set_threshold(50_000, 50, 100)


def pytest_collection_finish(session) -> None:
    # What is loaded by now (Django, the apps, the collected tests) lives until the process ends: the collector need
    # not walk it again on every full pass.
    gc.collect()
    gc.freeze()


def _long(item) -> bool:
    """Tests that take seconds each: transactional ones (in a browser, with a worker) and those marked slow."""
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or "live_server" in getattr(item, "fixturenames", ())
    return transactional or item.get_closest_marker("slow") is not None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items) -> None:
    """In parallel processes, each process's share starts with its turn of the long tests.

    pytest-xdist's work stealing hands each process a contiguous share of the items
    and, when one runs dry, moves half of what another has left. Long tests at the
    end of a share cannot be moved once one of them is running, and the run ends
    with one process working through them while the other waits. Started first,
    they overlap, and the run ends on short tests, which are shared out to the last.
    Each process computes the same order, as pytest-xdist requires.
    """
    count = getattr(config, "workerinput", {}).get("workercount", 1)
    if count < 2:
        return
    long, short = [], []
    for item in items:
        (long if _long(item) else short).append(item)
    ordered, left = [], len(items)
    for share in range(count):
        size = left // (count - share)  # as pytest-xdist hands out the first shares
        mine = long[share::count][:size]
        ordered += mine + short[: size - len(mine)]
        del short[: size - len(mine)]
        left -= size
    placed = set(ordered)
    ordered += [item for item in long if item not in placed] + short
    items[:] = ordered


def pytest_report_header(config) -> str:
    table = "the whole table for every persona" if fuzz_full() else "FUZZ_FULL=true (make test-full) sends every persona the whole table"
    return f"fuzz: FUZZ_SEED={fuzz_seed()} repeats this run's sample of hostile values; {table}"


def date_boxes(name: str, day: dt.date | str | None) -> dict[str, str]:
    """A GOV.UK date input's three boxes as a form posts them: `date_boxes("due_date", "30/6/2030")` (or a date, or None
    for three empty boxes) gives due_date_day, due_date_month and due_date_year."""
    if isinstance(day, dt.date):
        parts = [str(day.day), str(day.month), str(day.year)]
    else:
        parts = (day.split("/") if day else []) + ["", "", ""]
    return dict(zip((f"{name}_day", f"{name}_month", f"{name}_year"), parts[:3], strict=True))


def fuzz_seed() -> str:
    """The seed of this run's sample of hostile values for the personas not sent them all (tests/security/test_fuzz.py)."""
    return os.environ["FUZZ_SEED"]


def fuzz_full() -> bool:
    return os.environ.get("FUZZ_FULL", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session", autouse=True)
def _files_of_this_process(tmp_path_factory):
    """Private files and emailed files go to folders of this test process, never the checkout's.

    Parallel test processes (pytest-xdist) each have their own; tests that look at
    the files still give themselves a folder of their own with the `settings` fixture.
    """
    from django.conf import settings

    settings.PRIVATE_MEDIA_ROOT = tmp_path_factory.mktemp("private-media")
    settings.EMAIL_FILE_PATH = str(tmp_path_factory.mktemp("sent-emails"))


@pytest.fixture(autouse=True)
def _revisions_at_once(request):
    """Raise strategy revisions at each statement inside a test's transaction.

    A strategy's revision is raised when a transaction commits (actions/revisions.py);
    a test's transaction is rolled back instead, so without this every cached page
    would stay as it was first built for the whole test. Transactional tests
    commit for real and keep the deferred behaviour.
    """
    marker = request.node.get_closest_marker("django_db")
    if "db" not in request.fixturenames and not marker:
        return
    if (marker and marker.kwargs.get("transaction")) or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        return
    request.getfixturevalue("db")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS strategy_revision_raise IMMEDIATE")


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Put back the rows data migrations ship (rating schemes, the beat schedule).

    A transactional test (browser journeys, worker tests) ends by emptying
    every table, migration data included; the next one must find it again.
    """
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")) and "live_server" not in request.fixturenames:
        return
    if marker and marker.kwargs.get("serialized_rollback"):
        return  # pytest-django restores the whole database for these itself
    request.getfixturevalue("transactional_db")
    if not RatingScheme.objects.exists():
        from django.apps import apps

        from actions.models import RatingLevel
        from actions.schemes import install_schemes
        from governance.schedule import schedule_install

        install_schemes(RatingScheme, RatingLevel)
        schedule_install(apps)


@pytest.fixture
def cache_emptied():
    """The page cache empty at the start and at the end, for tests that count what is built or served from it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scheme(db) -> RatingScheme:
    return RatingScheme.objects.get(code="cheshire-east")


@pytest.fixture
def level(scheme):
    levels = {lv.code: lv for lv in scheme.levels.all()}
    return levels.__getitem__


@pytest.fixture
def partnership(db) -> Partnership:
    return Partnership.objects.create(name="Northshire SEND Partnership", slug="northshire")


@pytest.fixture
def other_partnership(db) -> Partnership:
    return Partnership.objects.create(name="Southshire SEND Partnership", slug="southshire")


@pytest.fixture
def strategy(partnership, scheme) -> Strategy:
    return Strategy.objects.create(
        partnership=partnership, name="SEND Strategy 2025-2028", scheme=scheme, ratings_as_at=dt.date(2025, 5, 14)
    )


@pytest.fixture
def owner_post(partnership) -> Post:
    return Post.objects.create(partnership=partnership, title="Head of Service: Inclusion")


@pytest.fixture
def lead_post(partnership) -> Post:
    return Post.objects.create(partnership=partnership, title="Director of Education")


@pytest.fixture
def group(strategy, lead_post) -> DeliveryGroup:
    priority = Priority.objects.create(strategy=strategy, name="Right Support", position=1)
    return DeliveryGroup.objects.create(
        strategy=strategy, priority=priority, name="1. Oversight", position=1, lead=lead_post, what_we_will_see=["Fewer complaints"]
    )


@pytest.fixture
def action(strategy, group, owner_post, level) -> Action:
    action = Action.objects.create(
        strategy=strategy,
        group=group,
        ref="SP1",
        text="Strengthen oversight",
        due_date=dt.date(2025, 9, 30),
        due_precision=Action.DuePrecision.MONTH,
        due_text="September 2025",
        rating=level("amber"),
    )
    action.owners.add(owner_post)
    return action


def page_read_through(client, url: str) -> str:
    """A page as someone who scrolls through it and opens its lists sees it: each part read on request filled in, as htmx does."""

    def fill(found: re.Match) -> str:
        response = client.get(found.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true")
        assert response.status_code == 200, found.group(1)
        return response.content.decode()

    html = client.get(url).content.decode()
    return re.sub(r'<div data-hx-get="([^"]+)" data-hx-trigger="intersect once" data-hx-swap="outerHTML">.*?</div>', fill, html, flags=re.S)


def make_user(username: str, partnership: Partnership | None, role: str | None, posts: list[Post] = ()) -> User:
    user = User.objects.create_user(username=username, email=username, password="correct horse battery staple")
    if partnership is not None:
        Membership.objects.create(user=user, partnership=partnership, role=role)
    user.posts.add(*posts)
    return user


@pytest.fixture
def owner(partnership, owner_post) -> User:
    return make_user("owner@example.org", partnership, Membership.Role.DELIVERY_LEAD, [owner_post])


@pytest.fixture
def other_lead(partnership) -> User:
    other = Post.objects.create(partnership=partnership, title="Head of Service: Early Years")
    return make_user("other.lead@example.org", partnership, Membership.Role.DELIVERY_LEAD, [other])


@pytest.fixture
def group_lead(partnership, lead_post) -> User:
    return make_user("group.lead@example.org", partnership, Membership.Role.DELIVERY_LEAD, [lead_post])


@pytest.fixture
def board(partnership) -> User:
    return make_user("board@example.org", partnership, Membership.Role.BOARD_MEMBER)


@pytest.fixture
def officer(partnership) -> User:
    return make_user("officer@example.org", partnership, Membership.Role.OFFICER)


@pytest.fixture
def partner(partnership) -> User:
    return make_user("partner@example.org", partnership, Membership.Role.COPRODUCTION)


@pytest.fixture
def administrator(partnership) -> User:
    """The install's administrator (staff and superuser), who can change anything in the admin."""
    user = make_user("admin@example.org", partnership, Membership.Role.OFFICER)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def outsider(other_partnership) -> User:
    return make_user("outsider@example.org", other_partnership, Membership.Role.OFFICER)


def import_one_plan() -> None:
    """The Cheshire East SEND and AP One Plan, imported from its fixture as `seed_demo` does."""
    from django.core.management import call_command

    folder = FIXTURES / "cheshire-east-one-plan"
    meta = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    call_command(
        "import_plan",
        str(folder / "actions.csv"),
        strategy=meta["strategy"],
        partnership=meta["partnership"],
        scheme="cheshire-east",
        details=str(folder / "plan.json"),
        stdout=open(os.devnull, "w"),
    )


def seed_demo() -> None:
    """The demo as `make run` starts it: both plans, one account per role, the One Plan's history."""
    from django.conf import settings
    from django.core.management import call_command

    debug, settings.DEBUG = settings.DEBUG, True  # seed_demo creates accounts with a published password: only with DEBUG on
    try:
        call_command("seed_demo", stdout=io.StringIO())
    finally:
        settings.DEBUG = debug


def the_one_plan() -> Strategy:
    return Strategy.objects.get(
        name=json.loads((FIXTURES / "cheshire-east-one-plan" / "plan.json").read_text(encoding="utf-8"))["strategy"]
    )


# Loaded once a run when a test of the run asks for them, then copied into each test that does (tests/preloaded.py).
PRELOADS = {"one_plan": Preload(import_one_plan, the_one_plan), "demo_seeded": Preload(seed_demo, the_one_plan)}


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete():
    """A transactional test ends with pytest-django emptying every table: here by DELETE, not TRUNCATE, and the
    migrations' rows put back as they were (tests/preloaded.py), so the next test finds the database as migrated.

    Django's flush then sends `post_migrate`, whose receivers make the content types and permissions again,
    table by table (most of a second): here they are back already, with the migrations' other rows, so it is not sent.
    """
    from django.core.management.commands import flush as flush_command
    from django.db import connection

    # On the class: the browser tests' thread can hold a connection object of its own (asgiref's Local follows contexts).
    operations = type(connection.ops)
    flush, emit = operations.sql_flush, flush_command.emit_post_migrate_signal
    restored = False

    def sql_flush(ops, style, tables, *, reset_sequences=False, allow_cascade=False):
        nonlocal restored
        restored = not reset_sequences
        if reset_sequences:
            return flush(ops, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return flush_sql(tables)

    def emit_post_migrate_signal(*args, **kwargs):
        nonlocal restored
        if not restored:
            emit(*args, **kwargs)
        restored = False

    operations.sql_flush, flush_command.emit_post_migrate_signal = sql_flush, emit_post_migrate_signal
    yield
    operations.sql_flush, flush_command.emit_post_migrate_signal = flush, emit


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """Each process's test database is copied from a template migrated once (tests/testdb.py), not migrated again."""
    from django.db import connection

    use_templates(connection)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request, tmp_path_factory):
    """The test database as migrated, and the data sets this run's tests use, each loaded once a run (tests/preloaded.py)."""
    used = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    # The run's folder: each parallel process's temporary folder is one inside it.
    base = tmp_path_factory.getbasetemp()
    run = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    with django_db_blocker.unblock():
        Migrated.take()
        for name, preload in PRELOADS.items():
            if name in used:
                preload.take_once(run, name)


@pytest.fixture
def one_plan(db) -> Strategy:
    """The Cheshire East SEND and AP One Plan, imported from its fixture as `seed_demo` does."""
    return PRELOADS["one_plan"].load()


@pytest.fixture
def demo_seeded(db) -> Strategy:
    """The whole demo, as `seed_demo` (and so `make run`) leaves it; returns the One Plan."""
    return PRELOADS["demo_seeded"].load()
