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


def test_the_plan_s_own_ratings_date_is_not_given_as_the_date_of_the_ratings_shown(client, officer, action, level):
    # The strategy was brought in rated as at 14 May 2025; its ratings have moved on since.
    Action.objects.filter(pk=action.pk).update(rating=level("green"))
    client.force_login(officer)
    page = client.get(reverse("actions:strategy_detail", args=[action.strategy_id])).content.decode()
    assert "Ratings accurate as at" not in page
    assert "Each action shows its latest rating; the plan as it was brought in rated them as at 14 May 2025." in page
    listed = client.get(reverse("actions:strategy_list")).content.decode()
    assert "brought in with its ratings as at 14 May 2025" in listed and "· ratings as at" not in listed


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
        large = client.get(reverse("actions:strategy_detail", args=[one_plan.pk]) + "?show=all")
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count('<tr class="govuk-table__row" data-group=') == 186


def action_rows(html: str) -> int:
    return html.count('<tr class="govuk-table__row" data-group=')


def test_a_large_plan_opens_group_by_group_with_counts_and_links_that_work_without_script(client, officer, one_plan):
    from actions.models import DeliveryGroup
    from people.models import Membership

    Membership.objects.create(user=officer, partnership=one_plan.partnership, role=Membership.Role.OFFICER)
    client.force_login(officer)
    url = reverse("actions:strategy_detail", args=[one_plan.pk])
    html = client.get(url).content.decode()
    assert action_rows(html) == 0
    assert "186 actions." in html and "show all 186 actions" in html
    group = DeliveryGroup.objects.filter(strategy=one_plan, actions__isnull=False).order_by("position", "id").first()
    count = Action.objects.filter(group=group).count()
    assert f"Show the {count} action" in html and f"?open={group.pk}#group-{group.pk}" in html

    opened = client.get(f"{url}?open={group.pk}").content.decode()
    assert action_rows(opened) == count
    assert f'<a class="govuk-link" href="?#group-{group.pk}">Hide the actions' in opened

    # The same group by htmx: only its actions; without htmx, the page with the group open.
    fragment_url = reverse("actions:strategy_group_actions", args=[one_plan.pk, group.pk])
    fragment = client.get(fragment_url, headers={"HX-Request": "true"}).content.decode()
    assert action_rows(fragment) == count and "<html" not in fragment
    fallback = client.get(f"{fragment_url}?rating=red")
    assert fallback.status_code == 302 and fallback.url == f"{url}?rating=red&open={group.pk}#group-{group.pk}"


def test_search_and_rating_filters_stay_in_the_url_and_count_only_what_matches(client, officer, action, group):
    other = Action.objects.create(
        strategy=action.strategy, group=group, ref="SP2", text="Recruit educational psychologists", rating=action.rating
    )
    client.force_login(officer)
    url = reverse("actions:strategy_detail", args=[action.strategy_id])
    html = client.get(f"{url}?q=psycholog").content.decode()
    assert "1 action matches" in html and other.text in html and action.text not in html
    assert 'name="q" type="search" value="psycholog"' in html
    none = client.get(f"{url}?q=nothing+like+this").content.decode()
    assert "0 actions match" in none and action.text not in none
    rated = client.get(f"{url}?rating={action.rating.code}").content.decode()
    assert "2 actions match" in rated and action.text in rated and other.text in rated


def test_a_group_of_another_strategy_or_partnership_is_not_found(client, officer, outsider, action, group, one_plan):
    from actions.models import DeliveryGroup

    client.force_login(officer)
    elsewhere = DeliveryGroup.objects.filter(strategy=one_plan).first()
    assert client.get(reverse("actions:strategy_group_actions", args=[action.strategy_id, elsewhere.pk])).status_code == 404
    client.force_login(outsider)
    assert client.get(reverse("actions:strategy_group_actions", args=[action.strategy_id, group.pk])).status_code == 404


def test_a_strategy_waiting_on_its_plan_file_is_a_draft_to_its_officers_until_the_file_is_imported(client, officer, board, strategy):
    from actions.models import PlanImport

    kept = PlanImport.objects.create(
        strategy=strategy, uploaded_by=officer, filename="Our <tracker>.xlsx", content=b"x", status=PlanImport.Status.MAPPING
    )
    client.force_login(officer)
    page = client.get(reverse("actions:strategy_detail", args=[strategy.pk])).content.decode()
    assert "This strategy is a draft: nothing has been imported from Our &lt;tracker&gt;.xlsx yet." in page
    assert reverse("actions:plan_import_mapping", args=[kept.pk]) in page and "Discard the draft strategy" in page
    assert "Draft</strong>" in client.get(reverse("actions:strategy_list")).content.decode()

    client.force_login(board)  # not an officer: nothing to finish or discard
    assert "This strategy is a draft" not in client.get(reverse("actions:strategy_detail", args=[strategy.pk])).content.decode()

    client.force_login(officer)
    PlanImport.objects.filter(pk=kept.pk).update(status=PlanImport.Status.APPLIED)
    assert "This strategy is a draft" not in client.get(reverse("actions:strategy_detail", args=[strategy.pk])).content.decode()
    assert "Draft</strong>" not in client.get(reverse("actions:strategy_list")).content.decode()


def test_a_group_counts_the_actions_of_its_sub_groups_and_says_where_they_are(client, board, action, group):
    from actions.models import DeliveryGroup

    sub = DeliveryGroup.objects.create(strategy=group.strategy, priority=group.priority, parent=group, name="3.A Assessment")
    Action.objects.filter(pk=action.pk).update(group=sub)
    Action.objects.create(strategy=action.strategy, group=sub, ref="SP2", text="Recruit psychologists", rating=action.rating)
    client.force_login(board)
    html = client.get(reverse("actions:strategy_detail", args=[action.strategy_id])).content.decode()
    assert "2 actions, all in its sub-groups" in html  # the parent group, not "0 actions"
    assert action_rows(html) == 2  # listed once, under the sub-group
    assert 'Right Support <span class="govuk-caption-m">2 actions</span>' in html  # the priority counts each action once


def test_the_strategy_page_leads_to_its_risk_register_and_high_needs_budget(client, board, action):
    client.force_login(board)
    page = client.get(reverse("actions:strategy_detail", args=[action.strategy.pk])).content.decode()
    for name, url in (("Risk register", "risks:register"), ("High-needs budget", "finance:plan")):
        assert f'<a class="govuk-link" href="{reverse(url, args=[action.strategy.pk])}">{name}</a>' in page
