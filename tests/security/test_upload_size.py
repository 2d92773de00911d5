"""An upload larger than its page accepts is refused before the request body is read, with a page that says what fits."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from actions.models import ActionUpdate, PlanImport
from kpis.models import KpiValue

MEGABYTE = 1024 * 1024


@pytest.fixture
def strict_client(client):
    """A client whose CSRF token is missing: only a refusal made before the body is read can answer it with a 413."""
    return Client(enforce_csrf_checks=True)


def big(name: str, size: int, head: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, head + b"x" * (size - len(head)), content_type="application/octet-stream")


def test_a_plan_larger_than_the_import_limit_is_refused_unread(strict_client, officer, strategy, settings):
    settings.PLAN_IMPORT_MAX_BYTES = 1000
    strict_client.force_login(officer)
    response = strict_client.post(reverse("actions:plan_import_upload", args=[strategy.pk]), {"file": big("plan.csv", MEGABYTE + 2000)})
    assert response.status_code == 413  # not 403: the CSRF check, which reads the body, never ran
    html = response.content.decode()
    assert "The upload is too large" in html and "Nothing has been saved" in html and "1000\xa0bytes" in html
    assert not PlanImport.objects.exists()


def test_evidence_larger_than_the_update_form_accepts_is_refused_unread_and_htmx_shows_the_message(strict_client, owner, action, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    strict_client.force_login(owner)
    url = reverse("actions:action_update", args=[action.pk])
    data = {
        "rating": action.rating_id,
        "narrative": "Attached",
        "version": action.version,
        "files": big("report.pdf", MEGABYTE + 6000, b"%PDF-"),
    }
    response = strict_client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 413
    assert response["HX-Retarget"] == "#main-content" and response["HX-Reselect"] == "#main-content"
    assert "The upload is too large" in response.content.decode()
    assert not ActionUpdate.objects.exists()


def test_a_page_without_uploads_accepts_only_its_form_fields(strict_client, officer, indicator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    strict_client.force_login(officer)
    response = strict_client.post(
        reverse("kpis:value_add", args=[indicator.pk]), {"period": "2025-05", "value": "82", "f": big("a.bin", 20_000)}
    )
    assert response.status_code == 413 and not KpiValue.objects.exists()


def test_uploads_within_the_limits_go_through_as_before(client, officer, owner, action, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    client.force_login(owner)
    data = {"rating": action.rating_id, "narrative": "Attached", "version": action.version, "files": big("note.txt", 500)}
    response = client.post(reverse("actions:action_update", args=[action.pk]), data)
    assert response.status_code == 302 and ActionUpdate.objects.get().evidence.count() == 1


def test_an_open_data_file_up_to_its_own_limit_reaches_the_page_past_the_form_fields_limit(client, officer, strategy, settings):
    # The open-data page takes files up to BENCHMARK_IMPORT_MAX_BYTES (40 MB), more than a form's fields (12 MB).
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = MEGABYTE
    settings.BENCHMARK_IMPORT_MAX_BYTES = 3 * MEGABYTE
    client.force_login(officer)
    head = b"time_period,time_identifier,geographic_level\n"
    response = client.post(reverse("kpis:benchmarks_upload", args=[strategy.pk]), {"file": big("ees.csv", 2 * MEGABYTE, head)})
    assert response.status_code == 302  # read and previewed, not refused as too large
    response = client.post(reverse("kpis:benchmarks_upload", args=[strategy.pk]), {"file": big("ees.csv", 5 * MEGABYTE, head)})
    assert response.status_code == 413
