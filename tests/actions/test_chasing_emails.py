"""Chasing: the daily digest emails and board reminders that the sweep queues."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from actions.chasing import actions_sweep, reminders_queue
from actions.models import Action, EmailDigest, Notification, Snapshot
from actions.tasks import send_pending_digests, sweep_overdue
from people.models import Post

OCT_1 = dt.date(2025, 10, 1)


def emails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


@pytest.fixture
def swept(action, owner, officer, other_lead, outsider, django_capture_on_commit_callbacks):
    """The scheduled task on 1 October: SP1 (due September, owned by `owner`) has just become overdue."""
    with django_capture_on_commit_callbacks(execute=True):
        sweep_overdue.delay(OCT_1.isoformat())
    return action


def test_the_owner_gets_one_digest_listing_the_overdue_action_with_a_link(swept, owner, settings):
    [email] = emails_to(owner.email)
    assert "SP1: Strengthen oversight" in email.body and "OVERDUE" in email.body
    assert f"{settings.SITE_URL}/actions/{swept.pk}/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and f'href="{settings.SITE_URL}/actions/{swept.pk}/"' in html
    assert EmailDigest.objects.get(recipient=owner).status == EmailDigest.Status.SENT


def test_officers_get_a_partnership_digest_and_nobody_else_is_told(swept, officer, other_lead, outsider):
    assert len(emails_to(officer.email)) == 1
    assert emails_to(other_lead.email) == [] and emails_to(outsider.email) == []
    assert len(mail.outbox) == 2


def test_running_again_the_same_day_sends_nothing_more(swept, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sweep_overdue.delay(OCT_1.isoformat())
        send_pending_digests.delay()
    assert len(mail.outbox) == 2


def test_a_new_event_later_the_same_day_waits_for_the_next_days_digest(swept, owner, make_action, django_capture_on_commit_callbacks):
    make_action(ref="SOON", due=dt.date(2025, 10, 10))
    with django_capture_on_commit_callbacks(execute=True):
        sweep_overdue.delay(OCT_1.isoformat())
    assert len(emails_to(owner.email)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        sweep_overdue.delay(dt.date(2025, 10, 2).isoformat())
    first, second = emails_to(owner.email)
    assert "SOON" in second.body and "SP1" not in second.body  # told about SP1 once only
    assert "DUE IN THE NEXT 14 DAYS" in second.body


def test_an_owner_who_has_left_the_post_is_not_sent_its_actions(action, owner, owner_post, officer, django_capture_on_commit_callbacks):
    actions_sweep(today=OCT_1)
    owner.posts.remove(owner_post)
    with django_capture_on_commit_callbacks(execute=True):
        send_pending_digests.delay()
    assert emails_to(owner.email) == []
    assert EmailDigest.objects.get(recipient=owner).last_error.startswith("Nothing the recipient may still see")


def test_hostile_action_text_is_escaped_in_the_html_email(action, owner, django_capture_on_commit_callbacks):
    Action.objects.filter(pk=action.pk).update(text='<script>alert("x")</script> & more')
    with django_capture_on_commit_callbacks(execute=True):
        sweep_overdue.delay(OCT_1.isoformat())
    [email] = emails_to(owner.email)
    html = email.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<script>alert("x")</script> & more' in email.body  # plain text stays readable
    assert "\n" not in email.subject


class FlakyBackend(LocmemBackend):
    """A mail server that is down for the first `failures` attempts."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class RefusingBackend(LocmemBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such mailbox")})


@pytest.fixture
def eager_retries():
    """Eager tasks run their retries inline only when errors are not propagated to the caller."""
    from send_tracker.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_it_retries_a_mail_server_that_is_down_and_sends_once(action, owner, settings, eager_retries, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        sweep_overdue.delay(OCT_1.isoformat())
    digest = EmailDigest.objects.get(recipient=owner)
    assert digest.status == EmailDigest.Status.SENT and digest.attempts == 3
    assert len(emails_to(owner.email)) == 1


def test_it_gives_up_after_bounded_retries_and_shows_officers_the_failure(action, owner, officer, settings, client, eager_retries):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures = 100
    actions_sweep(today=OCT_1)
    send_pending_digests.delay()
    digest = EmailDigest.objects.get(recipient=owner)
    assert digest.status == EmailDigest.Status.FAILED and digest.attempts == 6
    assert "SMTPServerDisconnected" in digest.last_error
    FlakyBackend.failures = 0
    client.force_login(officer)
    html = client.get("/notifications/").content.decode()
    assert "Emails that could not be sent" in html and "owner@example.org" in html and "SMTPServerDisconnected" in html


def test_a_refused_recipient_is_recorded_as_failed_without_retrying(action, owner, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    actions_sweep(today=OCT_1)
    send_pending_digests.delay()
    digest = EmailDigest.objects.get(recipient=owner)
    assert digest.status == EmailDigest.Status.FAILED and digest.attempts == 1
    assert "No such mailbox" in digest.last_error


def test_a_sent_digest_is_never_sent_again(action, owner):
    actions_sweep(today=OCT_1)
    digest = EmailDigest.objects.get(recipient=owner)
    from actions.tasks import send_digest

    assert send_digest.delay(digest.pk).get() == "sent"
    assert send_digest.delay(digest.pk).get() == "skipped"
    assert len(emails_to(owner.email)) == 1


def test_a_digest_left_sending_by_a_dead_worker_is_marked_failed_not_resent(action, owner):
    from django.utils import timezone

    actions_sweep(today=OCT_1)
    EmailDigest.objects.filter(recipient=owner).update(status=EmailDigest.Status.SENDING, claimed_at=timezone.now() - dt.timedelta(hours=1))
    send_pending_digests.delay()
    digest = EmailDigest.objects.get(recipient=owner)
    assert digest.status == EmailDigest.Status.FAILED and "may not have arrived" in digest.last_error
    assert emails_to(owner.email) == []


def test_users_without_an_email_address_still_see_notifications_in_the_app(action, owner):
    type(owner).objects.filter(pk=owner.pk).update(email="")
    actions_sweep(today=OCT_1)
    assert Notification.objects.filter(recipient=owner, kind="overdue").exists()
    assert not EmailDigest.objects.filter(recipient=owner).exists()


class TestBoardReminders:
    deadline = dt.date(2025, 11, 20)

    @pytest.fixture
    def reported(self, action, strategy):
        Snapshot.objects.create(strategy=strategy, as_at=dt.date(2025, 9, 1))
        return action

    def test_it_waits_until_n_days_before_the_deadline(self, reported, strategy, owner):
        assert reminders_queue(strategy=strategy, deadline=self.deadline, days_before=7, today=dt.date(2025, 11, 12)) == 0
        assert reminders_queue(strategy=strategy, deadline=self.deadline, days_before=7, today=dt.date(2025, 11, 21)) == 0
        assert not Notification.objects.filter(kind="reminder").exists()

    def test_it_reminds_owners_of_actions_not_updated_since_the_snapshot_once(
        self, reported, strategy, owner, officer, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_queue(strategy=strategy, deadline=self.deadline, days_before=7, today=dt.date(2025, 11, 13)) == 1
            send_pending_digests()
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_queue(strategy=strategy, deadline=self.deadline, days_before=7, today=dt.date(2025, 11, 14)) == 0
            send_pending_digests()
        [email] = emails_to(owner.email)
        assert "Please update it by 20 November 2025" in email.body and "SP1" in email.body
        assert emails_to(officer.email) == []

    def test_an_updated_action_needs_no_reminder(self, reported, strategy, owner, level):
        from actions.models import ActionUpdate

        ActionUpdate.objects.create(action=reported, rating_before=level("amber"), rating_after=level("amber"), narrative="Done")
        assert reminders_queue(strategy=strategy, deadline=self.deadline, days_before=7, today=dt.date(2025, 11, 13)) == 0

    def test_it_reminds_only_people_of_the_strategys_partnership(self, reported, strategy, outsider, owner_post):
        outsider.posts.add(owner_post)  # a post of another partnership: must not leak across
        reminders_queue(strategy=strategy, deadline=self.deadline, days_before=7, today=dt.date(2025, 11, 13))
        assert not Notification.objects.filter(recipient=outsider).exists()


def test_it_notifies_only_members_holding_the_post(action, owner, outsider, owner_post, officer):
    outsider.posts.add(owner_post)
    Post.objects.create(partnership=action.strategy.partnership, title="Unrelated")
    actions_sweep(today=OCT_1)
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {owner.email, officer.email}
