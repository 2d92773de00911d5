"""The strategy page: the plan as signed-in partners see it."""

from __future__ import annotations

from django.urls import reverse

from actions.models import Action


def test_it_shows_priorities_groups_and_actions_with_rating_labels(client, officer, action):
    client.force_login(officer)
    response = client.get(reverse("actions:strategy_detail", args=[action.strategy_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Right Support" in html and "1. Oversight" in html and "Strengthen oversight" in html
    assert "Sep 2025" in html and "Head of Service: Inclusion" in html
    assert "app-rating--amber" in html and ">Amber</strong>" in html  # colour and its label in text


def test_it_says_tbc_and_to_be_allocated_honestly(client, board, action):
    action.owners.clear()
    Action.objects.filter(pk=action.pk).update(due_date=None, due_precision="none")
    client.force_login(board)
    html = client.get(reverse("actions:strategy_detail", args=[action.strategy_id])).content.decode()
    assert "TBC" in html and "To be allocated" in html


def test_hostile_text_is_escaped(client, officer, action):
    Action.objects.filter(pk=action.pk).update(text='<script>alert("x")</script><img src=x onerror=alert(1)>')
    client.force_login(officer)
    for url in [reverse("actions:strategy_detail", args=[action.strategy_id]), reverse("actions:action_detail", args=[action.pk])]:
        html = client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_signed_out_people_are_sent_to_sign_in(client, action):
    response = client.get(reverse("actions:strategy_detail", args=[action.strategy_id]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_another_partnership_gets_not_found(client, outsider, action):
    client.force_login(outsider)
    for url in [
        reverse("actions:strategy_detail", args=[action.strategy_id]),
        reverse("reporting:group_detail", args=[action.group_id]),
        reverse("actions:action_detail", args=[action.pk]),
    ]:
        assert client.get(url).status_code == 404


def test_the_strategy_list_shows_only_my_partnerships_strategies(client, outsider, officer, action):
    client.force_login(outsider)
    assert action.strategy.name not in client.get(reverse("actions:strategy_list")).content.decode()
    client.force_login(officer)
    assert action.strategy.name in client.get(reverse("actions:strategy_list")).content.decode()


def test_the_strategy_page_issues_the_same_queries_for_the_one_plan_as_for_a_small_plan(
    client, officer, action, one_plan, django_assert_max_num_queries
):
    from people.models import Membership

    Membership.objects.create(user=officer, partnership=one_plan.partnership, role=Membership.Role.OFFICER)
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        small = client.get(reverse("actions:strategy_detail", args=[action.strategy_id]))
    with django_assert_max_num_queries(12):
        large = client.get(reverse("actions:strategy_detail", args=[one_plan.pk]))
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count('class="govuk-tag app-rating') >= 186
