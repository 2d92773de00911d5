"""Officers create strategies (empty or from a file) and shape their delivery groups in the browser."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import DeliveryGroup, PlanImport, RatingScheme, Strategy
from tests.conftest import date_boxes

pytestmark = pytest.mark.django_db
HEADER = "priority,delivery_group,sub_group,ref,action,owner,due,rating,notes\n"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def test_an_officer_creates_an_empty_strategy(client, officer, partnership):
    client.force_login(officer)
    scheme = RatingScheme.objects.get(code="rag")
    response = client.post(
        reverse("actions:strategy_create", args=[partnership.pk]),
        {
            "name": "Preparing for Adulthood 2026",
            "scheme": scheme.pk,
            **date_boxes("period_start", "1/9/2026"),
            **date_boxes("period_end", "31/8/2029"),
            "description": "Post-16",
        },
    )
    strategy = Strategy.objects.get(name="Preparing for Adulthood 2026")
    assert response.url == strategy.get_absolute_url()
    assert strategy.partnership == partnership and strategy.scheme == scheme and strategy.period_end.year == 2029


def test_a_strategy_from_a_file_goes_through_the_import_preview(client, officer, partnership):
    client.force_login(officer)
    plan = HEADER + "Right Support,1. Oversight,,SP1,Strengthen oversight,Head of Service: Inclusion,September 2025,,\n"
    response = client.post(
        reverse("actions:strategy_create", args=[partnership.pk]),
        {"name": "From a file", "scheme": RatingScheme.objects.get(code="rag").pk, "file": SimpleUploadedFile("plan.csv", plan.encode())},
    )
    kept = PlanImport.objects.get()
    assert response.url == reverse("actions:plan_import_preview", args=[kept.pk])
    assert kept.strategy.name == "From a file" and kept.summary["created"] == ["SP1"]
    # The new strategy has no plan yet to update: its pages say it is the plan coming in.
    preview = client.get(response.url).content.decode()
    upload = client.get(reverse("actions:plan_import", args=[kept.strategy_id])).content.decode()
    assert ">Import the plan</a>" in preview and "Import the plan –" in upload and "updated plan" not in preview + upload


def test_a_strategy_from_an_officers_own_tracker_goes_on_to_match_its_columns(client, officer, partnership):
    # It used to read the tracker as the import format and dead-end: "the 'priority' column is missing".
    from tests.actions.tracker_files import tracker_xlsx

    client.force_login(officer)
    response = client.post(
        reverse("actions:strategy_create", args=[partnership.pk]),
        {
            "name": "Our tracker",
            "scheme": RatingScheme.objects.get(code="rag").pk,
            "file": SimpleUploadedFile("tracker.xlsx", tracker_xlsx()),
        },
    )
    kept = PlanImport.objects.get()
    assert kept.status == PlanImport.Status.MAPPING
    assert response.url == reverse("actions:plan_import_mapping", args=[kept.pk])
    page = client.get(response.url).content.decode()
    assert "Match the columns of your tracker" in page and "Discard the empty strategy" in page


def test_a_file_whose_headings_name_no_column_of_a_plan_is_refused_saying_what_headings_it_needs(client, officer, partnership):
    client.force_login(officer)
    sheet = "Item,Detail,Person,When,Colour\n1,Strengthen oversight,Head of Service: Inclusion,September 2025,G\n"
    response = client.post(
        reverse("actions:strategy_create", args=[partnership.pk]),
        {
            "name": "Unknown headings",
            "scheme": RatingScheme.objects.get(code="rag").pk,
            "file": SimpleUploadedFile("ours.csv", sheet.encode()),
        },
    )
    page = client.get(response.url).content.decode()
    assert "Nothing was imported: 1 problem in ours.csv" in page
    assert "No sheet of the file has a row of column headings we recognise, such as Ref, Action, Owner, Due date and Rating" in page
    assert "column is missing" not in page


def test_the_import_format_with_a_column_missing_is_still_reported_column_by_column(client, officer, partnership):
    client.force_login(officer)
    plan = "ref,wording\nSP1,Strengthen oversight\n"
    response = client.post(
        reverse("actions:strategy_create", args=[partnership.pk]),
        {
            "name": "Missing columns",
            "scheme": RatingScheme.objects.get(code="rag").pk,
            "file": SimpleUploadedFile("plan.csv", plan.encode()),
        },
    )
    page = client.get(response.url).content.decode()
    assert "The &#x27;rating&#x27; column is missing" in page or "The 'rating' column is missing" in page


def test_a_strategy_made_for_a_file_and_abandoned_can_be_discarded_with_its_upload(client, officer, partnership):
    client.force_login(officer)
    plan = HEADER + "Right Support,1. Oversight,,SP1,Strengthen oversight,,No such month,,\n"
    client.post(
        reverse("actions:strategy_create", args=[partnership.pk]),
        {"name": "Abandoned", "scheme": RatingScheme.objects.get(code="rag").pk, "file": SimpleUploadedFile("plan.csv", plan.encode())},
    )
    kept = PlanImport.objects.get()
    preview = client.get(reverse("actions:plan_import_preview", args=[kept.pk])).content.decode()
    assert "Nothing was imported" in preview and "Discard the empty strategy" in preview
    response = client.post(reverse("actions:strategy_discard", args=[kept.strategy_id]), follow=True)
    assert "Strategy “Abandoned” discarded" in response.content.decode()
    assert not Strategy.objects.filter(name="Abandoned").exists() and not PlanImport.objects.exists()


def test_a_strategy_with_anything_in_it_is_never_discarded(client, officer, action):
    client.force_login(officer)
    response = client.post(reverse("actions:strategy_discard", args=[action.strategy_id]), follow=True)
    assert "Only a strategy with nothing in it yet can be discarded" in response.content.decode()
    assert Strategy.objects.filter(pk=action.strategy_id).exists()
    page = client.get(reverse("actions:plan_import", args=[action.strategy_id])).content.decode()
    assert "Discard" not in page


def test_a_bad_strategy_form_keeps_what_was_typed(client, officer, strategy, partnership):
    client.force_login(officer)
    response = client.post(
        reverse("actions:strategy_create", args=[partnership.pk]),
        {"name": strategy.name, "scheme": strategy.scheme_id, **date_boxes("period_start", "31/13/2025"), "description": "Kept words"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "The day the period starts must be a real date" in page and "Kept words" in page
    assert 'name="period_start_month" type="text" inputmode="numeric" spellcheck="false" value="13"' in page
    assert Strategy.objects.count() == 1


def test_groups_and_sub_groups_are_added_renamed_given_a_lead_and_texts(client, officer, strategy, group, lead_post):
    client.force_login(officer)
    client.post(
        reverse("actions:group_create", args=[strategy.pk]),
        {
            "priority_name": "Right Time",
            "name": "4. Preparing for Adulthood",
            "lead": lead_post.pk,
            "what_we_will_see": "More young people in work\n• Fewer NEETs",
        },
    )
    new = DeliveryGroup.objects.get(name="4. Preparing for Adulthood")
    assert (
        new.priority.name == "Right Time" and new.lead == lead_post and new.what_we_will_see == ["More young people in work", "Fewer NEETs"]
    )
    client.post(reverse("actions:group_create", args=[strategy.pk]), {"parent": group.pk, "name": "A. Annual reviews"})
    sub = DeliveryGroup.objects.get(name="A. Annual reviews")
    assert sub.parent == group and sub.priority == group.priority
    client.post(
        reverse("actions:group_edit", args=[group.pk]),
        {
            "priority_name": "Right Support",
            "name": "1. Strategic oversight",
            "how_we_will_assess": "Audit\nSurvey",
            "what_needs_to_improve": "Grip",
        },
    )
    group.refresh_from_db()
    assert (
        group.name == "1. Strategic oversight" and group.how_we_will_assess == ["Audit", "Survey"] and group.what_needs_to_improve == "Grip"
    )
    page = client.get(strategy.get_absolute_url()).content.decode()
    assert "1. Strategic oversight" in page and "A. Annual reviews" in page


def test_a_group_needs_a_priority_or_a_parent_and_a_unique_name(client, officer, strategy, group):
    client.force_login(officer)
    response = client.post(reverse("actions:group_create", args=[strategy.pk]), {"name": "Orphan"})
    assert response.status_code == 422 and "Enter the priority" in response.content.decode()
    clash = client.post(reverse("actions:group_create", args=[strategy.pk]), {"priority_name": "Right Support", "name": "1. oversight"})
    assert clash.status_code == 422 and "already a delivery group" in clash.content.decode()


def test_groups_are_reordered_among_their_siblings(client, officer, strategy, group):
    second = DeliveryGroup.objects.create(strategy=strategy, priority=group.priority, name="2. Inclusion", position=2)
    client.force_login(officer)
    client.post(reverse("actions:group_move", args=[second.pk]), {"direction": "up"})
    names = list(DeliveryGroup.objects.filter(strategy=strategy).order_by("position", "id").values_list("name", flat=True))
    assert names == ["2. Inclusion", "1. Oversight"]
    client.post(reverse("actions:group_move", args=[second.pk]), {"direction": "down"})
    names = list(DeliveryGroup.objects.filter(strategy=strategy).order_by("position", "id").values_list("name", flat=True))
    assert names == ["1. Oversight", "2. Inclusion"]
