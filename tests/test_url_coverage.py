"""The URL coverage gate knows every URL pattern of the product and records what the tests request."""

from __future__ import annotations

from django.urls import reverse

from tests import url_coverage


def test_it_lists_every_named_pattern_outside_the_admin():
    names = url_coverage.product_url_names()
    assert {
        "login",
        "logout",
        "accessibility",
        "privacy",
        "actions:action_detail",
        "reporting:dashboard_export",
        "kpis:scorecard",
    } <= names
    assert not any(name.startswith("admin:") for name in names)


def test_it_records_the_patterns_that_tests_request(client, db):
    client.get(reverse("privacy"))
    assert "privacy" in url_coverage.requested
