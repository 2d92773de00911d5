"""The cached public page follows the live plan it shows beside what was published.

Its rating mix, the families' views the forum agreed to publish, the deliverables
and the partnership's name are read live: the rendering is cached under the
strategy's revision as well as the latest publication. These tests commit for
real (as tests/reporting/test_dashboard_cache.py does): each loads the page so it
is cached, makes the change as a user does, and expects the next visitor to see it.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from actions.services import action_update_record
from coproduction.importers import deliverables_apply, deliverables_read
from coproduction.services import families_view_record
from tests.coproduction.test_public_page import public_page, public_urls, published  # noqa: F401  (fixtures)
from tests.reporting.test_cached_pages_follow_boards_and_names import changed_in_the_admin

pytestmark = pytest.mark.django_db(transaction=True)


def page_of(page) -> str:
    response = Client().get(public_urls(page)[0])
    assert response.status_code == 200
    return response.content.decode()


def test_a_view_the_forum_agrees_to_publish_shows_on_the_cached_page(published, group, partner):  # noqa: F811
    assert "AGREED-VIEW" not in page_of(published)
    families_view_record(
        group=group, user=partner, level="some", narrative="AGREED-VIEW a little better", source="Survey", publishable=True
    )
    assert "AGREED-VIEW a little better" in page_of(published)


def test_a_rating_saved_shows_in_the_cached_rating_mix(published, action, owner):  # noqa: F811
    published.show_ratings = True
    published.save()
    assert "Amber 1" in page_of(published)
    red = action.strategy.scheme.levels.get(code="red")
    action_update_record(action=action, user=owner, rating=red, narrative="Blocked", expected_version=action.version)
    html = page_of(published)
    assert "Amber 1" not in html and f"{red.label} 1" in html


def test_deliverables_imported_show_on_the_cached_page(published, strategy):  # noqa: F811
    assert "More specialist places nearer home" not in page_of(published)
    content = b"due,delivery_group,deliverable\nMarch 2027,1. Oversight,More specialist places nearer home\n"
    read = deliverables_read(strategy=strategy, content=content, filename="deliverables.csv")
    assert not read.problems
    deliverables_apply(read, strategy=strategy)
    assert "More specialist places nearer home" in page_of(published)


def test_a_partnership_renamed_shows_on_the_cached_page(published, partnership, administrator):  # noqa: F811
    assert "Northshire SEND Partnership" in page_of(published)
    admin = Client()
    admin.force_login(administrator)
    changed_in_the_admin(admin, reverse("admin:people_partnership_change", args=[partnership.pk]), name="Northshire Families Partnership")
    assert "Northshire Families Partnership" in page_of(published)
