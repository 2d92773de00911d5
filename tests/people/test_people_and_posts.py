"""Officers change roles and posts, deactivate people, hand posts over and merge them: every change recorded."""

from __future__ import annotations

import pytest
from django.db import ProgrammingError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from kpis.models import Indicator
from people.models import Membership, Organisation, PersonChange, Post
from tests.conftest import make_user
from tests.markup import shown

pytestmark = pytest.mark.django_db


def member(user, partnership) -> Membership:
    return Membership.objects.get(user=user, partnership=partnership)


def test_the_people_list_shows_each_member_and_filters_by_organisation_and_role(client, officer, owner, board, partnership, owner_post):
    school = Organisation.objects.create(partnership=partnership, name="Northshire Academy Trust")
    owner.organisation = school
    owner.save()
    client.force_login(officer)
    url = reverse("people:people_list", args=[partnership.pk])
    page = client.get(url).content.decode()
    assert all(email in page for email in ["owner@example.org", "board@example.org", "officer@example.org"])
    assert "Head of Service: Inclusion" in page and "Never" in page and "Not set up" in page
    by_org = client.get(url, {"organisation": school.pk}).content.decode()
    assert "owner@example.org" in by_org and "board@example.org" not in by_org
    by_role = client.get(url, {"role": "board_member"}).content.decode()
    assert "board@example.org" in by_role and "owner@example.org" not in by_role


@pytest.mark.parametrize("size", [5, 40])
def test_the_people_list_issues_a_bounded_number_of_queries(client, officer, partnership, size, django_assert_max_num_queries):
    for i in range(size):
        post = Post.objects.create(partnership=partnership, title=f"Post {i}")
        make_user(f"person{i}@example.org", partnership, Membership.Role.DELIVERY_LEAD, [post])
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("people:people_list", args=[partnership.pk])).status_code == 200


def test_a_role_and_posts_change_is_recorded_with_who_when_before_and_after(
    client, officer, owner, partnership, owner_post, lead_post, other_partnership
):
    elsewhere = Post.objects.create(partnership=other_partnership, title="A post in another partnership")
    owner.posts.add(elsewhere)
    client.force_login(officer)
    response = client.post(
        reverse("people:person_edit", args=[member(owner, partnership).pk]),
        {"role": "board_member", "posts": [lead_post.pk], "job_title": "Head of Inclusion", "is_superuser": "on"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert member(owner, partnership).role == Membership.Role.BOARD_MEMBER
    assert set(owner.posts.all()) == {lead_post, elsewhere}  # another partnership's post is not this officer's to take
    assert not owner.is_superuser and not owner.is_staff
    page = client.get(reverse("people:person_detail", args=[member(owner, partnership).pk])).content.decode()
    for text in [
        "Delivery lead",
        "Board member",
        "Head of Service: Inclusion",
        "Director of Education",
        "officer@example.org",
        "Job title",
    ]:
        assert text in page
    assert PersonChange.objects.filter(person=owner, what="Role", before="Delivery lead", after="Board member", actor=officer).exists()


def test_the_audit_record_cannot_be_changed_or_deleted(officer, owner, partnership):
    change = PersonChange.objects.create(partnership=partnership, person=owner, actor=officer, what="Role", before="a", after="b")
    with pytest.raises(ProgrammingError), transaction.atomic():
        PersonChange.objects.filter(pk=change.pk).update(after="forged")
    with pytest.raises(ProgrammingError), transaction.atomic():
        PersonChange.objects.filter(pk=change.pk).delete()


def test_the_last_officer_cannot_remove_themselves(client, officer, partnership):
    client.force_login(officer)
    mine = member(officer, partnership)
    response = client.post(reverse("people:person_edit", args=[mine.pk]), {"role": "delivery_lead"})
    assert response.status_code == 422 and "last programme officer" in response.content.decode()
    client.post(reverse("people:person_deactivate", args=[mine.pk]))
    officer.refresh_from_db()
    assert officer.is_active and member(officer, partnership).role == Membership.Role.OFFICER
    second = make_user("second.officer@example.org", partnership, Membership.Role.OFFICER)
    assert client.post(reverse("people:person_edit", args=[mine.pk]), {"role": "delivery_lead"}).status_code == 302
    assert member(second, partnership).role == Membership.Role.OFFICER


def test_deactivating_ends_their_sessions_at_once_and_keeps_their_history(client, officer, owner, partnership, owner_post, action, level):
    from actions.services import action_update_record

    action_update_record(action=action, user=owner, rating=level("green"), narrative="Done the review.", expected_version=action.version)
    theirs = Client()
    theirs.force_login(owner)
    assert theirs.get(reverse("actions:my_actions")).status_code == 200
    client.force_login(officer)
    response = client.post(reverse("people:person_deactivate", args=[member(owner, partnership).pk]))
    assert response.status_code == 302
    response = theirs.get(reverse("actions:my_actions"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    owner.refresh_from_db()
    assert not owner.is_active and not owner.posts.exists()
    assert action.updates.filter(author=owner).exists()
    page = client.get(reverse("people:person_detail", args=[member(owner, partnership).pk])).content.decode()
    assert "Deactivated" in page and "Head of Service: Inclusion" in page


def test_someone_in_two_partnerships_leaves_only_this_one(client, officer, partnership, other_partnership):
    both = make_user("both@example.org", partnership, Membership.Role.DELIVERY_LEAD)
    Membership.objects.create(user=both, partnership=other_partnership, role=Membership.Role.BOARD_MEMBER)
    client.force_login(officer)
    client.post(reverse("people:person_deactivate", args=[member(both, partnership).pk]))
    both.refresh_from_db()
    assert both.is_active
    assert list(both.memberships.values_list("partnership_id", flat=True)) == [other_partnership.pk]


def test_handing_a_post_over_moves_its_actions_to_the_successor(client, officer, owner, other_lead, partnership, owner_post, action):
    client.force_login(officer)
    response = client.post(reverse("people:post_hand_over", args=[owner_post.pk]), {"successor": other_lead.pk})
    assert response.status_code == 302
    assert list(owner_post.holders.all()) == [other_lead]
    successor = Client()
    successor.force_login(other_lead)
    assert "SP1" in successor.get(reverse("actions:my_actions")).content.decode()
    predecessor = Client()
    predecessor.force_login(owner)
    assert "SP1" not in shown(predecessor.get(reverse("actions:my_actions")).content.decode())
    page = client.get(reverse("people:person_detail", args=[member(owner, partnership).pk])).content.decode()
    assert "Post handed over" in page


def test_a_post_is_created_renamed_and_marked_to_be_allocated(client, officer, owner, partnership, owner_post):
    client.force_login(officer)
    client.post(reverse("people:post_list", args=[partnership.pk]), {"title": "Designated Clinical Officer"})
    created = Post.objects.get(title="Designated Clinical Officer")
    duplicate = client.post(reverse("people:post_list", args=[partnership.pk]), {"title": "designated clinical officer"})
    assert duplicate.status_code == 422 and "already a post" in duplicate.content.decode()
    client.post(reverse("people:post_edit", args=[owner_post.pk]), {"title": "Head of Inclusion", "to_be_allocated": "on"})
    owner_post.refresh_from_db()
    assert owner_post.title == "Head of Inclusion" and owner_post.to_be_allocated and not owner_post.holders.exists()
    page = client.get(reverse("people:post_detail", args=[owner_post.pk])).content.decode()
    assert "Post renamed" in page and "Head of Service: Inclusion" in page and "Post released" in page
    assert created.partnership == partnership


def test_merging_two_posts_moves_every_action_lead_kpi_and_holder(
    client, officer, owner, group_lead, partnership, owner_post, lead_post, action, group, strategy
):
    duplicate = Post.objects.create(partnership=partnership, title="Head of Inclusion")
    action.owners.add(duplicate)
    group.lead = duplicate
    group.save()
    kpi = Indicator.objects.create(
        strategy=strategy, code="K1", name="EHCPs in 20 weeks", unit="percentage", direction="higher", frequency="monthly"
    )
    kpi.owners.add(duplicate)
    holder = make_user("holder@example.org", partnership, Membership.Role.DELIVERY_LEAD, [duplicate])
    client.force_login(officer)
    response = client.post(reverse("people:post_merge", args=[duplicate.pk]), {"keep": owner_post.pk})
    assert response.status_code == 302
    assert not Post.objects.filter(pk=duplicate.pk).exists()
    assert list(action.owners.all()) == [owner_post]
    group.refresh_from_db()
    kpi.refresh_from_db()
    assert group.lead == owner_post and list(kpi.owners.all()) == [owner_post]
    assert set(owner_post.holders.all()) == {owner, holder}
    assert PersonChange.objects.filter(what="Posts merged", post=owner_post).exists()


def test_an_officer_cannot_touch_another_partnerships_people_or_posts(client, outsider, owner, partnership, owner_post):
    client.force_login(outsider)
    assert client.get(reverse("people:people_list", args=[partnership.pk])).status_code == 404
    assert client.post(reverse("people:person_edit", args=[member(owner, partnership).pk]), {"role": "officer"}).status_code == 404
    assert client.post(reverse("people:post_merge", args=[owner_post.pk]), {"keep": owner_post.pk}).status_code == 404
    assert member(owner, partnership).role == Membership.Role.DELIVERY_LEAD
    assert User.objects.filter(is_superuser=True).count() == 0
