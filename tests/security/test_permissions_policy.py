"""Every response tells the browser that no page of the product may use the camera, microphone, location and the like."""

from __future__ import annotations

import pytest
from django.urls import reverse

DENIED = ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "interest-cohort=()", "browsing-topics=()"]


def assert_denies_features(response) -> None:
    policy = response.headers.get("Permissions-Policy", "")
    for feature in DENIED:
        assert feature in policy, f"{feature!r} missing from {policy!r}"


@pytest.mark.django_db
def test_the_sign_in_page_a_redirect_and_a_not_found_page_carry_it(client, action):
    assert_denies_features(client.get(reverse("login")))
    assert_denies_features(client.get(reverse("actions:action_detail", args=[action.pk])))  # 302 to sign-in
    assert_denies_features(client.get("/no-such-page/"))


def test_pages_fragments_and_downloads_carry_it(client, officer, strategy, action, ready_report, evidence_file):
    client.force_login(officer)
    for url, headers in [
        (reverse("reporting:dashboard", args=[strategy.pk]), {}),
        (reverse("reporting:dashboard", args=[strategy.pk]) + "?rating=amber", {"HX-Request": "true"}),
        (reverse("reporting:dashboard_export", args=[strategy.pk, "xlsx"]), {}),
        (reverse("reporting:report_download", args=[ready_report.pk]), {}),
        (reverse("actions:evidence_download", args=[evidence_file.pk]), {}),
    ]:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert_denies_features(response)
