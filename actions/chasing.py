"""The daily sweep that flags overdue actions, and the chasing emails that follow it.

The sweep is a handful of set-based statements whatever the plan size. It is
idempotent (a second run on the same day changes nothing) and runs under a
transaction-level advisory lock, so two overlapping runs take turns.

Email goes through an outbox (EmailDigest): one digest per person per day,
sent at most once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import BigIntegerField, BooleanField, Case, DateTimeField, F, Max, Min, Q, QuerySet, When
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions import rules
from actions.models import Action, ActionUpdate, EmailDigest, EmailPreference, Milestone, Notification, Snapshot, Strategy
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
    chased: int = 0
    escalated: int = 0
    milestones: int = 0


# Every flag the sweep counts, in the order SweepResult lists them.
_COUNTED = ("overdue", "due_soon", "inconsistent", "needs_update", "unallocated")
# Where the sweep's one pass joins in, once for the whole install, the inputs
# the rule book otherwise finds by a probe per action.
_INPUT_ALIASES = {"latest": "sweep_latest", "cycle": "sweep_cycle", "owned": "sweep_owned"}
_ACTION_TABLE = f' FROM "{Action._meta.db_table}" '


def sweep_status(today: dt.date) -> tuple[str, list]:
    """Every live action's status by the rule book, as SQL computed in one pass over the actions.

    Columns: pk, partnership, rating_id, due_date, overdue_since, cycle (the
    strategy's last board, NULL before the first snapshot) and one true/false
    column per rule. The latest and first update per action (in one grouped
    read), the last board per strategy and the actions with an owner are each
    read once and joined, not probed row by row.
    """
    latest = (
        ActionUpdate.objects.order_by().values("action_id").annotate(last_updated_at=Max("created_at"), first_updated_at=Min("created_at"))
    )
    cycles = Snapshot.objects.last_board_first(today, "strategy_id").distinct("strategy_id").values("strategy_id", "pk", "taken_at")
    owned = Action.owners.through.objects.order_by().values("action_id").distinct()
    joins, params = [], []
    for name, query, on in (
        ("latest", latest, '{a}.action_id = "actions_action"."id"'),
        ("cycle", cycles, '{a}.strategy_id = "actions_action"."strategy_id"'),
        ("owned", owned, '{a}.action_id = "actions_action"."id"'),
    ):
        sql, query_params = query.query.sql_with_params()
        alias = _INPUT_ALIASES[name]
        joins.append(f"LEFT JOIN ({sql}) {alias} ON {on.format(a=alias)}")
        params.extend(query_params)
    found = rules.conditions(
        today,
        last_updated_at=RawSQL(f"{_INPUT_ALIASES['latest']}.last_updated_at", [], output_field=DateTimeField()),
        first_updated_at=RawSQL(f"{_INPUT_ALIASES['latest']}.first_updated_at", [], output_field=DateTimeField()),
        cycle_started_at=RawSQL(f"{_INPUT_ALIASES['cycle']}.taken_at", [], output_field=DateTimeField()),
        owned=RawSQL(f"{_INPUT_ALIASES['owned']}.action_id IS NOT NULL", [], output_field=BooleanField()),
    )
    status = (
        Action.objects.order_by()
        .annotate(
            partnership=F("strategy__partnership_id"),
            cycle=RawSQL(f"{_INPUT_ALIASES['cycle']}.pk", [], output_field=BigIntegerField()),
            **{name: rules.flag(found[name]) for name in _COUNTED},
        )
        .values("pk", "partnership", "rating_id", "due_date", "overdue_since", "cycle", *_COUNTED)
    )
    sql, status_params = status.query.sql_with_params()
    # The joins go straight after the actions table, before the joins the ORM made.
    if sql.count(_ACTION_TABLE) != 1:  # pragma: no cover - a guard should the ORM's SQL change shape
        raise RuntimeError("The sweep's status query no longer reads the actions table once")
    head, tail = sql.split(_ACTION_TABLE)
    # Parameters in the order their placeholders appear: the select list, then the joins, then the rest.
    select_placeholders = head.count("%s")
    ordered = [*status_params[:select_placeholders], *params, *status_params[select_placeholders:]]
    return f"{head}{_ACTION_TABLE}{' '.join(joins)} {tail}", ordered


# The whole sweep as one statement over one pass of the actions:
# - record the first overdue day of each action that became overdue, and clear
#   it on each that no longer is (only those rows are written; each is checked
#   again against the row as it is now, so one a person changed meanwhile is
#   left for the next run);
# - the new events to tell people about: the event key makes a new event of
#   the same kind (a new due date, a new snapshot) notify again: the day the
#   action became overdue, the due date it is due soon for, the snapshot it
#   needs an update since. Before the first snapshot there is no board's
#   snapshot to name the event by, so the sweep tells nobody about it (the
#   reminders before the first meeting's deadline do). An event is told about once, when it
#   happens: an action overdue since the same day, or needing an update since
#   the same snapshot, is not news again tomorrow (someone who takes a post
#   later sees the action's status on My actions, not a backlog);
# - each event once per person: the owners (people holding an owner post who
#   belong to the partnership) and the partnership's officers;
# - today's digest of each person told something their email preference takes
#   today (digest_frequencies_due below), made when they have none yet, so that
#   each notification is written once, with its digest, rather than written and
#   then updated (a digest already sent today leaves it waiting for tomorrow's);
# - and the install's totals by the rule book.
_SWEEP = """
WITH status AS MATERIALIZED ({status}),
changed AS (
    UPDATE actions_action a SET overdue_since = CASE WHEN s.overdue THEN s.due_date + 1 END
    FROM status s
    WHERE a.id = s.pk AND s.overdue = (s.overdue_since IS NULL)
      AND a.overdue_since IS NOT DISTINCT FROM s.overdue_since AND a.rating_id = s.rating_id
      AND a.due_date IS NOT DISTINCT FROM s.due_date
    RETURNING a.id
),
events (action_id, partnership_id, kind, event_key) AS (
    SELECT pk, partnership, %s, COALESCE(overdue_since, due_date + 1)::varchar FROM status WHERE overdue
    UNION ALL
    SELECT pk, partnership, %s, due_date::varchar FROM status WHERE due_soon
    UNION ALL
    SELECT pk, partnership, %s, cycle::varchar FROM status WHERE needs_update AND cycle IS NOT NULL
),
new AS (
    SELECT e.* FROM events e
    WHERE NOT EXISTS (
        SELECT 1 FROM actions_notification n WHERE n.action_id = e.action_id AND n.kind = e.kind AND n.event_key = e.event_key
    )
),
recipients AS (
    SELECT e.action_id, e.kind, e.event_key, up.user_id
    FROM new e
    JOIN actions_action_owners o ON o.action_id = e.action_id
    JOIN accounts_user_posts up ON up.post_id = o.post_id
    JOIN people_membership m ON m.user_id = up.user_id AND m.partnership_id = e.partnership_id
    UNION
    SELECT e.action_id, e.kind, e.event_key, m.user_id
    FROM new e JOIN people_membership m ON m.partnership_id = e.partnership_id AND m.role = %s
),
told AS (
    SELECT r.user_id, r.action_id, r.kind, r.event_key, u.email <> '' AS emailed,
           COALESCE(p.frequency, %s) = ANY(%s) AS in_digest
    FROM recipients r JOIN accounts_user u ON u.id = r.user_id AND u.is_active
    LEFT JOIN actions_emailpreference p ON p.user_id = r.user_id
),
made AS (
    INSERT INTO actions_emaildigest (recipient_id, day, status, created_at, attempts, last_error)
    SELECT DISTINCT user_id, %s::date, 'pending', now(), 0, '' FROM told WHERE emailed AND in_digest
    ON CONFLICT (recipient_id, day) DO NOTHING
    RETURNING id, recipient_id
),
digest AS (
    SELECT id, recipient_id FROM made
    UNION ALL
    SELECT id, recipient_id FROM actions_emaildigest WHERE day = %s::date AND status = 'pending'
),
notified AS (
    INSERT INTO actions_notification (recipient_id, action_id, kind, event_key, digest_id, created_at)
    SELECT t.user_id, t.action_id, t.kind, t.event_key, d.id, now()
    FROM told t LEFT JOIN digest d ON d.recipient_id = t.user_id AND t.in_digest
    ON CONFLICT (recipient_id, action_id, kind, event_key) DO NOTHING
    RETURNING 1
)
SELECT
    (SELECT count(*) FROM changed),
    (SELECT count(*) FROM notified),
    (SELECT count(*) FROM made),
    {counts}
FROM status
"""

# Repeat reminders for actions still overdue, on each partnership's schedule, as one statement:
# - an action is due its next reminder when the partnership's interval has passed since the
#   last one (or since it became overdue) and nobody has updated it within the interval;
# - each reminder is numbered within the time the action has been overdue, recorded once
#   (a second run on the same day finds it already sent), and goes to the owners; past the
#   partnership's numbers it goes to the delivery group's lead (or its parent group's) and
#   to the programme officers as well;
# - the notifications wait for each person's digest, as every other notification does.
_CHASE = """
WITH last AS (
    SELECT action_id, overdue_since, max(number) AS number, max(day) AS day
    FROM actions_chasestep GROUP BY action_id, overdue_since
),
due AS (
    SELECT a.id AS action_id, a.overdue_since, COALESCE(l.number, 0) + 1 AS number,
           p.escalate_to_lead_after, p.escalate_to_officer_after
    FROM actions_action a
    JOIN actions_strategy s ON s.id = a.strategy_id
    JOIN people_partnership p ON p.id = s.partnership_id
    LEFT JOIN last l ON l.action_id = a.id AND l.overdue_since = a.overdue_since
    WHERE a.overdue_since IS NOT NULL AND a.retired_at IS NULL AND p.chase_every_days > 0
      AND COALESCE(l.day, a.overdue_since) + p.chase_every_days <= %(today)s::date
      AND NOT EXISTS (
          SELECT 1 FROM actions_actionupdate u
          WHERE u.action_id = a.id AND u.source <> %(imported)s
            AND u.created_at >= (%(today)s::date - p.chase_every_days)::timestamptz
      )
),
steps AS (
    INSERT INTO actions_chasestep (action_id, overdue_since, number, day, to_lead, to_officer, created_at)
    SELECT action_id, overdue_since, number, %(today)s::date,
           number > escalate_to_lead_after, number > escalate_to_officer_after, now()
    FROM due
    ON CONFLICT (action_id, overdue_since, number) DO NOTHING
    RETURNING action_id, to_lead, to_officer, overdue_since::varchar || '#' || number AS event_key
),
stepped AS (
    SELECT st.action_id, st.event_key, st.to_lead, st.to_officer, a.group_id, s.partnership_id
    FROM steps st JOIN actions_action a ON a.id = st.action_id JOIN actions_strategy s ON s.id = a.strategy_id
),
told AS (
    SELECT st.action_id, st.event_key, %(chase)s AS kind, up.user_id, st.partnership_id
    FROM stepped st
    JOIN actions_action_owners o ON o.action_id = st.action_id
    JOIN accounts_user_posts up ON up.post_id = o.post_id
    UNION
    SELECT st.action_id, st.event_key, %(escalation)s, up.user_id, st.partnership_id
    FROM stepped st
    JOIN actions_deliverygroup g ON g.id = st.group_id
    LEFT JOIN actions_deliverygroup pg ON pg.id = g.parent_id
    JOIN accounts_user_posts up ON up.post_id = COALESCE(g.lead_id, pg.lead_id)
    WHERE st.to_lead
    UNION
    SELECT st.action_id, st.event_key, %(escalation)s, m.user_id, st.partnership_id
    FROM stepped st
    JOIN people_membership m ON m.partnership_id = st.partnership_id AND m.role = %(officer)s
    WHERE st.to_officer
),
notified AS (
    INSERT INTO actions_notification (recipient_id, action_id, kind, event_key, created_at)
    SELECT DISTINCT t.user_id, t.action_id, t.kind, t.event_key, now()
    FROM told t
    JOIN accounts_user u ON u.id = t.user_id AND u.is_active
    JOIN people_membership m ON m.user_id = t.user_id AND m.partnership_id = t.partnership_id
    ON CONFLICT (recipient_id, action_id, kind, event_key) DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM steps), (SELECT count(*) FROM steps WHERE to_lead OR to_officer), (SELECT count(*) FROM notified)
"""

# Reminders about milestones, as one statement, by the rule book's milestone rules:
# - a milestone due soon is told about once (its key: the milestone and its due month);
# - an overdue one is told about the day after its month ends, then again every
#   `chase_every_days` of the partnership (numbered from its due month, so a missed
#   day catches up and a second run on the same day finds it told), never when the
#   partnership chases nothing again;
# - to the action's owners who belong to its partnership, waiting for their digest;
#   a new due month, or the milestone marked done, ends the reminders.
_MILESTONES_CHASE = """
WITH due AS (
    SELECT ms.action_id, s.partnership_id, %s AS kind,
           'm' || ms.id || ':' || ms.due_date || '#' ||
               CASE WHEN p.chase_every_days > 0 THEN (%s::date - ms.due_date - 1) / p.chase_every_days + 1 ELSE 1 END AS event_key,
           a.ref || ': ' || ms.title || ', due by ' || to_char(ms.due_date, 'FMMonth YYYY') AS message
    FROM actions_milestone ms
    JOIN actions_action a ON a.id = ms.action_id
    JOIN actions_strategy s ON s.id = a.strategy_id
    JOIN people_partnership p ON p.id = s.partnership_id
    WHERE ms.id IN ({overdue})
    UNION ALL
    SELECT ms.action_id, s.partnership_id, %s, 'm' || ms.id || ':' || ms.due_date,
           a.ref || ': ' || ms.title || ', due by ' || to_char(ms.due_date, 'FMMonth YYYY')
    FROM actions_milestone ms
    JOIN actions_action a ON a.id = ms.action_id
    JOIN actions_strategy s ON s.id = a.strategy_id
    WHERE ms.id IN ({due_soon})
),
new AS (
    SELECT d.* FROM due d
    WHERE NOT EXISTS (
        SELECT 1 FROM actions_notification n WHERE n.action_id = d.action_id AND n.kind = d.kind AND n.event_key = d.event_key
    )
),
notified AS (
    INSERT INTO actions_notification (recipient_id, action_id, kind, event_key, message, created_at)
    SELECT DISTINCT up.user_id, d.action_id, d.kind, d.event_key, d.message, now()
    FROM new d
    JOIN actions_action_owners o ON o.action_id = d.action_id
    JOIN accounts_user_posts up ON up.post_id = o.post_id
    JOIN accounts_user u ON u.id = up.user_id AND u.is_active
    JOIN people_membership m ON m.user_id = up.user_id AND m.partnership_id = d.partnership_id
    ON CONFLICT (recipient_id, action_id, kind, event_key) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM notified
"""

_TOTALS = "SELECT {counts} FROM ({status}) AS status"
_COUNTS = ", ".join(
    [f"count(*) FILTER (WHERE {name})" for name in _COUNTED]
    + ["count(*) FILTER (WHERE overdue AND overdue_since IS NULL)", "count(*) FILTER (WHERE NOT overdue AND overdue_since IS NOT NULL)"]
)
_TOTAL_NAMES = (*_COUNTED, "became_overdue", "no_longer_overdue")

# A notification waiting for an email goes in the person's digest today when it is a repeat
# reminder or an escalation (those go on the day, whatever the person chose), or when the
# person's digest goes today (digest_frequencies_due). Otherwise it waits.
_DIGEST_DUE = """
    n.digest_id IS NULL AND (
        n.kind IN (%(chase)s, %(escalation)s)
        OR COALESCE(p.frequency, %(daily)s) = ANY(%(frequencies)s)
    )
"""


def digest_frequencies_due(day: dt.date) -> list[str]:
    """The email preferences whose digest goes on this day: a daily one (the default) every day, a weekly one on Mondays."""
    due = [EmailPreference.Frequency.DAILY]
    if day.isoweekday() == 1:
        due.append(EmailPreference.Frequency.WEEKLY)
    return [str(frequency) for frequency in due]


_DIGESTS_INSERT = f"""
INSERT INTO actions_emaildigest (recipient_id, day, status, created_at, attempts, last_error)
SELECT DISTINCT n.recipient_id, %(day)s::date, 'pending', now(), 0, ''
FROM actions_notification n
JOIN accounts_user u ON u.id = n.recipient_id
LEFT JOIN actions_emailpreference p ON p.user_id = n.recipient_id
WHERE u.is_active AND u.email <> '' AND {_DIGEST_DUE}
ON CONFLICT (recipient_id, day) DO NOTHING
"""

# A notification joins the person's digest for the day while it is still waiting;
# if today's digest has gone already, it waits for tomorrow's.
_DIGESTS_ATTACH = f"""
UPDATE actions_notification n SET digest_id = d.id
FROM actions_emaildigest d, actions_notification waiting
LEFT JOIN actions_emailpreference p ON p.user_id = waiting.recipient_id
WHERE waiting.id = n.id AND d.recipient_id = n.recipient_id AND d.day = %(day)s::date AND d.status = 'pending'
  AND {_DIGEST_DUE}
"""


@contextlib.contextmanager
def _planned_with(cursor, **settings: str):
    """PostgreSQL's planner settings for the statements run inside, as they were afterwards."""
    previous = {}
    for name, value in settings.items():
        cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value])
        previous[name] = cursor.fetchone()[0]
    yield
    for name, value in previous.items():
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


# The sweep's statements are planned afresh each day over the whole install: compiling them
# (PostgreSQL's JIT) costs seconds and saves nothing, so it is off for their duration.
_WITHOUT_JIT = {"jit": "off"}
# The repeat reminders read the actions the sweep has just marked overdue, which the table's
# statistics (gathered before) do not count yet: planned for the one row they expect, a nested
# loop would read all of the chase steps once for each overdue action, and the steps it is
# writing too. Hash joins read each table once, whatever the counts turn out to be.
_WITHOUT_NESTED_LOOPS = {"enable_nestloop": "off"}


def sweep_totals(today: dt.date) -> dict[str, int]:
    """How many actions each rule flags today across the install, and how many the sweep will mark or clear, in one query."""
    status, params = sweep_status(today)
    with connection.cursor() as cursor, _planned_with(cursor, **_WITHOUT_JIT):
        cursor.execute(_TOTALS.format(counts=_COUNTS, status=status), params)
        return dict(zip(_TOTAL_NAMES, cursor.fetchone(), strict=True))


def overdue_since_record(today: dt.date) -> int:
    """Record the first day each overdue action was overdue, and clear it once it is not: the one state the sweep keeps.

    One set-based UPDATE of only the rows that change, so a run that changes
    nothing writes nothing (and adds nothing to the actions' history). The
    sweep does this within its one statement; this is it alone.
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
    status, params = sweep_status(today)
    kinds = [Notification.Kind.OVERDUE, Notification.Kind.DUE_SOON, Notification.Kind.NEEDS_UPDATE]
    with transaction.atomic(), connection.cursor() as cursor, _planned_with(cursor, **_WITHOUT_JIT):
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK_KEY])
        cursor.execute(
            _SWEEP.format(status=status, counts=_COUNTS),
            [
                *params,
                *kinds,
                Membership.Role.OFFICER,
                EmailPreference.Frequency.DAILY,
                digest_frequencies_due(today),
                today,
                today,
            ],
        )
        changed, notifications, digests_made, *counts = cursor.fetchone()
        totals = dict(zip(_TOTAL_NAMES, counts, strict=True))
        # With today's overdue actions recorded, the ones still overdue are chased again on their partnership's schedule.
        with _planned_with(cursor, **_WITHOUT_NESTED_LOOPS):
            chased, escalated, chase_notifications = _chase(cursor, today=today)
        notifications += chase_notifications
        # Milestones due soon or overdue remind their actions' owners, overdue ones again on the same schedule.
        milestones = _milestones_chase(cursor, today=today)
        notifications += milestones
        # Today's notifications, and those queued outside the sweep or waiting for a weekly digest, join today's digests.
        digests = digests_made + _digests_prepare(cursor, day=today)
    return SweepResult(
        changed=changed,
        notifications=notifications,
        digests=digests,
        chased=chased,
        escalated=escalated,
        milestones=milestones,
        **totals,
    )


def _chase(cursor, *, today: dt.date) -> tuple[int, int, int]:
    """Record today's repeat reminders and escalations: (reminders, of them escalated, notifications)."""
    cursor.execute(
        _CHASE,
        {
            "today": today,
            "imported": ActionUpdate.Source.IMPORT,
            "chase": Notification.Kind.CHASE,
            "escalation": Notification.Kind.ESCALATION,
            "officer": Membership.Role.OFFICER,
        },
    )
    return cursor.fetchone()


def _milestones_chase(cursor, *, today: dt.date) -> int:
    """Tell the owners about milestones due soon (once) and overdue (then again every `chase_every_days`): the notifications made."""
    overdue, overdue_params = Milestone.objects.filter(rules.milestone_overdue(today)).values("pk").query.sql_with_params()
    due_soon, due_soon_params = Milestone.objects.filter(rules.milestone_due_soon(today)).values("pk").query.sql_with_params()
    cursor.execute(
        _MILESTONES_CHASE.format(overdue=overdue, due_soon=due_soon),
        [Notification.Kind.MILESTONE_OVERDUE, today, *overdue_params, Notification.Kind.MILESTONE_DUE, *due_soon_params],
    )
    return cursor.fetchone()[0]


def digests_prepare(*, day: dt.date) -> int:
    """Put the notifications waiting for an email into the day's digests (for notifications queued outside the sweep)."""
    with connection.cursor() as cursor:
        return _digests_prepare(cursor, day=day)


def _digests_prepare(cursor, *, day: dt.date) -> int:
    params = {
        "day": day,
        "chase": Notification.Kind.CHASE,
        "escalation": Notification.Kind.ESCALATION,
        "daily": EmailPreference.Frequency.DAILY,
        "frequencies": digest_frequencies_due(day),
    }
    cursor.execute(_DIGESTS_INSERT, params)
    created = cursor.rowcount
    cursor.execute(_DIGESTS_ATTACH, params)
    return created


def reminder_recipients(partnership_id: int) -> QuerySet:
    """Who a reminder about an action reaches: its owner posts' holders with an active account in the partnership.

    Rows of the action–owner-post link, each with one such holder (`post__holders`): filter by action to ask whether
    an action has anyone to remind. An action with no owner, or whose posts nobody holds, reaches nobody.
    """
    return Action.owners.through.objects.filter(post__holders__is_active=True, post__holders__memberships__partnership_id=partnership_id)


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
    pairs = reminder_recipients(strategy.partnership_id).filter(action_id__in=due).values_list("post__holders", "action_id").distinct()
    pairs_sql, pairs_params = pairs.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO actions_notification (recipient_id, action_id, kind, event_key, deadline, created_at)
            SELECT pair.*, %s, %s, %s::date, now() FROM ({pairs_sql}) AS pair
            ON CONFLICT (recipient_id, action_id, kind, event_key) DO NOTHING
            """,
            [Notification.Kind.REMINDER, deadline.isoformat(), deadline, *pairs_params],
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
    return "sent"


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


# At most this many actions are listed in one digest (so it stays well under the size
# at which mail programs clip a message); the rest are a link away.
DIGEST_MAX_ACTIONS = 25
# The notifications that are not about an action: listed in their own sections, never counted as actions.
_NOT_ACTIONS = (Notification.Kind.SIGN_OFF, Notification.Kind.KPI_ALERT)
# The notifications about an action's milestones: each listed on its own, beside whatever its action is listed for.
_MILESTONES = (Notification.Kind.MILESTONE_OVERDUE, Notification.Kind.MILESTONE_DUE)


def digest_sections() -> list[tuple[str, str]]:
    """The digest's sections in the order a person acts on them: (notification kind, heading).

    An action is listed once, in the first section one of its notifications belongs to.
    """
    return [
        (Notification.Kind.ESCALATION, "Overdue and escalated to you"),
        (Notification.Kind.CHASE, "Still overdue"),
        (Notification.Kind.OVERDUE, "Overdue"),
        (Notification.Kind.MILESTONE_OVERDUE, "Milestones overdue"),
        (Notification.Kind.SIGN_OFF, "Sign off your organisation's updates before the board meeting"),
        (Notification.Kind.KPI_ALERT, "KPIs that crossed their target or tolerance"),
        (Notification.Kind.REMINDER, "Update before the board meeting"),
        (Notification.Kind.DUE_SOON, f"Due in the next {rules.due_soon_days()} days"),
        (Notification.Kind.MILESTONE_DUE, f"Milestones due in the next {rules.due_soon_days()} days"),
        (Notification.Kind.NEEDS_UPDATE, "No update since the last board"),
    ]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 action", "3 actions"."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def digest_subject(*, actions: int, sign_offs: int, kpi_alerts: int, milestones: int = 0) -> str:
    """What the digest is about, counted in the things it lists: "3 actions need your attention"."""
    parts = []
    if actions:
        parts.append(f"{plural(actions, 'action')} {'needs' if actions == 1 else 'need'} your attention")
    if sign_offs:
        parts.append("a sign-off is due before the board" if sign_offs == 1 else f"{sign_offs} sign-offs are due before the board")
    if kpi_alerts:
        parts.append(f"{plural(kpi_alerts, 'KPI')} crossed {'its target' if kpi_alerts == 1 else 'their targets'}")
    if milestones:
        parts.append(f"{plural(milestones, 'milestone')} {'is' if milestones == 1 else 'are'} due or overdue")
    text = "; ".join(parts)
    return f"{settings.SERVICE_NAME}: {text[:1].upper()}{text[1:]}"


def _why(action_id: int, owned: set[int], led: set[int]) -> str:
    if action_id in owned:
        return "You own it"
    if action_id in led:
        return "In a delivery group you lead"
    return ""


def digest_content(digest: EmailDigest) -> dict | None:
    """What a digest says: its sections of actions (each action once), the other items, and the counts.

    None when nothing in it is still the recipient's to see.
    """
    recipient = digest.recipient
    notifications = list(
        digest.notifications.visible_to(recipient)
        .select_related("action__strategy__partnership", "action__rating")
        .order_by("action__strategy__partnership__name", "action__strategy__name", "action__position", "action__id", "id")
    )
    if not notifications or not recipient.email:
        return None
    order = {kind: i for i, (kind, _heading) in enumerate(digest_sections())}
    first_kind: dict[int, Notification] = {}
    others: dict[tuple[str, str], Notification] = {}
    steps = [n for n in notifications if n.kind in _MILESTONES]
    for n in notifications:
        if n.kind in _MILESTONES:
            continue
        if n.action_id is None:
            others.setdefault((n.kind, n.event_key), n)
        elif n.action_id not in first_kind or order[n.kind] < order[first_kind[n.action_id].kind]:
            first_kind[n.action_id] = n
    ids = list(first_kind)
    owned = set(Action.owners.through.objects.filter(action_id__in=ids, post__holders=recipient).values_list("action_id", flat=True))
    led = set(
        Action.everything.filter(pk__in=ids)
        .filter(Q(group__lead__holders=recipient) | Q(group__parent__lead__holders=recipient))
        .values_list("pk", flat=True)
    )
    # Refs are a plan's own: with actions of two plans in one email, each names its plan.
    several_plans = len({n.action.strategy_id for n in first_kind.values()}) > 1
    sections, listed = [], 0
    for kind, heading in digest_sections():
        if kind in _NOT_ACTIONS:
            items = [{"notification": n, "action": None, "url": settings.SITE_URL + n.link} for (k, _), n in others.items() if k == kind]
        elif kind in _MILESTONES:
            items = [
                {"notification": n, "action": None, "url": f"{settings.SITE_URL}{n.action.get_absolute_url()}#milestones"}
                for n in steps
                if n.kind == kind
            ]
        else:
            chosen = [n for n in first_kind.values() if n.kind == kind][: max(DIGEST_MAX_ACTIONS - listed, 0)]
            listed += len(chosen)
            items = [
                {
                    "notification": n,
                    "action": n.action,
                    "url": settings.SITE_URL + n.action.get_absolute_url(),
                    "why": _why(n.action_id, owned, led),
                    "plan": n.action.strategy.name if several_plans else "",
                }
                for n in chosen
            ]
        if items:
            sections.append({"heading": heading, "items": items, "kind": kind})
    whose = []
    if owned:
        whose.append("actions you own")
    if led - owned:
        whose.append("actions in delivery groups you lead")
    if set(ids) - owned - led:
        whose.append("actions in the plans you are a programme officer for")
    if not whose and any(kind == Notification.Kind.SIGN_OFF for kind, _ in others):
        whose.append("what you sign off")
    if not whose and steps:
        whose.append("the milestones of actions you own")
    return {
        "sections": sections,
        "action_count": len(ids),
        "listed": listed,
        "more": len(ids) - listed,
        "sign_offs": sum(1 for kind, _ in others if kind == Notification.Kind.SIGN_OFF),
        "kpi_alerts": sum(1 for kind, _ in others if kind == Notification.Kind.KPI_ALERT),
        "milestones": len(steps),
        "whose": " and ".join([", ".join(whose[:-1]), whose[-1]] if len(whose) > 1 else whose),
    }


def unsubscribe_token(user) -> str:
    """A signed token that turns this person's digest down to escalations only, and does nothing else.

    It names the person and their address as it was: a token sent to an
    address they no longer use stops working.
    """
    return signing.dumps({"u": user.pk, "e": user.email}, salt=UNSUBSCRIBE_SALT)


UNSUBSCRIBE_SALT = "actions.email.unsubscribe"


def digest_message(digest: EmailDigest) -> EmailMultiAlternatives | None:
    """The digest email: only what the recipient may still see, each action once, with links into the service."""
    recipient = digest.recipient
    content = digest_content(digest)
    if content is None:
        return None
    unsubscribe_url = settings.SITE_URL + reverse("actions:email_unsubscribe", args=[unsubscribe_token(recipient)])
    frequency = (
        EmailPreference.objects.filter(user=recipient).values_list("frequency", flat=True).first() or EmailPreference.Frequency.DAILY
    )
    context = {
        **content,
        "recipient": recipient,
        "day": digest.day,
        "service_name": settings.SERVICE_NAME,
        "notifications_url": settings.SITE_URL + reverse("actions:notifications"),
        "preferences_url": settings.SITE_URL + reverse("actions:email_preferences"),
        "unsubscribe_url": unsubscribe_url,
        "frequency": EmailPreference.Frequency(frequency),
    }
    subject = digest_subject(
        actions=content["action_count"], sign_offs=content["sign_offs"], kpi_alerts=content["kpi_alerts"], milestones=content["milestones"]
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("actions/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        # One-click unsubscribe (RFC 8058): mail programs offer it beside the sender and POST to the URL.
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string("actions/email/digest.html", context), "text/html")
    # Through GOV.UK Notify (send_tracker.notify) the digest uses its own template and placeholders.
    message.notify_template = "digest"
    message.notify_reference = f"digest-{digest.pk}"
    message.notify_personalisation = {
        "name": recipient.get_full_name() or recipient.email,
        "count": str(content["action_count"]),
        "notifications_url": context["notifications_url"],
    }
    return message
