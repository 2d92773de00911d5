from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Evidence files go to a throwaway folder, never the checkout's media/."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def as_persona(request, client):
    """Sign the test client in as a persona by name ("anonymous" stays signed out)."""

    def _as(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return _as


@pytest.fixture
def evidence_file(action, owner, level):
    """An update on `action` with one PDF attached, recorded the way the form records it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from actions.services import action_update_record

    update = action_update_record(
        action=action,
        user=owner,
        rating=level("amber"),
        narrative="Audit report attached",
        links=[],
        files=[SimpleUploadedFile("Audit <report>.pdf", PDF_BYTES, content_type="application/pdf")],
        expected_version=action.version,
    )
    return update.evidence.get()


@pytest.fixture(autouse=True)
def _rating_schemes(request):
    """Transactional tests empty the database afterwards, migration data included: put the schemes back."""
    if "transactional_db" not in request.fixturenames:
        return
    from actions.models import RatingLevel, RatingScheme
    from actions.schemes import install_schemes

    if not RatingScheme.objects.exists():
        install_schemes(RatingScheme, RatingLevel)
