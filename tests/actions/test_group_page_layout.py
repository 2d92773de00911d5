"""A delivery group's page puts its actions first and folds the plan's long texts; a sub-group says whose it is."""

from __future__ import annotations

from django.urls import reverse

from actions.models import Action, DeliveryGroup


def test_the_actions_come_before_the_plans_long_texts_which_are_folded(client, board, group, action):
    DeliveryGroup.objects.filter(pk=group.pk).update(what_needs_to_improve="A long paragraph from the plan. " * 40)
    client.force_login(board)
    html = client.get(group.get_absolute_url()).content.decode()
    actions, text = html.index('id="actions"'), html.index("A long paragraph from the plan.")
    assert actions < text and action.ref in html[actions:text]
    assert html.rindex('<details class="govuk-details"', 0, text) > actions, "the plan's text is inside a details element"


def test_a_sub_group_shows_its_parent_groups_name(client, board, group, strategy, action):
    child = DeliveryGroup.objects.create(strategy=strategy, priority=group.priority, parent=group, name="A. Decision making", position=2)
    Action.objects.create(strategy=strategy, group=child, ref="SP2", text="Decide faster", rating=action.rating, position=2)
    client.force_login(board)
    html = client.get(child.get_absolute_url()).content.decode()
    assert f'<span class="govuk-caption-l">{group.priority.name} – {group.name}</span>' in html
    dashboard = client.get(reverse("reporting:dashboard", args=[strategy.pk])).content.decode()
    link = f'<a class="govuk-link" href="{child.get_absolute_url()}">A. Decision making</a>'
    assert f'<span class="app-matrix__parent">{group.name}:</span> {link}' in dashboard, "the whole name, after its parent's"
