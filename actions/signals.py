"""What the plan tells the apps above it, which it may not import.

`actions_updated` is sent inside the transaction that changed the actions
(a person's update, a plan import), with `action_ids`, `user` (or None) and
`at`. Governance listens to reopen a partner's sign-off.

`on_snapshot_taken` lets an app keep its own rows as they stood when a
snapshot was taken (the risk register, the finance plan's mitigations).

The update round is named after the strategy's next board meeting, which
governance keeps: it tells the plan how to find one (`next_meeting_finder_set`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models.signals import post_save
from django.dispatch import Signal

if TYPE_CHECKING:
    from actions.models import Strategy

actions_updated = Signal()


@dataclass(frozen=True)
class RoundMeeting:
    """The meeting a round is for: its date, its board's name and its papers deadline."""

    date: dt.date
    board: str
    papers_deadline: dt.date | None = None


NextMeetingFinder = Callable[["Strategy", dt.date], "RoundMeeting | None"]


def _no_meeting(strategy: Strategy, today: dt.date) -> RoundMeeting | None:
    return None


_next_meeting_finder: NextMeetingFinder = _no_meeting


def next_meeting_finder_set(finder: NextMeetingFinder) -> None:
    global _next_meeting_finder
    _next_meeting_finder = finder


def next_meeting(strategy: Strategy, today: dt.date) -> RoundMeeting | None:
    """The strategy's next scheduled meeting on or after today, if any."""
    return _next_meeting_finder(strategy, today)


def on_snapshot_taken(freeze: Callable, dispatch_uid: str) -> None:
    """Call `freeze` with every new snapshot, in the transaction that takes it, so its rows are frozen with the plan's."""

    def taken(sender, instance, created, **kwargs) -> None:
        if created:
            freeze(instance)

    post_save.connect(taken, sender="actions.Snapshot", dispatch_uid=dispatch_uid, weak=False)
