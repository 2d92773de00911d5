"""What a board meeting decided and the actions arising from it.

An action arising is an action in the plan, under the strategy's "Board actions
arising" group and tied to its meeting: it has the same updates, chasing,
escalation and history as every other action, and every page, export and pack
that reads the plan reads it too.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max

from accounts.models import User
from actions.models import ARISING_NAME, Action, DeliveryGroup, Priority, Strategy
from actions.plan import action_create
from governance.models import ActionArising, Decision, Meeting
from people.models import Post

ARISING_REF_PREFIX = "BA"


class DecisionRuleError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def decision_record(*, meeting: Meeting, text: str, by: User | None) -> Decision:
    text = text.strip()
    if not text:
        raise DecisionRuleError("Enter what the board decided", "text")
    if meeting.status == Meeting.Status.CANCELLED:
        raise DecisionRuleError("The meeting was cancelled: move it to a new date first", "text")
    return Decision.objects.create(meeting=meeting, text=text, recorded_by=by)


def arising_group(strategy: Strategy) -> DeliveryGroup:
    """The strategy's "Board actions arising" group (under a priority of the same name, last in the plan), made when first needed."""
    priority = Priority.objects.filter(strategy=strategy, name=ARISING_NAME).first()
    if priority is None:
        last = Priority.objects.filter(strategy=strategy).aggregate(last=Max("position"))["last"] or 0
        priority = Priority.objects.create(
            strategy=strategy, name=ARISING_NAME, position=last + 1, description="Actions the board gave at its meetings."
        )
    group, _created = DeliveryGroup.objects.get_or_create(
        strategy=strategy, priority=priority, parent=None, name=ARISING_NAME, defaults={"position": 0}
    )
    return group


def _next_ref(strategy: Strategy) -> str:
    taken = set(Action.everything.filter(strategy=strategy, ref__istartswith=ARISING_REF_PREFIX).values_list("ref", flat=True))
    number = ActionArising.objects.filter(action__strategy=strategy).count() + 1
    while f"{ARISING_REF_PREFIX}{number}" in taken:
        number += 1
    return f"{ARISING_REF_PREFIX}{number}"


@transaction.atomic
def action_arising_record(*, meeting: Meeting, text: str, owner: Post, due_date: dt.date, by: User) -> ActionArising:
    """Add an action the board gave to the plan, owned by a post and due by a date, tied to the meeting."""
    text = text.strip()
    if not text:
        raise DecisionRuleError("Enter the action the board gave", "text")
    if owner.partnership_id != meeting.board.partnership_id:
        raise DecisionRuleError("Choose a post of this partnership", "owner")
    if due_date < meeting.date:
        raise DecisionRuleError("The due date must be on or after the meeting", "due_date")
    if meeting.status == Meeting.Status.CANCELLED:
        raise DecisionRuleError("The meeting was cancelled: move it to a new date first", "text")
    strategy = meeting.strategy
    action = action_create(
        actor=by,
        strategy=strategy,
        group=arising_group(strategy),
        ref=_next_ref(strategy),
        text=text,
        owners=[owner],
        due_date=due_date,
        due_precision=Action.DuePrecision.DAY,
        rating=strategy.scheme.not_started_level(),
    )
    return ActionArising.objects.create(meeting=meeting, action=action, recorded_by=by)
