"""A new release of the code never serves a page cached by the old one: every cache key starts with the release."""

from __future__ import annotations

import os

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

    from send_tracker.release import running_release

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_FUNCTION": settings.CACHE_KEY}}
    assert len(running_release()) >= 8
    assert caches["default"].make_key("dashboard:1") == f"{running_release()}:1:dashboard:1"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": "v2.3", "KEY_FUNCTION": settings.CACHE_KEY}
    }
    assert caches["default"].make_key("dashboard:1") == "v2.3:1:dashboard:1"
