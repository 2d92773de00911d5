"""Emails people keep: counts that count actions, one digest at the chosen frequency, capped, with one-click unsubscribe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from actions.chasing import DIGEST_MAX_ACTIONS, UNSUBSCRIBE_SALT, actions_sweep, digest_send, digests_to_send, unsubscribe_token
from actions.models import Action, DeliveryGroup, EmailPreference, Notification, Strategy

OCT_1 = dt.date(2025, 10, 1)  # a Wednesday
OCT_6 = dt.date(2025, 10, 6)  # a Monday


def send_all() -> None:
    for digest_id in digests_to_send():
        digest_send(digest_id=digest_id)


def email_to(user):
    [email] = [m for m in mail.outbox if m.to == [user.email]]
    return email


def listed_refs(text: str) -> list[str]:
    return re.findall(r"^- ([A-Z]+\d+):", text, flags=re.MULTILINE)


def html_refs(html: str) -> list[str]:
    return re.findall(r'<li><a href="[^"]+/actions/\d+/">([A-Z]+\d+)</a>', html)


def sign_off_for(user, partnership) -> None:
    Notification.objects.create(
        recipient=user, kind=Notification.Kind.SIGN_OFF, event_key="sign-off-1", partnership=partnership,
        message="Sign off Northshire Council's updates for the Partnership Board", link="/meetings/1/sign-off/",
    )  # fmt: skip


def test_the_count_is_of_actions_listed_each_once_and_a_sign_off_is_not_an_action(make_action, owner, partnership):
    make_action(ref="A1", due=dt.date(2025, 9, 30))  # overdue
    make_action(ref="A2", due=dt.date(2025, 9, 15))  # overdue
    make_action(ref="A3", due=dt.date(2025, 10, 10))  # due soon
    sign_off_for(owner, partnership)
    actions_sweep(today=OCT_1)
    send_all()
    email = email_to(owner)
    assert email.subject == "SEND strategy tracker: 3 actions need your attention; a sign-off is due before the board"
    assert sorted(listed_refs(email.body)) == ["A1", "A2", "A3"]
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and sorted(html_refs(html)) == ["A1", "A2", "A3"]
    assert "3 actions need your attention</strong> in SEND strategy tracker: actions you own." in html
    assert "Sign off Northshire Council&#x27;s updates" in html


def test_with_actions_of_two_plans_each_names_its_plan_as_their_refs_may_be_the_same(
    make_action, owner, strategy, group, owner_post, level
):
    make_action(ref="A1", due=dt.date(2025, 9, 30))
    other = Strategy.objects.create(partnership=strategy.partnership, name="Preparing for Adulthood plan", scheme=strategy.scheme)
    other_group = DeliveryGroup.objects.create(strategy=other, priority=group.priority, name="1. Transitions", position=1)
    twin = Action.objects.create(
        strategy=other, group=other_group, ref="A1", text="Deliver something else", due_date=dt.date(2025, 9, 30),
        due_precision=Action.DuePrecision.MONTH, rating=level("amber"),
    )  # fmt: skip
    twin.owners.add(owner_post)
    actions_sweep(today=OCT_1)
    send_all()
    email = email_to(owner)
    assert f"- A1 ({strategy.name}): Deliver something\n" in email.body
    assert "- A1 (Preparing for Adulthood plan): Deliver something else" in email.body
    assert "(Preparing for Adulthood plan): Deliver something else" in email.alternatives[0][0]


def test_with_one_plan_refs_stand_alone(make_action, owner, strategy):
    make_action(ref="A1", due=dt.date(2025, 9, 30))
    actions_sweep(today=OCT_1)
    send_all()
    assert "- A1: Deliver something" in email_to(owner).body and strategy.name not in email_to(owner).body


def test_an_action_flagged_twice_is_listed_and_counted_once(make_action, owner, strategy):
    from actions.models import Snapshot

    Snapshot.objects.create(strategy=strategy, as_at=dt.date(2025, 9, 1))
    make_action(ref="A1", due=dt.date(2025, 9, 30))  # overdue, and no update since the last board
    actions_sweep(today=OCT_1)
    assert Notification.objects.filter(recipient=owner).count() == 2
    send_all()
    email = email_to(owner)
    assert email.subject.endswith(": 1 action needs your attention") and listed_refs(email.body) == ["A1"]


def test_one_action_is_singular_and_a_sign_off_alone_counts_no_actions(make_action, owner, officer, partnership):
    make_action(ref="A1", due=dt.date(2025, 9, 30))
    sign_off_for(officer, partnership)
    Notification.objects.filter(recipient=officer).exclude(kind=Notification.Kind.SIGN_OFF).delete()
    actions_sweep(today=OCT_1)
    Notification.objects.filter(recipient=officer).exclude(kind=Notification.Kind.SIGN_OFF).delete()
    send_all()
    assert email_to(owner).subject.endswith(": 1 action needs your attention")
    officer_email = email_to(officer)
    assert officer_email.subject.endswith(": A sign-off is due before the board")
    assert "action" not in officer_email.subject and listed_refs(officer_email.body) == []


def test_words_fit_the_person_an_officer_is_never_told_they_own_what_they_do_not(make_action, owner, officer):
    make_action(ref="A1", due=dt.date(2025, 9, 30))
    actions_sweep(today=OCT_1)
    send_all()
    assert "actions you own" in email_to(owner).body
    body = email_to(officer).body
    assert "actions you own" not in body and "actions in the plans you are a programme officer for" in body


def test_a_long_digest_lists_the_first_25_and_links_to_the_rest_and_stays_small(make_action, officer):
    for i in range(40):
        make_action(ref=f"L{i}", due=dt.date(2025, 9, 30), text="A long action text that a plan might well have " * 12)
    actions_sweep(today=OCT_1)
    send_all()
    email = email_to(officer)
    assert email.subject.endswith(": 40 actions need your attention")
    assert len(listed_refs(email.body)) == DIGEST_MAX_ACTIONS == 25
    html, _ = email.alternatives[0]
    assert len(html_refs(html)) == 25 and "And 15 more actions" in html and reverse("actions:notifications") in html
    assert len(html.encode()) < 100_000


def test_weekly_people_get_one_email_on_monday_with_the_week_s_news(make_action, owner):
    EmailPreference.objects.create(user=owner, frequency=EmailPreference.Frequency.WEEKLY)
    make_action(ref="A1", due=dt.date(2025, 9, 30))
    actions_sweep(today=OCT_1)
    make_action(ref="A2", due=dt.date(2025, 10, 10))
    actions_sweep(today=dt.date(2025, 10, 2))
    send_all()
    assert [m for m in mail.outbox if m.to == [owner.email]] == []
    actions_sweep(today=OCT_6)
    send_all()
    assert sorted(listed_refs(email_to(owner).body)) == ["A1", "A2"]


def test_escalations_only_people_hear_of_nothing_but_chasing(make_action, owner, partnership):
    EmailPreference.objects.create(user=owner, frequency=EmailPreference.Frequency.ESCALATIONS)
    make_action(ref="A1", due=dt.date(2025, 9, 30))
    actions_sweep(today=OCT_1)
    send_all()
    assert [m for m in mail.outbox if m.to == [owner.email]] == []
    actions_sweep(today=OCT_1 + dt.timedelta(days=partnership.chase_every_days))
    send_all()
    email = email_to(owner)
    assert "STILL OVERDUE" in email.body and listed_refs(email.body) == ["A1"]
    assert "only when an overdue action is chased again or escalated" in email.body


def test_every_digest_offers_one_click_unsubscribe_in_its_headers_and_its_text(make_action, owner, settings):
    make_action(ref="A1", due=dt.date(2025, 9, 30))
    actions_sweep(today=OCT_1)
    send_all()
    email = email_to(owner)
    # The token is signed when the email is made (it carries that second), so it is read back rather than made again here.
    url = re.fullmatch(r"<(.+)>", email.extra_headers["List-Unsubscribe"])[1]
    token = url.removeprefix(settings.SITE_URL).split("/")[-2]
    assert url == settings.SITE_URL + reverse("actions:email_unsubscribe", args=[token])
    assert signing.loads(token, salt=UNSUBSCRIBE_SALT) == {"u": owner.pk, "e": owner.email}
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message = email.message()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in email.body and url in email.alternatives[0][0]


def test_a_mail_program_unsubscribes_with_one_post_no_session_and_no_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    url = reverse("actions:email_unsubscribe", args=[unsubscribe_token(owner)])
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "Emails turned down" in response.content.decode()
    assert EmailPreference.objects.get(user=owner).frequency == EmailPreference.Frequency.ESCALATIONS
    assert "Stop these emails?" in client.get(url).content.decode()  # a person following the link is asked first


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signing.dumps({"u": 1, "e": "owner@example.org"}, salt="some.other.purpose"),
    ],
    ids=["not a token", "signed for another purpose"],  # the same names in every test process
)
def test_a_forged_or_borrowed_token_unsubscribes_nobody(client, owner, token):
    assert client.post(reverse("actions:email_unsubscribe", args=[token])).status_code == 404
    assert not EmailPreference.objects.exists()


def test_a_token_for_an_old_address_stops_working(client, owner):
    token = unsubscribe_token(owner)
    owner.email = "new.address@example.org"
    owner.save()
    assert client.post(reverse("actions:email_unsubscribe", args=[token])).status_code == 404


def test_a_person_chooses_how_often_on_their_preferences_page(client, owner):
    client.force_login(owner)
    url = reverse("actions:email_preferences")
    assert "Daily: one email on any day" in client.get(url).content.decode()
    response = client.post(url, {"frequency": "fortnightly"})
    assert response.status_code == 422 and "Choose how often you want an email" in response.content.decode()
    assert client.post(url, {"frequency": "weekly"}).status_code == 302
    assert EmailPreference.objects.get(user=owner).frequency == EmailPreference.Frequency.WEEKLY
