from __future__ import annotations

import datetime as dt

import pytest

from actions.models import Action


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


@pytest.fixture
def make_action(strategy, group, owner_post, level):
    """Another action of the strategy, owned by the owner's post unless told otherwise."""
    counter = iter(range(1000, 100000))

    def make(due: dt.date | None = dt.date(2025, 9, 30), rating: str = "amber", owners=None, **fields) -> Action:
        precision = fields.pop("due_precision", Action.DuePrecision.MONTH if due else Action.DuePrecision.NONE)
        action = Action.objects.create(
            strategy=strategy,
            group=group,
            ref=fields.pop("ref", f"A{next(counter)}"),
            text=fields.pop("text", "Deliver something"),
            due_date=due,
            due_precision=precision,
            rating=level(rating),
            **fields,
        )
        action.owners.add(*([owner_post] if owners is None else owners))
        return action

    return make
