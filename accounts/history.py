"""Who a change in the history was made by: what pghistory's middleware notes of each request's person."""

from __future__ import annotations

from django.db.models import IntegerField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast


def history_user_id() -> Cast:
    """The id of the person a history event's change was made by, from its context (`pgh_context`): NULL for a change
    made outside a request (a command, a task)."""
    return Cast(KeyTextTransform("user", "pgh_context__metadata"), IntegerField())
