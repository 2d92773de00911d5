"""The daily sweep that flags overdue actions, and the chasing emails that follow it.

The sweep is a handful of set-based statements whatever the plan size. It is
idempotent (a second run on the same day changes nothing) and runs under a
transaction-level advisory lock, so two overlapping runs take turns.

Email goes through an outbox (EmailDigest): one digest per person per day,
sent at most once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions import rules
from actions.models import Action, EmailDigest, Notification, Snapshot, Strategy
from people.models import Membership
from send_tracker.notify import EmailRejectedError

logger = logging.getLogger(__name__)

# Any constant: every sweep takes the same lock, in any database session.
SWEEP_LOCK_KEY = 6_100_001
# Longer than the task time limit: a digest still "sending" after this was
# interrupted mid-send, and nobody can know whether the email went.
STALE_SENDING_AFTER = dt.timedelta(minutes=30)


@dataclasses.dataclass(frozen=True)
class SweepResult:
    changed: int = 0
    became_overdue: int = 0
    no_longer_overdue: int = 0
    overdue: int = 0
    due_soon: int = 0
    inconsistent: int = 0
    needs_update: int = 0
    unallocated: int = 0
    notifications: int = 0
    digests: int = 0


def _events(today: dt.date) -> tuple[str, list]:
    """The new events to tell people about, by the rule book, as SQL: (action, partnership, kind, key).

    The event key makes a new event of the same kind (a new due date, a new
    snapshot) notify again: the day the action became overdue, the due date it
    is due soon for, the snapshot it needs an update since.
    """
    actions = Action.objects.annotate(partnership=F("strategy__partnership_id"))
    overdue = actions.filter(rules.overdue(today), overdue_since__isnull=False).values_list(
        "pk", "partnership", Value(Notification.Kind.OVERDUE), Cast("overdue_since", CharField())
    )
    due_soon = actions.filter(rules.due_soon(today)).values_list(
        "pk", "partnership", Value(Notification.Kind.DUE_SOON), Cast("due_date", CharField())
    )
    # Before the first snapshot there is no cycle to be behind in, so nobody is chased for it.
    cycle = Snapshot.objects.filter(strategy=OuterRef("strategy_id")).latest_first().values("pk")[:1]
    needs_update = (
        actions.filter(rules.needs_update_q())
        .annotate(cycle=Subquery(cycle))
        .filter(cycle__isnull=False)
        .values_list("pk", "partnership", Value(Notification.Kind.NEEDS_UPDATE), Cast("cycle", CharField()))
    )
    sql, params = overdue.union(due_soon, needs_update, all=True).query.sql_with_params()
    # An event is told about once, when it happens: an action overdue since the
    # same day, or needing an update since the same snapshot, is not news again
    # tomorrow. (Someone who takes a post later sees the action's status on My
    # actions, not a backlog.) Checking this first keeps a day with nothing new cheap.
    new = f"""
        SELECT e.* FROM ({sql}) AS e (action_id, partnership_id, kind, event_key)
        WHERE NOT EXISTS (
            SELECT 1 FROM actions_notification n WHERE n.action_id = e.action_id AND n.kind = e.kind AND n.event_key = e.event_key
        )"""
    return new, list(params)


# Each event, once per person: the owners (people holding an owner post who
# belong to the partnership) and the partnership's officers.
_NOTIFICATIONS_INSERT = """
WITH events (action_id, partnership_id, kind, event_key) AS ({events}),
recipients AS (
    SELECT e.action_id, e.kind, e.event_key, up.user_id
    FROM events e
    JOIN actions_action_owners o ON o.action_id = e.action_id
    JOIN accounts_user_posts up ON up.post_id = o.post_id
    JOIN people_membership m ON m.user_id = up.user_id AND m.partnership_id = e.partnership_id
    UNION
    SELECT e.action_id, e.kind, e.event_key, m.user_id
    FROM events e JOIN people_membership m ON m.partnership_id = e.partnership_id AND m.role = %s
)
INSERT INTO actions_notification (recipient_id, action_id, kind, event_key, created_at)
SELECT r.user_id, r.action_id, r.kind, r.event_key, now()
FROM recipients r JOIN accounts_user u ON u.id = r.user_id AND u.is_active
ON CONFLICT (recipient_id, action_id, kind, event_key) DO NOTHING
"""

_DIGESTS_INSERT = """
INSERT INTO actions_emaildigest (recipient_id, day, status, created_at, attempts, last_error)
SELECT DISTINCT n.recipient_id, %(day)s::date, 'pending', now(), 0, ''
FROM actions_notification n JOIN accounts_user u ON u.id = n.recipient_id
WHERE n.digest_id IS NULL AND u.is_active AND u.email <> ''
ON CONFLICT (recipient_id, day) DO NOTHING
"""

# A notification joins the person's digest for the day while it is still waiting;
# if today's digest has gone already, it waits for tomorrow's.
_DIGESTS_ATTACH = """
UPDATE actions_notification n SET digest_id = d.id
FROM actions_emaildigest d
WHERE n.digest_id IS NULL AND d.recipient_id = n.recipient_id AND d.day = %(day)s::date AND d.status = 'pending'
"""


def sweep_totals(today: dt.date) -> dict[str, int]:
    """How many actions each rule flags today across the install, and how many the sweep will mark or clear, in one query."""
    found = rules.conditions(today)
    counts = {name: Count("pk", filter=found[name]) for name in ("overdue", "due_soon", "inconsistent", "needs_update", "unallocated")}
    return Action.objects.alias(is_overdue=rules.flag(found["overdue"])).aggregate(
        **counts,
        became_overdue=Count("pk", filter=Q(is_overdue=True, overdue_since__isnull=True)),
        no_longer_overdue=Count("pk", filter=Q(is_overdue=False, overdue_since__isnull=False)),
    )


def overdue_since_record(today: dt.date) -> int:
    """Record the first day each overdue action was overdue, and clear it once it is not: the one state the sweep keeps.

    One set-based UPDATE of only the rows that change, so a run that changes
    nothing writes nothing (and adds nothing to the actions' history).
    """
    changing = Action.objects.alias(is_overdue=rules.flag(rules.overdue(today))).filter(
        Q(is_overdue=True, overdue_since__isnull=True) | Q(is_overdue=False, overdue_since__isnull=False)
    )
    # Only rows that change are touched: one not yet marked becomes overdue the day after it was due.
    return changing.update(overdue_since=Case(When(overdue_since__isnull=True, then=F("due_date") + dt.timedelta(days=1)), default=None))


def actions_sweep(*, today: dt.date | None = None) -> SweepResult:
    """Record when actions became overdue, and queue notifications and digests for what the rule book flags.

    Runs as one transaction under an advisory lock: an overlapping run waits,
    then finds nothing left to change. A second run on the same day changes nothing.
    """
    today = today or timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK_KEY])
        totals = sweep_totals(today)
        changed = overdue_since_record(today)
        events_sql, events_params = _events(today)
        cursor.execute(_NOTIFICATIONS_INSERT.format(events=events_sql), [*events_params, Membership.Role.OFFICER])
        notifications = cursor.rowcount
        digests = _digests_prepare(cursor, day=today)
    return SweepResult(
        changed=changed,
        notifications=notifications,
        digests=digests,
        **totals,
    )


def digests_prepare(*, day: dt.date) -> int:
    """Put the notifications waiting for an email into the day's digests (for notifications queued outside the sweep)."""
    with connection.cursor() as cursor:
        return _digests_prepare(cursor, day=day)


def _digests_prepare(cursor, *, day: dt.date) -> int:
    cursor.execute(_DIGESTS_INSERT, {"day": day})
    created = cursor.rowcount
    cursor.execute(_DIGESTS_ATTACH, {"day": day})
    return created


def reminders_queue(*, strategy: Strategy, deadline: dt.date, days_before: int, today: dt.date | None = None) -> int:
    """Remind the owners of actions not updated since the latest snapshot to update them by the deadline.

    For board meetings: call it daily (or once) with the meeting's update
    deadline. It does nothing until `days_before` days before the deadline,
    and reminds each person about each action once per deadline however often
    it is called. Returns the number of reminders queued; their emails go in
    the person's daily digest, which the caller's task sends after commit.
    """
    today = today or timezone.localdate()
    if not (deadline - dt.timedelta(days=days_before) <= today <= deadline):
        return 0
    due = Action.objects.filter(rules.needs_update_q(), strategy=strategy).values("pk")
    due_sql, due_params = due.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO actions_notification (recipient_id, action_id, kind, event_key, deadline, created_at)
            SELECT DISTINCT up.user_id, o.action_id, %s, %s, %s::date, now()
            FROM actions_action_owners o
            JOIN accounts_user_posts up ON up.post_id = o.post_id
            JOIN accounts_user u ON u.id = up.user_id AND u.is_active
            JOIN people_membership m ON m.user_id = up.user_id AND m.partnership_id = %s
            WHERE o.action_id IN ({due_sql})
            ON CONFLICT (recipient_id, action_id, kind, event_key) DO NOTHING
            """,
            [Notification.Kind.REMINDER, deadline.isoformat(), deadline, strategy.partnership_id, *due_params],
        )
        queued = cursor.rowcount
        _digests_prepare(cursor, day=today)
    return queued


def digests_to_send() -> list[int]:
    """The digests waiting to go. Digests left "sending" by a worker that died are marked failed, never resent."""
    EmailDigest.objects.filter(status=EmailDigest.Status.SENDING, claimed_at__lt=timezone.now() - STALE_SENDING_AFTER).update(
        status=EmailDigest.Status.FAILED,
        last_error="The worker stopped while sending: the email may not have arrived. Check with the recipient.",
    )
    return list(EmailDigest.objects.filter(status=EmailDigest.Status.PENDING).values_list("pk", flat=True))


class TransientEmailError(Exception):
    """The mail server could not be reached or refused for now: try again later."""


# The server rejected this message or the configuration: retrying will not help.
PERMANENT_SMTP_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPAuthenticationError,
    EmailRejectedError,  # GOV.UK Notify refused it (send_tracker.notify)
)
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, ConnectionError)


def digest_send(*, digest_id: int, final_attempt: bool = False) -> str:
    """Send one digest, at most once. Returns what happened: sent, empty, skipped or failed.

    Raises TransientEmailError (with the digest back to pending) when a retry may help.
    """
    with transaction.atomic():
        digest = (
            EmailDigest.objects.select_for_update(skip_locked=True)
            .filter(pk=digest_id, status=EmailDigest.Status.PENDING)
            .select_related("recipient")
            .first()
        )
        if digest is None:  # sent, failed, or being sent by another worker
            return "skipped"
        digest.status = EmailDigest.Status.SENDING
        digest.claimed_at = timezone.now()
        digest.attempts += 1
        digest.save(update_fields=["status", "claimed_at", "attempts"])

    outbox = EmailDigest.objects.filter(pk=digest.pk)
    message = digest_message(digest)
    if message is None:
        outbox.update(status=EmailDigest.Status.SENT, last_error="Nothing the recipient may still see: no email sent.")
        return "empty"
    try:
        message.send()
    except PERMANENT_SMTP_ERRORS as exc:
        outbox.update(status=EmailDigest.Status.FAILED, last_error=_describe(exc))
        return "failed"
    except TRANSIENT_ERRORS as exc:
        status = EmailDigest.Status.FAILED if final_attempt else EmailDigest.Status.PENDING
        outbox.update(status=status, last_error=_describe(exc))
        if final_attempt:
            return "failed"
        raise TransientEmailError(str(exc)) from exc
    except Exception as exc:
        logger.exception("Digest %s could not be sent", digest.pk)
        outbox.update(status=EmailDigest.Status.FAILED, last_error=_describe(exc))
        return "failed"
    # Recorded at once, in its own transaction, before the task is acknowledged:
    # a redelivered task then finds the digest sent and does not send it again.
    outbox.update(status=EmailDigest.Status.SENT, sent_at=timezone.now(), last_error="")
    if settings.DIGEST_PAUSE_AFTER_SEND:
        # Zero except where the worker test sets it, to kill the worker between sending and acknowledging.
        time.sleep(settings.DIGEST_PAUSE_AFTER_SEND)
    return "sent"


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def digest_sections() -> list[tuple[str, str]]:
    """The digest's sections in the order a person acts on them: (notification kind, heading)."""
    return [
        (Notification.Kind.OVERDUE, "Overdue"),
        (Notification.Kind.SIGN_OFF, "Sign off your organisation's updates before the board meeting"),
        (Notification.Kind.REMINDER, "Update before the board meeting"),
        (Notification.Kind.DUE_SOON, f"Due in the next {rules.due_soon_days()} days"),
        (Notification.Kind.NEEDS_UPDATE, "No update since the last report"),
    ]


def digest_message(digest: EmailDigest) -> EmailMultiAlternatives | None:
    """The digest email: only what the recipient may still see, with links into the service."""
    recipient = digest.recipient
    notifications = list(
        digest.notifications.visible_to(recipient)
        .select_related("action__strategy__partnership", "action__rating")
        .order_by("action__strategy__partnership__name", "action__strategy__name", "action__position", "action__id")
    )
    if not notifications or not recipient.email:
        return None
    sections = []
    for kind, heading in digest_sections():
        items = [
            {"notification": n, "action": n.action, "url": settings.SITE_URL + (n.action.get_absolute_url() if n.action else n.link)}
            for n in notifications
            if n.kind == kind
        ]
        if items:
            sections.append({"heading": heading, "items": items})
    context = {
        "recipient": recipient,
        "sections": sections,
        "day": digest.day,
        "service_name": settings.SERVICE_NAME,
        "notifications_url": settings.SITE_URL + reverse("actions:notifications"),
    }
    subject = f"{settings.SERVICE_NAME}: {len(notifications)} action{'s' if len(notifications) != 1 else ''} need your attention"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("actions/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string("actions/email/digest.html", context), "text/html")
    # Through GOV.UK Notify (send_tracker.notify) the digest uses its own template and placeholders.
    message.notify_template = "digest"
    message.notify_reference = f"digest-{digest.pk}"
    message.notify_personalisation = {
        "name": recipient.get_full_name() or recipient.email,
        "count": str(len(notifications)),
        "notifications_url": context["notifications_url"],
    }
    return message
