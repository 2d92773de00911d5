"""Partner sign-off before each board: each organisation that owns actions stands behind its updates.

For every meeting, each organisation owning actions of the meeting's strategy
has a SignOff. Its nominated signatory confirms (or declines, with a reason)
before the papers deadline; an update to one of its actions after it signed
reopens it; signatories who have not signed are reminded once as the
deadline nears, through the notifications and daily digest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from actions.chasing import digests_prepare
from actions.models import Action, Notification, Snapshot, Strategy
from actions.round import round_by_organisation
from governance.models import Meeting, Signatory, SignOff, SignOffEvent
from people.models import Organisation, Post
from send_tracker.statements import kept_objects


class SignOffError(Exception):
    """The sign-off cannot be made now: the message says why."""


class SignOffReasonMissingError(SignOffError):
    """A decline without a reason: the problem is the reason's, not the choice's."""


def organisations_owning(strategy: Strategy | int) -> list[Organisation]:
    """The organisations whose posts own at least one action of the strategy."""
    return list(Organisation.objects.filter(posts__actions__strategy=strategy).distinct().order_by("name"))


def deadline_of(meeting: Meeting) -> dt.date:
    """The last day a sign-off counts: the papers deadline, or the meeting day when none is set."""
    return meeting.papers_deadline or meeting.date


def sign_offs_open(meeting: Meeting, today: dt.date) -> bool:
    """Signatories can still sign off for the meeting: it is scheduled and its papers deadline has not passed."""
    return meeting.status == Meeting.Status.SCHEDULED and today <= deadline_of(meeting)


def sign_offs_for(meeting: Meeting) -> list[SignOff]:
    """The meeting's sign-offs, one per organisation owning actions, made the first time they are asked for."""
    if meeting.status == Meeting.Status.SCHEDULED:
        SignOff.objects.bulk_create(
            [SignOff(meeting=meeting, organisation=org) for org in organisations_owning(meeting.strategy_id)], ignore_conflicts=True
        )
    return list(
        SignOff.objects.filter(meeting=meeting).select_related("organisation__signatory__user", "decided_by").order_by("organisation__name")
    )


def sign_offs_due_for(user: User, today: dt.date, strategy: Strategy | int | None = None) -> list[SignOff]:
    """The sign-offs the person signs as their organisation's signatory, for meetings still to come (of `strategy`
    when given), not yet confirmed: what their first page and the strategy's dashboard point them to."""
    due = SignOff.objects.filter(organisation__signatory__user=user, meeting__status=Meeting.Status.SCHEDULED, meeting__date__gte=today)
    if strategy is not None:
        due = due.filter(meeting__strategy=strategy)
    return list(
        due.exclude(status=SignOff.Status.CONFIRMED)
        .select_related("meeting__board", "organisation")
        .order_by("meeting__date", "organisation__name")
    )


def signatory_of(sign_off: SignOff) -> User | None:
    nominated = getattr(sign_off.organisation, "signatory", None)
    return nominated.user if nominated else None


def sign_off_rows(meeting: Meeting, user: User, *, officer: bool, today: dt.date | None = None) -> list[dict]:
    """The sign-off board's rows: each organisation's sign-off, its signatory, whether this person may sign,
    when it was last reminded, its latest events, (for officers) who could be nominated to sign for it, and while
    sign-offs are open, how far the organisation's actions are updated since the last board: what a signatory confirms."""
    today = today or timezone.localdate()
    sign_offs = sign_offs_for(meeting)
    progress = {}
    if sign_offs_open(meeting, today):
        progress = {row.organisation_id: row for row in round_by_organisation(meeting.strategy, today).organisations if row.organisation_id}
    members = []
    if officer:
        members = list(
            User.objects.filter(memberships__partnership_id=meeting.board.partnership_id, is_active=True).order_by("first_name", "email")
        )
    keys = [f"sign-off-{s.pk}" for s in sign_offs]
    reminded = dict(Notification.objects.filter(kind=Notification.Kind.SIGN_OFF, event_key__in=keys).values_list("event_key", "created_at"))
    rows = []
    for sign_off in sign_offs:
        signatory = signatory_of(sign_off)
        rows.append(
            {
                "sign_off": sign_off,
                "signatory": signatory,
                "can_sign": signatory is not None and signatory.pk == user.pk,
                "reminded_at": reminded.get(f"sign-off-{sign_off.pk}"),
                "events": list(sign_off.events.select_related("by")[:5]),
                "candidates": [m for m in members if m.organisation_id == sign_off.organisation_id] or members,
                "progress": progress.get(sign_off.organisation_id),
            }
        )
    return rows


def sign_off_board_read(meeting: Meeting, user: User, *, officer: bool, today: dt.date) -> dict:
    """What the meeting's sign-off board shows this person: its rows (`sign_off_rows`), the deadline and whether it has
    passed, whether sign-offs are open, and how many organisations have signed."""
    rows = sign_off_rows(meeting, user, officer=officer, today=today)
    deadline = deadline_of(meeting)
    return {
        "meeting": meeting,
        "strategy": meeting.strategy,
        "rows": rows,
        # The round's column: "Updated since the last board", or before the plan's first board, since it came in.
        "updated_heading": "Updated " + next((row["progress"].since for row in rows if row["progress"]), "since the last board"),
        "deadline": deadline,
        "deadline_passed": today > deadline,
        "open": sign_offs_open(meeting, today),
        "is_officer": officer,
        "signed": sum(1 for row in rows if row["sign_off"].is_signed()),
    }


def signatory_nominate(*, organisation: Organisation, user: User, by: User) -> Signatory:
    signatory, _ = Signatory.objects.update_or_create(
        organisation=organisation, defaults={"user": user, "nominated_by": by, "nominated_at": timezone.now()}
    )
    return signatory


@transaction.atomic
def sign_off_decide(*, sign_off: SignOff, user: User, confirm: bool, reason: str = "", today: dt.date | None = None) -> SignOff:
    """The signatory confirms the organisation's updates for the meeting, or declines with a reason.

    Raises SignOffError when the person is not the nominated signatory, the
    deadline has passed, or a decline has no reason.
    """
    today = today or timezone.localdate()
    locked = SignOff.objects.select_for_update().select_related("meeting", "organisation").get(pk=sign_off.pk)
    nominated = Signatory.objects.filter(organisation=locked.organisation_id).values_list("user_id", flat=True).first()
    if nominated != user.pk:
        raise SignOffError(f"Only the nominated signatory of {locked.organisation} can sign off its updates.")
    if locked.meeting.status != Meeting.Status.SCHEDULED:
        raise SignOffError("This meeting is no longer scheduled: its sign-offs are closed.")
    deadline = deadline_of(locked.meeting)
    if today > deadline:
        raise SignOffError(f"The papers deadline was {deadline:%-d %B %Y}: ask the programme officers to record a late sign-off.")
    reason = reason.strip()
    if not confirm and not reason:
        raise SignOffReasonMissingError("Say why you are not signing off, so the officers can act on it.")
    now = timezone.now()
    locked.status = SignOff.Status.CONFIRMED if confirm else SignOff.Status.DECLINED
    locked.decided_by, locked.decided_at, locked.reason = user, now, "" if confirm else reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    SignOffEvent.objects.create(sign_off=locked, status=locked.status, by=user, at=now, reason=locked.reason)
    return locked


def _confirmed_of(action_ids: tuple[int, ...] | list[int], today: dt.date) -> QuerySet[SignOff]:
    """The confirmed sign-offs, for meetings from `today` on, of the organisations owning these actions, locked."""
    updated = Action.objects.filter(pk__in=action_ids)
    # Locked in one order everywhere; the model's ordering would join the organisations only to sort them.
    return (
        SignOff.objects.select_for_update()
        .filter(
            status=SignOff.Status.CONFIRMED,
            organisation_id__in=Post.objects.filter(actions__in=updated).values("organisation_id"),
            meeting__strategy_id__in=updated.values("strategy_id"),
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__date__gte=today,
        )
        .order_by("pk")
    )


def sign_offs_reopen(*, action_ids: list[int], user: User | None, at: dt.datetime) -> int:
    """Reopen the confirmed sign-offs, for meetings still to come, of the organisations owning these actions.

    Runs inside the transaction that updated the actions. Returns how many reopened.
    Usually none is confirmed: that is one query, and the actions' refs are read only for the sign-offs found.
    """
    updated = Action.objects.filter(pk__in=action_ids)
    today = timezone.localdate()
    # One action (an update from its page) is the usual case: that probe's SQL is compiled once a process for each action and day.
    confirmed = kept_objects(_confirmed_of, tuple(action_ids), today) if len(action_ids) == 1 else list(_confirmed_of(action_ids, today))
    if not confirmed:
        return 0
    refs_by_org: dict[int, list[str]] = {}
    for action in updated.prefetch_related("owners").only("pk", "ref"):
        for post in action.owners.all():
            if post.organisation_id:
                refs_by_org.setdefault(post.organisation_id, []).append(action.ref)
    who = f" by {user}" if user else ""
    for sign_off in confirmed:
        refs = ", ".join(sorted(set(refs_by_org[sign_off.organisation_id])))
        reason = f"{refs} updated{who} on {timezone.localtime(at):%-d %B %Y at %H:%M}, after the sign-off."
        sign_off.status, sign_off.reason = SignOff.Status.REOPENED, reason
        sign_off.save(update_fields=["status", "reason"])
        SignOffEvent.objects.create(sign_off=sign_off, status=sign_off.status, by=user, at=at, reason=reason)
    return len(confirmed)


def sign_off_reminders_queue(*, meeting: Meeting, days_before: int, today: dt.date) -> int:
    """Remind each signatory who has not signed off (or whose sign-off reopened), once per meeting, as the deadline nears."""
    deadline = deadline_of(meeting)
    if not (deadline - dt.timedelta(days=days_before) <= today <= deadline):
        return 0
    waiting = [
        s
        for s in sign_offs_for(meeting)
        if s.status in (SignOff.Status.OUTSTANDING, SignOff.Status.REOPENED) and signatory_of(s) is not None and signatory_of(s).is_active
    ]
    link = reverse("governance:sign_off_board", args=[meeting.pk])
    already = set(
        Notification.objects.filter(kind=Notification.Kind.SIGN_OFF, event_key__in=[f"sign-off-{s.pk}" for s in waiting]).values_list(
            "recipient_id", "event_key"
        )
    )
    waiting = [s for s in waiting if (signatory_of(s).pk, f"sign-off-{s.pk}") not in already]
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=signatory_of(s),
                action=None,
                kind=Notification.Kind.SIGN_OFF,
                event_key=f"sign-off-{s.pk}",
                deadline=deadline,
                partnership_id=meeting.board.partnership_id,
                message=f"Sign off {s.organisation}'s updates for the {meeting}"[:500],
                link=link,
            )
            for s in waiting
        ],
        ignore_conflicts=True,  # once each, even when two runs overlap
    )
    digests_prepare(day=today)
    return len(waiting)


def sign_offs_meeting(snapshot: Snapshot) -> Meeting | None:
    """The meeting a pack of the snapshot reports partner sign-off for when it names none: the next on or after its date."""
    return (
        Meeting.objects.filter(strategy_id=snapshot.strategy_id, date__gte=snapshot.as_at)
        .filter(~Q(status=Meeting.Status.CANCELLED))
        .select_related("board")
        .order_by("date")
        .first()
    )


@dataclass(frozen=True)
class SignOffAsAt:
    """An organisation's sign-off for a meeting as it stood at a moment (`sign_offs_as_at`)."""

    organisation_name: str
    signatory: str  # who signed off or declined; otherwise the nominated signatory
    status: str
    decided_at: dt.datetime | None  # when it came to this status; None while never signed off
    reason: str

    def get_status_display(self) -> str:
        return SignOff.Status(self.status).label


def sign_offs_as_at(meeting: Meeting, at: dt.datetime) -> list[SignOffAsAt]:
    """The meeting's sign-offs as they stood at `at`, read from their history (every change is a SignOffEvent, which is
    never altered): what a pack produced at `at` says, the same however often it is read again."""
    sign_offs = sign_offs_for(meeting)
    events = SignOffEvent.objects.filter(sign_off__in=sign_offs, at__lte=at).select_related("by")
    latest = {event.sign_off_id: event for event in events.order_by("sign_off_id", "-at", "-id").distinct("sign_off_id")}
    found = []
    for sign_off in sign_offs:
        event = latest.get(sign_off.pk)
        status = event.status if event else SignOff.Status.OUTSTANDING
        decider = event.by if status in (SignOff.Status.CONFIRMED, SignOff.Status.DECLINED) else None
        signatory = decider or signatory_of(sign_off)
        found.append(
            SignOffAsAt(
                organisation_name=sign_off.organisation.name,
                signatory=str(signatory or ""),
                status=status,
                decided_at=event.at if event else None,
                reason=event.reason if event else "",
            )
        )
    return found


def sign_off_changes_since(meetings_since: dict[int, dt.datetime]) -> dict[int, list[SignOffEvent]]:
    """For each meeting (by id), each organisation's latest change to its sign-off made after the moment given for that
    meeting, oldest first: what a pack produced at that moment does not show. One query for all of them."""
    if not meetings_since:
        return {}
    events = (
        SignOffEvent.objects.filter(sign_off__meeting_id__in=meetings_since, at__gt=min(meetings_since.values()))
        .select_related("sign_off__organisation", "by")
        .order_by("at", "id")
    )
    latest: dict[int, dict[int, SignOffEvent]] = {}
    for event in events:
        meeting_id = event.sign_off.meeting_id
        if event.at > meetings_since[meeting_id]:
            by_organisation = latest.setdefault(meeting_id, {})
            by_organisation.pop(event.sign_off.organisation_id, None)  # re-added last: its latest change, in order
            by_organisation[event.sign_off.organisation_id] = event
    return {meeting_id: list(changes.values()) for meeting_id, changes in latest.items()}
