"""A new release of the code never serves a page cached by the old one, nor one install another's: every cache key starts
with the deployment and the release."""

from __future__ import annotations

import os

import pytest

from send_tracker.release import source_digest


def test_the_release_changes_when_any_source_file_or_template_changes_and_not_otherwise(tmp_path):
    (tmp_path / "governance").mkdir()
    (tmp_path / "templates").mkdir()
    view = tmp_path / "governance" / "views.py"
    page = tmp_path / "templates" / "dashboard.html"
    view.write_text("def dashboard(): ...\n")
    page.write_text("<h1>Where delivery stands</h1>\n")
    (tmp_path / "notes.md").write_text("not code")
    first = source_digest(tmp_path)
    assert source_digest(tmp_path) == first
    (tmp_path / "notes.md").write_text("still not code")
    assert source_digest(tmp_path) == first
    page.write_text("<h1>Where delivery stands now</h1>\n")
    second = source_digest(tmp_path)
    assert second != first
    stat = view.stat()
    os.utime(view, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert source_digest(tmp_path) not in (first, second)


def test_every_cache_key_of_a_deployment_starts_with_the_release(settings):
    from django.core.cache import caches

    from send_tracker.release import running_deployment, running_release

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_FUNCTION": settings.CACHE_KEY}}
    assert len(running_release()) >= 8
    assert caches["default"].make_key("dashboard:1") == f"{running_deployment()}:{running_release()}:1:dashboard:1"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": "v2.3", "KEY_FUNCTION": settings.CACHE_KEY}
    }
    assert caches["default"].make_key("dashboard:1") == f"{running_deployment()}:v2.3:1:dashboard:1"


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_two_installs_of_one_release_sharing_a_cache_never_read_each_others_entries(settings):
    """A staging and a live site on one Redis: the same key names, different databases, different entries."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": "v2.3", "KEY_FUNCTION": settings.CACHE_KEY}
    }
    shared = caches["default"]
    live = {**settings.DATABASES["default"], "NAME": "send_live", "HOST": "db.example.org", "PORT": "6543"}
    staging = {**live, "NAME": "send_staging"}
    settings.DATABASES = {"default": live}
    shared.set("dashboard:1", "the live dashboard")
    settings.DATABASES = {"default": staging}
    assert shared.get("dashboard:1") is None
    shared.set("dashboard:1", "the staging dashboard")
    settings.DATABASES = {"default": live}
    assert shared.get("dashboard:1") == "the live dashboard"
    settings.DEPLOYMENT_NAME = "northshire-live"
    assert shared.make_key("dashboard:1") == "northshire-live:v2.3:1:dashboard:1"
