"""Security events: one line each on the "send_tracker.security" logger."""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest

logger = logging.getLogger("send_tracker.security")


def security_event(event: str, request: HttpRequest | None = None, user=None, **fields) -> None:
    if user is None and request is not None:
        user = getattr(request, "user", None)
    record = {"event": event, "user_id": user.pk if user is not None and getattr(user, "is_authenticated", False) else None}
    record.update({name: str(value) for name, value in fields.items()})
    logger.info(json.dumps(record, ensure_ascii=True))
