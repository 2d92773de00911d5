"""Officers invite people by email; the link works once, expires, and leads to a password and two-factor set-up."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from people.models import Invitation, Membership, Organisation, PersonChange, Post

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "otter kettle lantern 42 violet"


@pytest.fixture
def school(partnership) -> Organisation:
    return Organisation.objects.create(partnership=partnership, name="Northshire Academy Trust", kind=Organisation.Kind.SCHOOL)


def invite(client, officer, partnership, **data):
    client.force_login(officer)
    form = {"email": "sam.head@school.example.org", "first_name": "Sam", "last_name": "Head", "role": "delivery_lead", **data}
    return client.post(reverse("people:invite", args=[partnership.pk]), form)


def link_in(message) -> str:
    return re.search(r"https?://\S+/invitation/(\S+)/", message.body).group(0)


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_an_invitation_names_the_role_and_posts_and_emails_a_link_stored_only_as_a_hash(
    client, officer, partnership, owner_post, school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, officer, partnership, organisation=school.pk, posts=[owner_post.pk])
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["sam.head@school.example.org"]
    assert "Head of Service: Inclusion" in message.body and "delivery lead" in message.body
    token = re.search(r"/invitation/([^/]+)/", message.body).group(1)
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)
    page = client.get(reverse("people:people_list", args=[partnership.pk])).content.decode()
    assert "sam.head@school.example.org" in page and "Waiting to be accepted" in page


def test_accepting_sets_a_password_signs_in_and_opens_my_actions_once(
    client, officer, partnership, owner_post, action, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, officer, partnership, posts=[owner_post.pk])
    client.logout()
    link = path_of(link_in(mail.outbox[0]))
    assert "Join as a delivery lead" in client.get(link).content.decode()
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("actions:my_actions")
    person = User.objects.get(email="sam.head@school.example.org")
    assert person.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=person).role == Membership.Role.DELIVERY_LEAD
    assert "SP1" in client.get(reverse("actions:my_actions")).content.decode()  # the post's action is theirs
    client.logout()
    again = client.get(link)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert client.post(link, {"password1": "another password 123 x", "password2": "another password 123 x"}).status_code == 410
    assert not User.objects.get(pk=person.pk).check_password("another password 123 x")


def test_a_board_member_who_accepts_lands_on_the_dashboard_not_on_an_empty_my_actions(
    client, officer, partnership, action, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, officer, partnership, role="board_member")
    client.logout()
    response = client.post(path_of(link_in(mail.outbox[0])), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reporting:dashboard", args=[action.strategy_id])
    assert "You do not hold a post" not in response.content.decode()


def test_a_new_account_sets_up_two_factor_before_anything_opens(client, officer, partnership, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, officer, partnership)
    client.logout()
    settings.MFA_REQUIRED = True
    client.post(path_of(link_in(mail.outbox[0])), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    response = client.get(reverse("actions:my_actions"))
    assert response["Location"].startswith(reverse("accounts:mfa_setup"))


def test_a_password_that_is_refused_keeps_the_page_and_says_why(client, officer, partnership, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, officer, partnership)
    client.logout()
    link = path_of(link_in(mail.outbox[0]))
    response = client.post(link, {"password1": "short", "password2": "short"})
    assert response.status_code == 422
    assert "There is a problem" in response.content.decode()
    assert not User.objects.filter(email="sam.head@school.example.org").exists()
    mismatch = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "The passwords do not match" in mismatch.content.decode()


def test_an_expired_link_gets_a_clear_page_and_a_resend_sends_a_new_one(
    client, officer, partnership, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_DAYS = 2
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, officer, partnership)
    invitation = Invitation.objects.get()
    assert invitation.expires_at - timezone.now() < dt.timedelta(days=2, minutes=1)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    old_link = path_of(link_in(mail.outbox[0]))
    page = client.get(old_link)
    assert page.status_code == 410 and "This invitation has expired" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:invitation_resend", args=[invitation.pk]))
    new_link = path_of(link_in(mail.outbox[1]))
    assert new_link != old_link
    assert client.get(old_link).status_code == 404  # the first link no longer works at all
    assert client.get(new_link).status_code == 200


def test_a_withdrawn_invitation_no_longer_opens(client, officer, partnership, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, officer, partnership)
    invitation = Invitation.objects.get()
    client.post(reverse("people:invitation_withdraw", args=[invitation.pk]))
    page = client.get(path_of(link_in(mail.outbox[0])))
    assert page.status_code == 410 and "withdrawn" in page.content.decode()
    assert list(PersonChange.objects.values_list("what", flat=True).order_by("id")) == ["Invited", "Invitation withdrawn"]


def test_an_invitation_keeps_what_was_typed_when_refused(client, officer, owner, partnership):
    response = invite(client, officer, partnership, email="OWNER@example.org", first_name="Kept Name")
    assert response.status_code == 422
    page = response.content.decode()
    assert "already a member" in page and 'value="Kept Name"' in page and "There is a problem" in page
    assert not Invitation.objects.exists()


def test_an_officer_cannot_give_posts_or_organisations_of_another_partnership(client, officer, partnership, other_partnership):
    foreign_post = Post.objects.create(partnership=other_partnership, title="Their post")
    foreign_org = Organisation.objects.create(partnership=other_partnership, name="Their council")
    response = invite(client, officer, partnership, posts=[foreign_post.pk], organisation=foreign_org.pk)
    assert response.status_code == 422
    assert "Choose posts of this partnership" in response.content.decode()
    assert not Invitation.objects.exists()


def test_nothing_an_officer_posts_makes_an_install_administrator(client, officer, partnership, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, officer, partnership, role="superuser", is_superuser="on", is_staff="on")
    assert not Invitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, officer, partnership, role="officer", is_superuser="on", is_staff="on")
    client.logout()
    client.post(path_of(link_in(mail.outbox[0])), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    person = User.objects.get(email="sam.head@school.example.org")
    assert not person.is_superuser and not person.is_staff


def test_someone_with_an_account_elsewhere_joins_without_a_new_password(
    client, officer, outsider, partnership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, officer, partnership, email=outsider.email)
    client.logout()
    response = client.post(path_of(link_in(mail.outbox[0])), {})
    assert response["Location"] == reverse("login")
    assert Membership.objects.filter(user=outsider, partnership=partnership, role="delivery_lead").exists()
    assert outsider.check_password("correct horse battery staple")


def test_a_post_nobody_holds_leads_to_an_invitation_with_it_ticked_and_its_organisation_chosen(
    client, officer, owner, owner_post, partnership, other_partnership, school
):
    vacant = Post.objects.create(partnership=partnership, title="SENCO Lead", organisation=school)
    elsewhere = Post.objects.create(partnership=other_partnership, title="Their post")
    client.force_login(officer)
    posts = client.get(reverse("people:post_list", args=[partnership.pk])).content.decode()
    link = f"/partnerships/{partnership.pk}/people/invite/?post={vacant.pk}"
    assert f'href="{link}">Invite someone<span class="govuk-visually-hidden"> to hold SENCO Lead</span>' in posts
    assert f"?post={owner_post.pk}" not in posts  # the owner holds it
    assert f'href="{link}">Invite someone to hold it</a>' in client.get(reverse("people:post_detail", args=[vacant.pk])).content.decode()

    page = client.get(link).content.decode()
    assert re.search(rf'value="{vacant.pk}"[^>]*checked', page) and re.search(rf'<option value="{school.pk}" selected>', page)
    # Another partnership's post, or nonsense, is left out: the form starts empty, as without the link.
    for asked in (elsewhere.pk, "abc", "9" * 30, -1):
        page = client.get(f"{reverse('people:invite', args=[partnership.pk])}?post={asked}").content.decode()
        assert "checked" not in page and " selected>" not in page.split('name="organisation"')[1].split("</select>")[0]
