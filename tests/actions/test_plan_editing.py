"""Officers change the plan in the browser: add, edit, re-date and retire actions, with every change in the history."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from actions import rules
from actions.models import Action, ActionChange, PlanImport, due_example
from governance.services import snapshot_take
from reporting.report import board_pack_context
from tests.markup import shown

pytestmark = pytest.mark.django_db
HEADER = "priority,delivery_group,sub_group,ref,action,owner,due,rating,notes\n"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def edit_data(action, **changes) -> dict:
    data = {
        "text": action.text,
        "group": action.group_id,
        "owners": [p.pk for p in action.owners.all()],
        "due": "September 2025",
        "related": "",
        "reason": "",
        "version": action.version,
    }
    data.update(changes)
    return data


def test_an_officer_adds_an_action_that_the_plan_and_its_owner_then_show(client, officer, owner, strategy, group, owner_post, level):
    client.force_login(officer)
    response = client.post(
        reverse("actions:action_create", args=[strategy.pk]),
        {
            "ref": "SP9",
            "text": "Publish the new local offer",
            "group": group.pk,
            "owners": [owner_post.pk],
            "due": "March 2026",
            "rating": level("green").pk,
        },
    )
    action = Action.objects.get(ref="SP9")
    assert response.url == action.get_absolute_url()
    assert action.due_date == dt.date(2026, 3, 31) and action.due_precision == Action.DuePrecision.MONTH
    assert list(action.owners.all()) == [owner_post] and action.rating == level("green")
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Added to the plan" in page and "officer@example.org" in page
    assert "SP9" in client.get(strategy.get_absolute_url()).content.decode()
    theirs = Client()
    theirs.force_login(owner)
    assert "SP9" in theirs.get(reverse("actions:my_actions")).content.decode()


def test_a_ref_already_used_even_by_a_retired_action_is_refused_keeping_what_was_typed(client, officer, action, strategy, group, level):
    client.force_login(officer)
    Action.objects.filter(pk=action.pk).update(retired_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC), retired_reason="withdrawn")
    response = client.post(
        reverse("actions:action_create", args=[strategy.pk]),
        {"ref": "sp1", "text": "Typed text kept", "group": group.pk, "due": "TBC", "rating": level("green").pk},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page and "already has the ref sp1" in page and "Typed text kept" in page


def test_a_ref_of_two_words_is_refused_keeping_what_was_typed(client, officer, strategy, group, level):
    client.force_login(officer)
    response = client.post(
        reverse("actions:action_create", args=[strategy.pk]),
        {"ref": "SP 9", "text": "Typed text kept", "group": group.pk, "due": "TBC", "rating": level("green").pk},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "A ref is one word, without spaces, commas or semicolons, such as EHC-C7" in page and "Typed text kept" in page
    assert not Action.objects.filter(text="Typed text kept").exists()


def test_a_due_date_that_is_not_one_is_refused_in_the_words_of_the_hint(client, officer, strategy, group, level):
    client.force_login(officer)
    response = client.post(
        reverse("actions:action_create", args=[strategy.pk]),
        {"ref": "SP9", "text": "Typed text kept", "group": group.pk, "due": "Sometime Soon", "rating": level("green").pk},
    )
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    month, day = due_example()
    assert f"'Sometime Soon' is not a date: use a month such as '{month}', a date such as {day}, or TBC" in page
    assert f"A month such as {month}, a date such as {day}, or TBC." in page  # the hint above it, in the same words


def test_a_changed_due_date_needs_a_reason_that_the_action_page_shows(client, officer, action):
    client.force_login(officer)
    url = reverse("actions:action_edit", args=[action.pk])
    refused = client.post(url, edit_data(action, due="March 2026"))
    assert refused.status_code == 422 and "Say why the due date has changed" in refused.content.decode()
    action.refresh_from_db()
    assert action.due_date == dt.date(2025, 9, 30)
    client.post(url, edit_data(action, due="March 2026", reason="waiting on the new panel"))
    action.refresh_from_db()
    assert action.due_date == dt.date(2026, 3, 31)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Due date revised from September 2025 to March 2026: waiting on the new panel" in page


def test_the_history_shows_every_kind_of_change_in_time_order(client, officer, action, level, lead_post, group, strategy):
    from actions.models import DeliveryGroup
    from actions.services import action_update_record

    client.force_login(officer)
    other_group = DeliveryGroup.objects.create(strategy=strategy, priority=group.priority, name="2. Inclusion", position=2)
    action_update_record(action=action, user=officer, rating=level("green"), narrative="Review done.", expected_version=action.version)
    action.refresh_from_db()
    client.post(
        reverse("actions:action_edit", args=[action.pk]),
        edit_data(action, text="Strengthen oversight of EHCPs", owners=[lead_post.pk], group=other_group.pk),
    )
    action.refresh_from_db()
    client.post(reverse("actions:action_retire", args=[action.pk]), {"reason": "superseded", "note": "Covered by the new plan."})
    page = client.get(action.get_absolute_url()).content.decode()
    found = [
        page.index(text) for text in ["Retired: Superseded", "Delivery group changed", "Owners changed", "Action changed", "Review done."]
    ]
    assert found == sorted(found)  # newest first
    assert ActionChange.objects.filter(action=action).count() == 4


def test_an_edit_from_a_stale_page_saves_nothing_and_keeps_what_was_typed(client, officer, action, level):
    from actions.services import action_update_record

    client.force_login(officer)
    stale = action.version
    action_update_record(action=action, user=officer, rating=level("green"), narrative="Meanwhile.", expected_version=action.version)
    response = client.post(reverse("actions:action_edit", args=[action.pk]), edit_data(action, text="My new wording", version=stale))
    assert response.status_code == 409
    assert "My new wording" in response.content.decode() and "someone else changed this action" in response.content.decode()
    action.refresh_from_db()
    assert action.text == "Strengthen oversight"


def test_related_actions_set_in_the_browser_link_both_ways(client, officer, action, strategy, group, level):
    other = Action.objects.create(strategy=strategy, group=group, ref="DI6", text="Review data", rating=level("green"))
    client.force_login(officer)
    unknown = client.post(reverse("actions:action_edit", args=[action.pk]), edit_data(action, related="DI6, NOPE"))
    assert unknown.status_code == 422 and "NOPE" in unknown.content.decode()
    client.post(reverse("actions:action_edit", args=[action.pk]), edit_data(action, related="DI6"))
    assert list(other.related.all()) == [action]
    assert "DI6" in client.get(action.get_absolute_url()).content.decode()


def test_related_actions_typed_with_spaces_as_well_as_commas_are_linked(client, officer, action, strategy, group, level):
    for ref in ("1.1", "1.2", "2.3"):
        Action.objects.create(strategy=strategy, group=group, ref=ref, text=f"Action {ref}", rating=level("green"))
    client.force_login(officer)
    form = client.get(reverse("actions:action_edit", args=[action.pk])).content.decode()
    assert "separated by commas or spaces" in form
    response = client.post(reverse("actions:action_edit", args=[action.pk]), edit_data(action, related="1.1 1.2,  2.3"))
    assert response.status_code == 302
    assert sorted(action.related.values_list("ref", flat=True)) == ["1.1", "1.2", "2.3"]
    itself = client.post(reverse("actions:action_edit", args=[action.pk]), edit_data(action, related=f"1.1 {action.ref.lower()}"))
    assert itself.status_code == 422 and "An action cannot be related to itself" in itself.content.decode()


def test_a_retired_action_leaves_every_list_and_count_but_keeps_its_page(client, officer, owner, action, strategy):
    client.force_login(officer)
    response = client.post(reverse("actions:action_retire", args=[action.pk]), {"reason": "withdrawn", "note": "No longer needed."})
    assert response.status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists() and Action.everything.filter(pk=action.pk).exists()
    assert not Action.objects.filter(rules.overdue(dt.date(2026, 1, 1))).exists()  # the rule book reads live actions only
    page = client.get(action.get_absolute_url())  # shows the success message, and still opens
    assert page.status_code == 200 and "Retired" in page.content.decode() and "No longer needed." in page.content.decode()
    assert "SP1" not in shown(client.get(strategy.get_absolute_url()).content.decode())
    dashboard = client.get(reverse("reporting:dashboard", args=[strategy.pk])).context["board"]
    assert dashboard.total == 0
    theirs = Client()
    theirs.force_login(owner)
    assert "SP1" not in shown(theirs.get(reverse("actions:my_actions")).content.decode())
    update = theirs.post(reverse("actions:action_update", args=[action.pk]), {"rating": action.rating_id, "narrative": "x", "version": 99})
    assert update.status_code == 403
    assert client.get(reverse("actions:action_edit", args=[action.pk])).status_code == 403


def test_merged_needs_the_live_action_it_was_merged_into(client, officer, action, strategy, group, level):
    Action.objects.create(strategy=strategy, group=group, ref="SP2", text="Other", rating=level("green"))
    client.force_login(officer)
    refused = client.post(reverse("actions:action_retire", args=[action.pk]), {"reason": "merged", "into": "SP404"})
    assert refused.status_code == 422 and "merged into" in refused.content.decode()
    client.post(reverse("actions:action_retire", args=[action.pk]), {"reason": "merged", "into": "sp2"})
    action = Action.everything.get(pk=action.pk)
    assert action.retired_into.ref == "SP2"
    assert "merged into SP2" in client.get(action.get_absolute_url()).content.decode()


def test_the_next_pack_lists_a_retired_action_under_movement(officer, action, strategy):
    from actions.plan import action_retire

    snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 1))
    action_retire(actor=officer, action=action, reason="withdrawn")
    later = snapshot_take(strategy=strategy, as_at=dt.date(2025, 7, 1))
    moved = board_pack_context(later)["movement"]
    assert [move.row.ref for move in moved.retired] == ["SP1"]
    assert later.items.count() == 0


def test_actions_missing_from_an_imported_file_can_be_retired_in_one_step(client, officer, action, strategy):
    client.force_login(officer)
    plan = HEADER + "Right Support,1. Oversight,,SP2,Publish the local offer (links with action SP7),,TBC,,\n"
    client.post(reverse("actions:plan_import_upload", args=[strategy.pk]), {"file": SimpleUploadedFile("plan.csv", plan.encode())})
    kept = PlanImport.objects.get()
    preview = client.get(reverse("actions:plan_import_preview", args=[kept.pk])).content.decode()
    assert "Also retire the 1 action not in the file" in preview
    client.post(reverse("actions:plan_import_confirm", args=[kept.pk]), {"retire_missing": "on"})
    retired = Action.everything.get(pk=action.pk)
    assert retired.retired_reason == "withdrawn" and "plan.csv" in retired.retired_note
    again = HEADER + "Right Support,1. Oversight,,SP1,Back again,,TBC,,\n"
    client.post(reverse("actions:plan_import_upload", args=[strategy.pk]), {"file": SimpleUploadedFile("plan.csv", again.encode())})
    rejected = PlanImport.objects.order_by("-pk").first()
    assert rejected.status == PlanImport.Status.REJECTED and "retired action" in str(rejected.summary["problems"])


def test_the_import_reads_related_actions_from_the_plans_text(client, officer, action, strategy):
    client.force_login(officer)
    plan = HEADER + (
        "Right Support,1. Oversight,,SP1,Strengthen oversight,Head of Service: Inclusion,September 2025,Amber,\n"
        "Right Support,1. Oversight,,DI6,Review the data on primary need [links with action SP1],,October 2025,,\n"
        "Right Support,1. Oversight,,SS12,Use data and link with panel decision making,,TBC,,\n"
    )
    client.post(reverse("actions:plan_import_upload", args=[strategy.pk]), {"file": SimpleUploadedFile("plan.csv", plan.encode())})
    client.post(reverse("actions:plan_import_confirm", args=[PlanImport.objects.get().pk]))
    assert [a.ref for a in action.related.all()] == ["DI6"]
    assert not Action.objects.get(ref="SS12").related.exists()


def test_officers_alone_change_the_plan(client, owner, board, group_lead, action):
    for person in (owner, board, group_lead):
        client.force_login(person)
        assert client.post(reverse("actions:action_edit", args=[action.pk]), edit_data(action, text="Mine")).status_code == 403
        assert client.post(reverse("actions:action_retire", args=[action.pk]), {"reason": "withdrawn"}).status_code == 403
    action.refresh_from_db()
    assert action.text == "Strengthen oversight" and action.retired_at is None


def test_the_owners_to_tick_stand_under_their_organisations(client, officer, strategy, owner_post):
    """Fifty-five posts in alphabetical order, "Business Development Manager (D)" beside "(V)" and "(Cheshire East Council)"
    after nearly every one, down one long column: now under each organisation's name, in two columns on a wide screen."""
    from people.models import Organisation, Post

    owner_post.organisation = Organisation.objects.create(partnership=strategy.partnership, name="Northshire Council")
    owner_post.save()
    Post.objects.create(partnership=strategy.partnership, title="Participation Lead")  # no organisation given
    Post.objects.create(
        partnership=strategy.partnership,
        title="Designated Clinical Officer",
        organisation=Organisation.objects.create(partnership=strategy.partnership, name="Northshire ICB"),
    )
    client.force_login(officer)
    page = client.get(reverse("actions:action_create", args=[strategy.pk])).content.decode()
    fieldset = page[page.index("Owners (optional)</legend>") :]
    groups = re.findall(
        r'role="group" aria-labelledby="([\w-]+)">\s*<p [^>]*id="\1">([^<]+)</p>(.*?)</div>\s*(?=<div class="app-choices-group"|</div>)',
        fieldset,
        re.S,
    )
    titles = {name: re.findall(r">([^<]+)</label>", ticks) for _id, name, ticks in groups}
    assert titles == {
        "Northshire Council": [owner_post.title],
        "Northshire ICB": ["Designated Clinical Officer"],
        "Posts of no organisation": ["Participation Lead"],
    }
    assert list(titles) == ["Northshire Council", "Northshire ICB", "Posts of no organisation"]
    # The first tick has the field's own id, where the error summary links.
    assert re.search(r'<input class="govuk-checkboxes__input" id="id_owners" name="owners"', fieldset)
