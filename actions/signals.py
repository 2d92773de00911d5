"""What the plan tells the apps above it, which it may not import.

`actions_updated` is sent inside the transaction that changed the actions
(a person's update, a plan import), with `action_ids`, `user` (or None) and
`at`. Governance listens (`on_actions_updated`) to reopen a partner's sign-off.

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
from django.utils.module_loading import import_string

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


def on_snapshot_taken(freeze: str) -> None:
    """Call the function at the dotted path `freeze` with every new snapshot, in the transaction that takes it.

    The app's rows are so frozen with the plan's; its module is loaded at the first snapshot, not as a process starts.
    """

    def taken(sender, instance, created, **kwargs) -> None:
        if created:
            import_string(freeze)(instance)

    post_save.connect(taken, sender="actions.Snapshot", dispatch_uid=freeze, weak=False)


def on_actions_updated(receiver: str) -> None:
    """Call the function at the dotted path `receiver` with `action_ids`, `user` and `at` whenever actions are updated.

    Its module is loaded at the first update, not as a process starts.
    """

    def updated(sender, *, action_ids, user, at, **kwargs) -> None:
        import_string(receiver)(action_ids=action_ids, user=user, at=at)

    actions_updated.connect(updated, dispatch_uid=receiver, weak=False)
