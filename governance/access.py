"""Who may open a board meeting: every member of its partnership, 404 outside it."""

from __future__ import annotations

from accounts.models import User
from governance.models import Meeting
from people.access import member_object
from people.models import Membership


def get_meeting_for_user(user: User, meeting_id: int) -> tuple[Meeting, Membership]:
    """The meeting, with what its pages read beside it, and the person's membership of its partnership; or 404.

    A meeting's board is always of its strategy's partnership (the calendar's rule), so either says whose it is."""
    found = Meeting.objects.select_related("board__partnership", "strategy__partnership", "strategy__scheme", "snapshot")
    return member_object(user, found, meeting_id, "strategy.partnership_id", "No such meeting.")
