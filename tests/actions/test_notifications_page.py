"""The notifications page, and the sweep's flags on the strategy page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.chasing import actions_sweep
from actions.models import Action, EmailPreference, Notification
from actions.services import action_update_record

OCT_1 = dt.date(2025, 10, 1)


def test_it_lists_the_owners_notifications_with_links(client, action, owner, officer):
    actions_sweep(today=OCT_1)
    client.force_login(owner)
    html = client.get(reverse("actions:notifications")).content.decode()
    assert 'id="kind-overdue">Overdue' in html and f'href="/actions/{action.pk}/"' in html and "Strengthen oversight" in html
    assert "actions you own" in html
    assert "Emails that could not be sent" not in html  # for officers only


def test_it_tells_a_partner_who_owns_no_action_nothing_about_actions_they_own(client, action, partner):
    client.force_login(partner)
    html = client.get(reverse("actions:notifications")).content.decode()
    assert "actions you own" not in html.lower() and "Anything that becomes yours to do appears here." in html


def test_each_kind_shows_its_newest_few_and_pages_through_the_rest(client, make_action, owner, action):
    for i in range(30):
        make_action(ref=f"L{i:02}")
    actions_sweep(today=OCT_1)
    client.force_login(owner)
    html = client.get(reverse("actions:notifications")).content.decode()
    assert html.count('class="app-notifications__item') == 5
    assert "?kind=overdue" in html and "See all 31" in html
    first = client.get(reverse("actions:notifications"), {"kind": "overdue"}).content.decode()
    second = client.get(reverse("actions:notifications"), {"kind": "overdue", "page": "2"}).content.decode()
    assert first.count('class="app-notifications__item') == 25 and second.count('class="app-notifications__item') == 6
    assert 'aria-label="Page 2"' in first


def test_marking_as_read_clears_the_persons_own_unread_and_keeps_them_under_show_all(client, action, owner, officer):
    actions_sweep(today=OCT_1)
    client.force_login(owner)
    response = client.post(reverse("actions:notifications_read") + "?kind=overdue")
    assert response.status_code == 302
    assert "You have no unread notifications" in client.get(reverse("actions:notifications")).content.decode()
    assert "Strengthen oversight" in client.get(reverse("actions:notifications"), {"show": "all"}).content.decode()
    client.force_login(officer)
    assert "Strengthen oversight" in client.get(reverse("actions:notifications")).content.decode(), "the officer's own stay unread"


def test_nobody_sees_notifications_about_another_partnership(client, action, owner, officer, outsider, owner_post):
    outsider.posts.add(owner_post)
    actions_sweep(today=OCT_1)
    client.force_login(outsider)
    html = client.get(reverse("actions:notifications")).content.decode()
    assert "Strengthen oversight" not in html and "You have no unread notifications" in html


def test_it_stops_showing_an_action_once_the_person_leaves_its_post(client, action, owner, owner_post):
    actions_sweep(today=OCT_1)
    owner.posts.remove(owner_post)
    client.force_login(owner)
    assert "Strengthen oversight" not in client.get(reverse("actions:notifications")).content.decode()


def test_hostile_text_is_escaped_on_the_notifications_page(client, action, owner):
    Action.objects.filter(pk=action.pk).update(text="<script>alert(1)</script>")
    actions_sweep(today=OCT_1)
    client.force_login(owner)
    html = client.get(reverse("actions:notifications")).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_page_needs_sign_in(client):
    response = client.get(reverse("actions:notifications"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("size", [3, 40])
def test_the_page_issues_a_bounded_number_of_queries(client, make_action, owner, officer, size, django_assert_max_num_queries):
    for _ in range(size):
        make_action()
    actions_sweep(today=OCT_1)
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("actions:notifications")).status_code == 200


def test_the_strategy_page_shows_overdue_and_due_soon_in_words_before_any_sweep(client, action, make_action, board):
    today = timezone.localdate()
    Action.objects.filter(pk=action.pk).update(due_date=today - dt.timedelta(days=1), due_precision=Action.DuePrecision.DAY)
    make_action(ref="SOON", due=today + dt.timedelta(days=5), due_precision=Action.DuePrecision.DAY)
    make_action(ref="LATE", rating="red", due=today - dt.timedelta(days=1), due_precision=Action.DuePrecision.DAY)
    client.force_login(board)
    html = client.get(reverse("actions:strategy_detail", args=[action.strategy_id])).content.decode()
    assert ">Overdue</strong>" in html and ">Due soon</strong>" in html and ">On track but overdue</strong>" in html


def test_every_page_links_to_notifications_and_marks_it_current_there(client, owner):
    client.force_login(owner)
    html = client.get(reverse("actions:strategy_list")).content.decode()
    assert f'href="{reverse("actions:notifications")}">Notifications</a>' in html
    html = client.get(reverse("actions:notifications")).content.decode()
    assert re.search(r'aria-current="page">\s*<strong class="govuk-service-navigation__active-fallback">Notifications<', html)


def test_an_officer_who_owns_nothing_is_told_about_the_partnerships_actions_in_one_sentence(client, action, officer):
    client.force_login(officer)
    html = client.get(reverse("actions:notifications")).content.decode()
    assert "What needs your attention: every action of the partnerships you are a programme officer for." in html
    assert "actions you own" not in html


def test_an_owner_is_told_their_actions_milestones_are_among_what_needs_their_attention(client, action, owner):
    client.force_login(owner)
    html = client.get(reverse("actions:notifications")).content.decode()
    assert "actions you own that became overdue, are due soon or need an update before the board, and their milestones" in html


@pytest.mark.parametrize(
    ("frequency", "said"),
    [
        (None, "You also get these by email, at most once a day."),
        ("weekly", "You also get these by email, once a week on Mondays."),
        ("escalations", "You get an email only when an overdue action is chased again or escalated."),
    ],
)
def test_it_says_how_often_the_person_chose_to_be_emailed_and_links_to_change_it(client, owner, frequency, said):
    if frequency:
        EmailPreference.objects.create(user=owner, frequency=frequency)
    client.force_login(owner)
    html = client.get(reverse("actions:notifications")).content.decode()
    assert said in html
    assert f'<a class="govuk-link" href="{reverse("actions:email_preferences")}">Choose how often you get emails</a>' in html
    if frequency:
        assert "at most once a day" not in html


def test_a_notification_about_an_action_completed_since_says_it_is_complete_now(client, action, owner, level):
    actions_sweep(today=OCT_1)
    client.force_login(owner)
    assert "complete now" not in client.get(reverse("actions:notifications")).content.decode()
    Action.objects.filter(pk=action.pk).update(rating=level("green"))
    html = client.get(reverse("actions:notifications")).content.decode()
    overdue = html.split('id="kind-overdue">', 1)[1].split("</section>", 1)[0]
    assert f'href="/actions/{action.pk}/"' in overdue and "complete now: nothing more to do" in overdue


def test_a_request_for_an_update_says_once_one_is_recorded_that_nothing_more_is_needed(client, action, owner, level):
    """A "needs an update" notification stays until the person marks it read, but once anyone records an update on the
    action it says so, and when; an overdue one does not, as an update does not make it any less overdue."""
    when = timezone.now() - dt.timedelta(days=3)
    for kind in (Notification.Kind.NEEDS_UPDATE, Notification.Kind.OVERDUE):
        Notification.objects.create(recipient=owner, action=action, kind=kind, event_key="test", created_at=when)
    client.force_login(owner)

    def section(kind: str) -> str:
        html = client.get(reverse("actions:notifications")).content.decode()
        return html.split(f'id="kind-{kind}">', 1)[1].split("</section>", 1)[0]

    assert "nothing more to do" not in section("needs_update")
    action_update_record(action=action, user=owner, rating=level("amber"), narrative="Panel met.", expected_version=action.version)
    assert f"updated on {timezone.localdate():%-d %b %Y}: nothing more to do" in section("needs_update")
    assert "nothing more to do" not in section("overdue")
