"""Actions with steps: milestones shown as progress beside the rating, kept by owners and officers, each change in the history."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import rules
from actions.models import Action, ActionChange, Milestone

pytestmark = pytest.mark.django_db


def add(client, action, title: str, due: str = "", **headers):
    return client.post(reverse("actions:milestone_add", args=[action.pk]), {"milestone-title": title, "milestone-due": due}, **headers)


def test_it_shows_progress_beside_the_rating_and_records_each_change_in_the_history(client, owner, action):
    client.force_login(owner)
    assert add(client, action, "Phase 1: pilot in two localities", "March 2026").status_code == 302
    add(client, action, "Phase 2: roll out", "September 2026")
    first = Milestone.objects.get(action=action, position=1)
    assert first.due_date == dt.date(2026, 3, 31)
    response = client.post(reverse("actions:milestone_mark", args=[first.pk]), {"done": "yes"})
    assert response.status_code == 302
    page = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert "1 of 2 done" in page
    changes = list(ActionChange.objects.filter(action=action, field=ActionChange.Field.MILESTONES).order_by("id"))
    assert len(changes) == 3
    # Each says what changed in words, not only the lists before and after.
    assert [change.reason for change in changes[:2]] == [
        "Added “Phase 1: pilot in two localities”, due March 2026",
        "Added “Phase 2: roll out”, due September 2026",
    ]
    assert changes[-1].author == owner and changes[-1].reason == "Phase 1: pilot in two localities done"
    assert "Phase 1: pilot in two localities (March 2026, done)" in changes[-1].after
    # Marking it done again changes nothing and records nothing.
    client.post(reverse("actions:milestone_mark", args=[first.pk]), {"done": "yes"})
    assert ActionChange.objects.filter(action=action, field=ActionChange.Field.MILESTONES).count() == 3


def test_htmx_gets_the_milestones_section_back_with_the_progress_out_of_band(client, officer, action):
    client.force_login(officer)
    response = add(client, action, "Phase 1", "March 2026", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="milestones"') and "0 of 1 done" in html
    assert 'id="action-status" data-hx-swap-oob="true"' in html


def test_a_due_month_that_is_not_a_month_is_explained_beside_the_field(client, owner, action):
    client.force_login(owner)
    response = add(client, action, "Phase 1", "Smarch 2026")
    assert response.status_code == 422
    assert "is not a month and year" in response.content.decode()
    assert not Milestone.objects.filter(action=action).exists()
    response = add(client, action, "", "March 2026")
    assert response.status_code == 422 and "Enter what the step is" in response.content.decode()


def test_a_refused_step_is_summarised_above_its_form_and_the_page_title_says_so(client, owner, action):
    # Without JavaScript the whole page comes back, scrolled to the top: the title and a summary say what went wrong.
    client.force_login(owner)
    html = add(client, action, "Phase 1", "Smarch 2026").content.decode()
    assert "<title>Error: " in html
    section = html.split('<section id="milestones"', 1)[1]
    assert section.index('class="govuk-error-summary"') < section.index("<form")
    assert 'href="#id_milestone-due"' in section


def test_htmx_marks_the_outcome_of_adding_or_marking_a_step_for_the_focus(client, owner, action):
    client.force_login(owner)
    html = add(client, action, "Phase 1", "Smarch 2026", HTTP_HX_REQUEST="true").content.decode()
    assert '<div data-app-focus><div class="govuk-error-summary"' in html
    html = add(client, action, "Phase 1", "March 2026", HTTP_HX_REQUEST="true").content.decode()
    assert "data-app-focus" in html and "The step has been added to action" in html
    step = Milestone.objects.get(action=action)
    html = client.post(reverse("actions:milestone_mark", args=[step.pk]), {"done": "yes"}, HTTP_HX_REQUEST="true").content.decode()
    assert '<li tabindex="-1" data-app-focus>' in html and "The step has been added" not in html


def test_a_board_member_reads_milestones_but_cannot_change_them(client, board, action):
    milestone = Milestone.objects.create(action=action, title="Phase 1", due_date=dt.date(2025, 9, 30))
    client.force_login(board)
    page = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert "Phase 1" in page and "Add milestone" not in page and "Mark as done" not in page
    assert client.post(reverse("actions:milestone_mark", args=[milestone.pk]), {"done": "yes"}).status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).done_at is None


def test_an_overdue_milestone_is_flagged_on_its_action_page(client, owner, action):
    Milestone.objects.create(action=action, title="Phase 1", due_date=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(owner)
    assert "Milestone overdue" in client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()


def test_the_milestone_overdue_expression_agrees_with_its_python_twin(strategy, group, level):
    today = dt.date(2025, 10, 1)
    retired = Action.objects.create(strategy=strategy, group=group, ref="R1", text="Retired", rating=level("grey"))
    live = Action.objects.create(strategy=strategy, group=group, ref="L1", text="Live", rating=level("grey"))
    Action.everything.filter(pk=retired.pk).update(retired_at=timezone.now(), retired_reason=Action.Retirement.WITHDRAWN)
    dues = [None, today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)]
    dones = [None, timezone.now()]
    for n, (action, due, done) in enumerate(itertools.product((live, retired), dues, dones)):
        Milestone.objects.create(action=action, title=f"Step {n}", due_date=due, done_at=done, position=n)
    found = set(Milestone.objects.filter(rules.milestone_overdue(today)).values_list("pk", flat=True))
    expected = {
        m.pk
        for m in Milestone.objects.select_related("action")
        if rules.is_milestone_overdue(m.due_date, m.done_at, m.action.retired_at is not None, today)
    }
    assert found == expected and len(found) == 1


def test_my_actions_shows_the_new_progress_as_soon_as_a_step_is_done(client, owner, action):
    milestone = Milestone.objects.create(action=action, title="Phase 1", due_date=dt.date(2026, 3, 31))
    Milestone.objects.create(action=action, title="Phase 2", due_date=dt.date(2026, 9, 30))
    client.force_login(owner)
    assert "0 of 2 milestones done" in client.get(reverse("actions:my_actions")).content.decode()
    client.post(reverse("actions:milestone_mark", args=[milestone.pk]), {"done": "yes"})
    assert "1 of 2 milestones done" in client.get(reverse("actions:my_actions")).content.decode()


def test_the_strategy_page_shows_each_actions_milestones_done(client, board, strategy, action):
    Milestone.objects.create(action=action, title="Phase 1", due_date=dt.date(2026, 3, 31), done_at=timezone.now())
    Milestone.objects.create(action=action, title="Phase 2", due_date=dt.date(2026, 9, 30))
    client.force_login(board)
    assert "1 of 2 milestones done" in client.get(reverse("actions:strategy_detail", args=[strategy.pk])).content.decode()
