"""Every table a cached page is built from raises the revision it is cached under, or cannot change under it.

The dashboard (each part), My actions and the public page are built from the
demo with the cache emptied; every table their builds read must have the
triggers of actions/revisions.py, or be listed below with the reason it needs
none. A page that starts reading a new table fails here until the table raises
the revision, so a change to it can never leave a page cached as it was.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import actions.views
import reporting.views
from accounts.models import User
from actions.models import Action, Snapshot
from coproduction.models import PublicPage
from send_tracker import cache as page_cache

pytestmark = pytest.mark.django_db

# Read by a build, yet no change to them can show on a page still cached: each with the reason.
NEEDS_NO_REVISION = {
    "actions_strategyrevision": "the revision itself, read for the keys",
    "actions_snapshotaction": "a snapshot's items: written with the snapshot, whose triggers raise the revision, and never updated",
    "coproduction_snapshotfamiliesview": "the families' views a snapshot froze: written with it, never changed",
    "actions_ratingscheme": "joined to find the strategy's levels; nothing of the scheme itself is shown",
    "accounts_user_posts": "the posts a person holds, in My actions' key",
    "coproduction_publicpage": "the public page's settings, in its key",
    "coproduction_publication": "the public page's latest publication, in its key; publications are append-only",
    "coproduction_publishedsummary": "published with their publication; append-only",
}


def tables_of(queries) -> set[str]:
    return {table for query in queries for table in re.findall(r'(?:FROM|JOIN)\s+"([a-z_0-9]+)"', query["sql"])}


def with_revision_triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE '%\\_changed\\_update'")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def builds(monkeypatch) -> list[set[str]]:
    """The tables each page build (a cache miss) reads, as it reads them."""
    read: list[set[str]] = []

    def built_once(key, latest_key, build, **options):
        def capture():
            with CaptureQueriesContext(connection) as queries:
                html = build()
            read.append(tables_of(queries))
            return html

        return page_cache.page_built_once(key, latest_key, capture, **options)

    monkeypatch.setattr(actions.views, "page_built_once", built_once)
    monkeypatch.setattr(reporting.views, "page_built_once", built_once)
    return read


def test_every_table_a_cached_page_reads_raises_its_revision(client, demo_seeded, builds):
    strategy = demo_seeded
    officer = User.objects.filter(memberships__partnership=strategy.partnership, memberships__role="officer").first()
    client.force_login(officer)
    dashboard = reverse("reporting:dashboard", args=[strategy.pk])
    snapshot = Snapshot.objects.filter(strategy=strategy).latest_first().first()
    htmx = {"HTTP_HX_REQUEST": "true"}
    pages = [
        (dashboard, {}),
        (f"{dashboard}?rating=red&risk_page=1", {}),
        (f"{dashboard}?snapshot={snapshot.pk}&risk_page=1&movement=1", {}),
        (f"{dashboard}?group={strategy.delivery_groups.first().pk}", htmx),
        (reverse("reporting:dashboard_exceptions", args=[strategy.pk, "needs_update"]) + "?needs_update_page=1", htmx),
        (reverse("reporting:dashboard_movement", args=[strategy.pk]) + "?movement=1", htmx),
    ]
    for url, headers in pages:
        cache.clear()
        assert client.get(url, **headers).status_code == 200
    lead = User.objects.filter(posts__actions__strategy=strategy).distinct().first()
    assert Action.objects.filter(owners__holders=lead).exists()
    client.force_login(lead)
    cache.clear()
    assert client.get(reverse("actions:my_actions")).status_code == 200
    assert len(builds) == len(pages) + 1

    page = PublicPage.objects.get(strategy=strategy)
    public = []
    for url in (reverse("coproduction:public_page", args=[page.slug]), reverse("coproduction:public_feed", args=[page.slug])):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url).status_code == 200  # a visitor: nobody signed in
        public.append(tables_of(queries))

    read = set().union(*builds, *public)
    assert {"governance_meeting", "accounts_user", "coproduction_deliverable"} <= read
    unguarded = read - with_revision_triggers() - set(NEEDS_NO_REVISION)
    assert not unguarded, f"cached pages read tables that raise no revision: {sorted(unguarded)}"
