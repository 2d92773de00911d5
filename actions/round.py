"""The update round before a board meeting: whose actions are updated for it, and whose are not yet.

An action is updated for the round when something was recorded since its
strategy's last board's snapshot (the rule book's "needs an update", negated); the
round is named after the strategy's next scheduled meeting. Which actions are in
the round is the rule book's `in_round`: an action completed during the cycle
stays in it, updated; one complete before the cycle, or retired, is not.

Meetings belong to governance, a layer above: it tells the round how to find
the next one (`actions.signals.next_meeting_finder_set`, called from its AppConfig.ready).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from accounts.models import User
from actions import rules
from actions.chasing import reminder_recipients, reminders_queue
from actions.models import Action, Strategy
from actions.reads import my_actions_for, round_since
from actions.signals import RoundMeeting, next_meeting
from people.models import Post


@dataclass
class Round:
    strategy: Strategy
    meeting: RoundMeeting | None
    actions: list[Action] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.actions)

    @property
    def updated(self) -> int:
        return sum(1 for action in self.actions if not action.status.needs_update)

    def label(self) -> str:
        """ "7 of 19 updated for the SEND Partnership Board on 12 March 2026"."""
        if self.meeting:
            target = f"for the {self.meeting.board} on {self.meeting.date:%-d %B %Y}"
        else:
            target = round_since({action.cycle_started_at is not None for action in self.actions})
        return f"{self.updated} of {self.total} updated {target}"


def rounds_for(user: User, today: dt.date | None = None) -> list[Round]:
    """The person's own actions in each strategy's round, from the same read as My actions."""
    today = today or timezone.localdate()
    mine = my_actions_for(user, today=today)
    rounds = []
    for by_strategy in mine.strategies:
        actions = [a for rows in by_strategy.groups.values() for a in rows.actions if a.in_round]
        if actions:
            rounds.append(Round(by_strategy.strategy, next_meeting(by_strategy.strategy, today), actions))
    return rounds


@dataclass
class OrganisationProgress:
    name: str
    organisation_id: int | None = None  # None: actions with no owner, or owned by posts of no organisation
    total: int = 0
    updated: int = 0
    unreachable: int = 0  # not yet updated, and a reminder would reach nobody (`reminder_recipients`)
    since: str = "since the last board"  # where the round counts from, in words (`RoundProgress.since`)

    @property
    def not_updated(self) -> int:
        return self.total - self.updated


@dataclass
class RoundProgress:
    """The round by owner organisation, and how many actions have no update yet, each counted once
    (an action two organisations own is in both of their rows)."""

    organisations: list[OrganisationProgress]
    not_updated: int
    unreachable: int = 0  # of those not updated, the actions a reminder would reach nobody about
    since_board: bool = True  # whether the plan has had a board; before its first, the round counts from each starting rating

    @property
    def since(self) -> str:
        """Where the round counts from, in words: "3 actions with no update since the last board"."""
        return round_since({self.since_board})

    @property
    def counted_twice(self) -> bool:
        """Whether an action shared by organisations makes their rows add up to more than the actions not updated,
        which a page showing both says in words (`counted_twice_note`)."""
        return sum(row.not_updated for row in self.organisations) > self.not_updated

    @property
    def counted_twice_note(self) -> str:
        """The sentence a page showing the rows and the total says when they do not add up; empty when they do."""
        if not self.counted_twice:
            return ""
        actions = "action" if self.not_updated == 1 else "actions"
        return (
            "An action owned in more than one organisation is counted under each, so these rows add up to more than "
            f"the {self.not_updated} {actions} not yet updated."
        )

    @property
    def to_chase(self) -> list[OrganisationProgress]:
        """The organisations with actions not yet updated."""
        return [row for row in self.organisations if row.not_updated]


def round_by_organisation(strategy: Strategy, today: dt.date | None = None) -> RoundProgress:
    """How far each owner organisation has got with the round: its actions in the round (`rules.in_round`) and how
    many are updated (every one completed during the cycle is)."""
    today = today or timezone.localdate()
    actions = (
        rules.with_status(Action.objects.filter(rules.in_round_q(), strategy=strategy), today)
        .annotate(
            remindable=Exists(reminder_recipients(strategy.partnership_id).filter(action_id=OuterRef("pk"))),
            board_at=rules.cycle_started_at(),
        )
        .prefetch_related(Prefetch("owners", queryset=Post.objects.select_related("organisation")))
    )
    found: dict[str, OrganisationProgress] = {}
    not_updated = unreachable = 0
    since_board = False
    for action in actions:
        since_board |= action.board_at is not None
        not_updated += action.needs_update
        unreachable += action.needs_update and not action.remindable
        owners = {
            (post.organisation.name, post.organisation_id) if post.organisation else ("Organisation not given", None)
            for post in action.owners.all()
        }
        for name, organisation_id in owners or {("To be allocated", None)}:
            progress = found.setdefault(name, OrganisationProgress(name, organisation_id))
            progress.total += 1
            progress.updated += not action.needs_update
            progress.unreachable += action.needs_update and not action.remindable
    organisations = sorted(found.values(), key=lambda p: (p.updated / p.total if p.total else 1, p.name))
    progress = RoundProgress(organisations, not_updated, unreachable, since_board=since_board or not organisations)
    for row in organisations:
        row.since = progress.since
    return progress


@dataclass
class Chased:
    """What a chase did: the reminders it queued, and the round as it stands, with the actions it could reach nobody about."""

    queued: int
    progress: RoundProgress

    def message(self) -> str:
        """What the officer is told: never "chased everyone" when some had no one to remind or were reminded before."""
        reachable = self.progress.not_updated - self.progress.unreachable
        if self.queued:
            said = f"{self.queued} reminder{'s' if self.queued != 1 else ''} queued: they go in each owner's next email digest."
        elif reachable:
            said = "No new reminders: everyone who can be reminded about an action not yet updated already has been, for this meeting."
        elif not self.progress.not_updated:
            return "Every action in the round has been updated: there is no one to chase."
        else:
            said = "No reminders queued."
        if count := self.progress.unreachable:
            said += (
                f" {count} action{'s' if count != 1 else ''} not yet updated {'have' if count != 1 else 'has'} no one to remind: see below."
            )
        return said


def round_chase(strategy: Strategy, meeting: RoundMeeting, today: dt.date | None = None) -> Chased:
    """Remind the owners of every action not yet updated for the meeting (each person about each action once per meeting)."""
    today = today or timezone.localdate()
    deadline = meeting.papers_deadline or meeting.date
    if deadline < today:
        deadline = meeting.date
    queued = reminders_queue(strategy=strategy, deadline=deadline, days_before=max((deadline - today).days, 0), today=today)
    return Chased(queued, round_by_organisation(strategy, today))
