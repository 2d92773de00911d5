"""Keep -> preview -> confirm: the one path every uploaded file takes, whatever its source.

A file is read when it is uploaded and kept with what reading it found (the
preview); nothing is written until the officer confirms, and then the same
bytes are read again under a row lock, so that a second confirmation, or one
after the data changed, can never apply a file twice or apply a stale preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction

from intake.models import Upload
from intake.readers import Applied, Changes, Reader, problem_dict
from intake.tables import RowProblem

_default_record: list[type[Upload]] = []


def default_record_register(model: type[Upload]) -> None:
    """The table that keeps uploads of every source with no table of its own (set once, by the app that owns it)."""
    _default_record[:] = [model]


def upload_record(reader: Reader) -> type[Upload]:
    return reader.record or _default_record[0]


def upload_keep(*, reader: Reader, strategy: Any, user: Any, filename: str, content: bytes) -> Upload:
    """Read an uploaded file for its preview and keep it: PREVIEWED, REJECTED with its problems, or MAPPING."""
    changes, fields = reader.first_read(content, filename, strategy)
    return upload_record(reader).objects.create(
        strategy=strategy,
        uploaded_by=user,
        filename=filename,
        content=content,
        status=_status(changes),
        summary=changes.summary() if changes is not None else {},
        **fields,
    )


def upload_reread(*, reader: Reader, upload: Upload, **fields: Any) -> Changes:
    """Read a kept file again with new fields (a tracker's column mapping) and keep what it now previews."""
    for name, value in fields.items():
        setattr(upload, name, value)
    changes = reader.read(bytes(upload.content), upload.filename, upload.strategy, upload=upload)
    type(upload).objects.filter(pk=upload.pk).update(status=_status(changes), summary=changes.summary(), **fields)
    return changes


def _status(changes: Changes | None) -> str:
    if changes is None:
        return Upload.Status.MAPPING
    return Upload.Status.PREVIEWED if changes.ok else Upload.Status.REJECTED


@dataclass
class Confirmed:
    """How a confirmation ended: `applied` when written; else the upload was closed (problems now, or already done) or clashed."""

    upload: Upload
    applied: Applied | None = None
    closed: bool = False
    conflict: str = ""


def upload_confirm(*, reader: Reader, upload_id: int, user: Any, choices: dict | None = None) -> Confirmed:
    """Apply a previewed upload: all of it or nothing, once."""
    model = upload_record(reader)
    with transaction.atomic():
        upload = model.objects.select_for_update().select_related("strategy").get(pk=upload_id)
        if upload.status != Upload.Status.PREVIEWED:
            return Confirmed(upload, closed=True)
        # The same bytes again: the data may have changed since the preview.
        changes = reader.read(bytes(upload.content), upload.filename, upload.strategy, upload=upload)
        if not changes.ok:
            _close(upload, Upload.Status.REJECTED, changes.summary())
            return Confirmed(upload)
        try:
            with transaction.atomic():
                applied = reader.apply(changes, user=user, strategy=upload.strategy, upload=upload, choices=choices or {})
                _close(upload, Upload.Status.APPLIED, applied.summary)
        except IntegrityError:
            # Someone else wrote the same rows between this reading and the write: nothing of this file was kept.
            return Confirmed(upload, conflict=reader.conflict)
        except DatabaseError as exc:
            # The reading step checks every field against its limits, so this should not happen; if it does,
            # nothing was written and the upload is closed with the reason, not left to fail again.
            problem = RowProblem(0, "", "", f"The {reader.what} could not be saved, and nothing was changed: {str(exc).splitlines()[0]}")
            _close(upload, Upload.Status.REJECTED, {**upload.summary, "problems": [problem_dict(problem)]})
            return Confirmed(upload)
    return Confirmed(upload, applied)


def _close(upload: Upload, status: str, summary: dict) -> None:
    upload.status, upload.summary = status, summary
    upload.save(update_fields=["status", "summary"])
