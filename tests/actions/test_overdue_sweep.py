"""The daily sweep: which actions it flags, and that it is safe to run again or twice at once."""

from __future__ import annotations

import datetime as dt
import threading

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from actions import rules
from actions.chasing import SWEEP_LOCK_KEY, actions_sweep
from actions.models import Action, ActionUpdate, EmailDigest, Notification, Snapshot
from tests.dbconn import connection_params

SEP_2025 = dt.date(2025, 9, 30)


def flags(action: Action, today: dt.date) -> Action:
    """The action as the sweep left it, with its status by the rule book as at `today`."""
    found = rules.with_status(Action.objects.filter(pk=action.pk), today).get()
    for name in ("overdue_since", *rules.STATUS_FIELDS):
        setattr(action, name, getattr(found, name))
    return action


def test_it_does_not_flag_an_action_due_today(make_action):
    action = make_action(due=dt.date(2025, 10, 15), due_precision=Action.DuePrecision.DAY)
    actions_sweep(today=dt.date(2025, 10, 15))
    assert flags(action, dt.date(2025, 10, 15)).overdue_since is None and action.due_soon


def test_it_flags_an_action_due_yesterday_as_overdue_since_today(make_action):
    action = make_action(due=dt.date(2025, 10, 14), due_precision=Action.DuePrecision.DAY)
    actions_sweep(today=dt.date(2025, 10, 15))
    assert flags(action, dt.date(2025, 10, 15)).overdue_since == dt.date(2025, 10, 15) and not action.due_soon


def test_a_month_is_due_by_its_last_day(action):
    actions_sweep(today=dt.date(2025, 9, 30))
    assert flags(action, dt.date(2025, 9, 30)).overdue_since is None
    actions_sweep(today=dt.date(2025, 10, 1))
    assert flags(action, dt.date(2025, 10, 1)).overdue_since == dt.date(2025, 10, 1)


def test_it_records_the_first_overdue_day_even_when_the_sweep_first_runs_later(action):
    actions_sweep(today=dt.date(2025, 11, 20))
    assert flags(action, dt.date(2025, 11, 20)).overdue_since == dt.date(2025, 10, 1)
    actions_sweep(today=dt.date(2025, 11, 21))
    assert flags(action, dt.date(2025, 11, 21)).overdue_since == dt.date(2025, 10, 1)


def test_an_action_to_be_determined_is_never_overdue(make_action):
    action = make_action(due=None)
    actions_sweep(today=dt.date(2030, 1, 1))
    assert flags(action, dt.date(2030, 1, 1)).overdue_since is None and not action.due_soon


@pytest.mark.parametrize("rating", ["amber-e", "green"])
def test_a_complete_action_is_never_overdue_or_due_soon(make_action, rating):
    overdue, soon = make_action(rating=rating), make_action(due=dt.date(2025, 10, 5), rating=rating)
    actions_sweep(today=dt.date(2025, 10, 1))
    assert flags(overdue, dt.date(2025, 10, 1)).overdue_since is None and not flags(soon, dt.date(2025, 10, 1)).due_soon


def test_it_clears_the_overdue_flag_when_the_action_is_completed(action, level):
    actions_sweep(today=dt.date(2025, 10, 1))
    Action.objects.filter(pk=action.pk).update(rating=level("green"))
    result = actions_sweep(today=dt.date(2025, 10, 2))
    assert flags(action, dt.date(2025, 10, 2)).overdue_since is None and not action.inconsistent
    assert result.no_longer_overdue == 1


def test_due_soon_means_from_today_to_fourteen_days_ahead_inclusive(make_action):
    today = dt.date(2025, 10, 1)
    day = Action.DuePrecision.DAY
    at_14 = make_action(due=today + dt.timedelta(days=14), due_precision=day)
    at_15 = make_action(due=today + dt.timedelta(days=15), due_precision=day)
    actions_sweep(today=today)
    assert flags(at_14, today).due_soon and not flags(at_15, today).due_soon


def test_it_flags_on_track_but_overdue_as_inconsistent(make_action):
    on_track, red = make_action(rating="amber"), make_action(rating="red")
    actions_sweep(today=dt.date(2025, 10, 1))
    assert flags(on_track, dt.date(2025, 10, 1)).inconsistent and not flags(red, dt.date(2025, 10, 1)).inconsistent
    assert red.overdue_since is not None


def test_it_flags_unallocated_actions(make_action):
    nobody = make_action(owners=[])
    actions_sweep(today=dt.date(2025, 10, 1))
    assert flags(nobody, dt.date(2025, 10, 1)).unallocated


def test_needs_update_means_no_update_since_the_latest_snapshot(action, make_action, level, strategy):
    updated = make_action()
    actions_sweep(today=dt.date(2025, 9, 1))
    assert flags(action, dt.date(2025, 9, 1)).needs_update  # no snapshot yet: never updated at all
    Snapshot.objects.create(strategy=strategy, as_at=dt.date(2025, 9, 1))
    ActionUpdate.objects.create(action=updated, rating_before=level("amber"), rating_after=level("amber"), narrative="On plan")
    actions_sweep(today=dt.date(2025, 9, 2))
    assert flags(action, dt.date(2025, 9, 2)).needs_update and not flags(updated, dt.date(2025, 9, 2)).needs_update


def test_a_second_run_the_same_day_changes_nothing_and_adds_no_history(action, make_action, owner, officer, strategy):
    make_action(owners=[]), make_action(due=dt.date(2025, 10, 10))
    Snapshot.objects.create(strategy=strategy, as_at=dt.date(2025, 9, 1))
    first = actions_sweep(today=dt.date(2025, 10, 1))
    assert first.changed == first.became_overdue == 2 and first.notifications > 0 and first.digests == 2
    events = apps.get_model("actions", "ActionEvent").objects.count()
    counts = (Notification.objects.count(), EmailDigest.objects.count())
    second = actions_sweep(today=dt.date(2025, 10, 1))
    assert (second.changed, second.became_overdue, second.notifications, second.digests) == (0, 0, 0, 0)
    assert second.overdue == first.overdue == 2
    assert apps.get_model("actions", "ActionEvent").objects.count() == events
    assert (Notification.objects.count(), EmailDigest.objects.count()) == counts


def test_the_command_sweeps_as_at_a_given_day_and_prints_counts(action, capsys):
    call_command("sweep_overdue", "--today", "2025-10-01", "--no-email")
    out = capsys.readouterr().out
    assert "became overdue: 1" in out and "changed: 1" in out
    assert flags(action, dt.date(2025, 10, 1)).overdue_since == dt.date(2025, 10, 1)


def test_the_command_explains_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("sweep_overdue", "--today", "1 October")


@pytest.mark.parametrize("size", [5, 60])
def test_the_sweep_issues_the_same_few_queries_whatever_the_plan_size(
    make_action, owner, officer, strategy, size, django_assert_max_num_queries
):
    Snapshot.objects.create(strategy=strategy, as_at=dt.date(2025, 9, 1))
    for i in range(size):
        make_action(due=SEP_2025 + dt.timedelta(days=i))
    # with one statement for the milestones, and the planner setting the reminders are read with, set and put back
    with django_assert_max_num_queries(12):
        result = actions_sweep(today=dt.date(2025, 10, 20))
    assert result.changed == result.became_overdue == min(size, 20)  # due 30 September plus i days


def test_the_daily_schedule_is_in_the_database_for_officers_to_edit(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="actions.tasks.sweep_overdue")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("6", "0")
    assert str(task.crontab.timezone) == "Europe/London"


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_sweeps_take_turns_and_flag_each_action_once(partnership, strategy, group, owner_post, owner, officer, level):
    for i in range(20):
        action = Action.objects.create(
            strategy=strategy, group=group, ref=f"O{i}", text="Overlap", due_date=SEP_2025, due_precision="month", rating=level("amber")
        )
        action.owners.add(owner_post)
    results, errors = [], []

    def run():
        try:
            results.append(actions_sweep(today=dt.date(2025, 10, 1)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # Hold the sweep's lock from another session, so both runs start and wait on it together.
    with psycopg.connect(**connection_params(), autocommit=False) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK_KEY])
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        waiting = 0
        for _ in range(600):
            waiting = holder.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND NOT granted", [SWEEP_LOCK_KEY]
            ).fetchone()[0]
            if waiting == 2:
                break
            threading.Event().wait(0.05)
        assert waiting == 2, "both sweeps should be waiting for the lock"
        holder.rollback()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(r.became_overdue for r in results) == [0, 20]
    assert Notification.objects.filter(recipient=owner, kind="overdue").count() == 20
    assert EmailDigest.objects.filter(recipient=owner).count() == 1


def test_the_sweep_flags_are_not_history_but_a_persons_change_still_is(action, level):
    before = action.events.count()
    actions_sweep(today=dt.date(2025, 10, 1))  # flags the action overdue and inconsistent
    action.refresh_from_db()
    assert action.overdue_since == dt.date(2025, 10, 1) and flags(action, dt.date(2025, 10, 1)).inconsistent
    assert action.events.count() == before
    Action.objects.filter(pk=action.pk).update(rating=level("green"))
    assert action.events.count() == before + 1


def test_what_the_sweep_tells_people_is_in_their_digest_for_the_day_or_waits_for_the_next(make_action, owner, officer):
    """Each notification is in the person's digest as it is made; one already sent today leaves the news for tomorrow's."""
    from actions.models import EmailPreference

    make_action(ref="A1", due=dt.date(2025, 9, 30))
    EmailPreference.objects.create(user=officer, frequency=EmailPreference.Frequency.WEEKLY)
    sent = EmailDigest.objects.create(recipient=owner, day=dt.date(2025, 10, 1), status=EmailDigest.Status.SENT)
    result = actions_sweep(today=dt.date(2025, 10, 1))  # a Wednesday
    waiting = Notification.objects.filter(kind=Notification.Kind.OVERDUE)
    assert {(n.recipient, n.digest) for n in waiting} == {(owner, None), (officer, None)}
    assert result.digests == 0 and list(EmailDigest.objects.all()) == [sent]

    make_action(ref="A2", due=dt.date(2025, 10, 1))
    result = actions_sweep(today=dt.date(2025, 10, 2))
    [today] = EmailDigest.objects.filter(day=dt.date(2025, 10, 2))
    assert result.digests == 1 and today.recipient == owner and today.status == EmailDigest.Status.PENDING
    assert {n.action.ref for n in today.notifications.all()} == {"A1", "A2"}
    assert not Notification.objects.filter(recipient=officer, digest__isnull=False).exists()  # weekly: Mondays

    make_action(ref="A3", due=dt.date(2025, 10, 5))
    result = actions_sweep(today=dt.date(2025, 10, 6))  # a Monday
    [monday] = EmailDigest.objects.filter(day=dt.date(2025, 10, 6), recipient=officer)
    assert {n.action.ref for n in monday.notifications.all()} == {"A1", "A2", "A3"}
    assert Notification.objects.get(recipient=owner, action__ref="A3", kind=Notification.Kind.OVERDUE).digest.day == dt.date(2025, 10, 6)
