"""Sessions kept no longer than they are of use."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


def sessions_clear(*, now: dt.datetime | None = None) -> int:
    """Delete the sessions that ended more than a session's absolute lifetime ago, in one statement; how many.

    Django leaves an ended session's row until it is cleared. One that ended recently says whose a form sent after it
    was (accounts/unsent.py keeps the form for that person), so it stays for as long as a session could have lasted.
    """
    ended_before = (now or timezone.now()) - dt.timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)
    deleted, _ = Session.objects.filter(expire_date__lt=ended_before).delete()
    return deleted
