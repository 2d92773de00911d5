"""Officers import their own tracker in the browser: match its columns and ratings once, then import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import trackers
from actions.models import Action, ActionUpdate, DeliveryGroup, ImportMapping, PlanImport, Priority
from people.models import Post
from tests.actions.tracker_files import ROWS, tracker_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def empty_strategy(strategy):
    """The strategy with no actions yet: it takes the scheme its first plan suggests."""
    return strategy


def upload(client, strategy, content: bytes, name: str = "tracker.xlsx"):
    file = SimpleUploadedFile(name, content, content_type=XLSX)
    return client.post(reverse("actions:plan_import_upload", args=[strategy.pk]), {"file": file})


def proposal_data(plan_import: PlanImport, **changes) -> dict:
    """What the mapping form holds as proposed, with `changes` (field name -> value) made."""
    layouts = trackers.layouts_read(bytes(plan_import.content), plan_import.filename)
    layout = trackers.layout_chosen(layouts, plan_import.mapping["sheet"])
    mapping = plan_import.mapping
    data = {f"column_{i}": mapping["columns"].get(key, "") for i, key in enumerate(layout.keys())}
    index = trackers.columns_of(layout, mapping).get("rating")
    values = layout.distinct_values(index) if index is not None else []
    data.update({f"rating_{i}": mapping["ratings"].get(v.casefold(), "") for i, v in enumerate(values)})
    data["name"] = mapping["name"]
    data.update(changes)
    return data


def mapping_url(plan_import: PlanImport) -> str:
    return reverse("actions:plan_import_mapping", args=[plan_import.pk])


def test_a_tracker_goes_to_the_mapping_page_with_a_proposal_and_samples(client, officer, empty_strategy):
    client.force_login(officer)
    response = upload(client, empty_strategy, tracker_xlsx())
    kept = PlanImport.objects.get()
    assert kept.status == PlanImport.Status.MAPPING and response.url == mapping_url(kept)
    page = client.get(response.url).content.decode()
    assert "Match the columns of your tracker" in page and "The headings are on row 4" in page
    assert "Key task" in page and "“Launch the early years SEND toolkit”" in page  # a sample value under its heading
    assert '<option value="action" selected>Action</option>' in page
    assert '<option value="progress" selected>Progress update</option>' in page
    assert "Which sheet is the plan?" in page and "Chart data" in page
    assert "BRAG (suggested)" in page and "What each rating means" in page
    assert '<option value="blue" selected>Blue – complete</option>' in page  # "B" proposed as Blue
    assert not Action.objects.exists() and not Priority.objects.exists() and not Post.objects.filter(title="Inclusion Lead").exists()


def test_confirming_the_mapping_previews_then_imports_and_the_same_file_again_changes_nothing(client, officer, empty_strategy):
    client.force_login(officer)
    kept = PlanImport.objects.get(pk=int(upload(client, empty_strategy, tracker_xlsx()).url.split("/")[-3]))
    response = client.post(mapping_url(kept), proposal_data(kept))
    assert response.url == reverse("actions:plan_import_preview", args=[kept.pk])
    preview = client.get(response.url).content.decode()
    assert "Check what will change" in preview and "New actions" in preview
    assert "importing this file gives it the BRAG rating scheme (it has Cheshire East five-level rating now)" in preview
    assert "each action’s ref is made from the plan’s order" in preview
    assert "Launch the early years SEND toolkit" in preview and "Key task → Action" in preview
    assert not Action.objects.exists()  # still nothing written

    client.post(reverse("actions:plan_import_confirm", args=[kept.pk]))
    assert Action.objects.filter(strategy=empty_strategy).count() == len(ROWS)
    empty_strategy.refresh_from_db()
    assert empty_strategy.scheme.code == "brag"
    saved = ImportMapping.objects.get(strategy=empty_strategy)
    assert saved.name == "Action plan" and saved.layout == kept.layout

    # The same layout again: straight to the preview, and nothing would change.
    again = upload(client, empty_strategy, tracker_xlsx())
    second = PlanImport.objects.exclude(pk=kept.pk).get()
    assert again.url == reverse("actions:plan_import_preview", args=[second.pk])
    assert second.summary["created"] == [] and second.summary["updated"] == {} and second.summary["unchanged"] == len(ROWS)
    updates = ActionUpdate.objects.count()
    client.post(reverse("actions:plan_import_confirm", args=[second.pk]))
    assert ActionUpdate.objects.count() == updates


def test_a_new_rating_in_a_known_layout_asks_for_its_level_first(client, officer, empty_strategy):
    client.force_login(officer)
    kept = PlanImport.objects.get(pk=int(upload(client, empty_strategy, tracker_xlsx()).url.split("/")[-3]))
    client.post(mapping_url(kept), proposal_data(kept))
    client.post(reverse("actions:plan_import_confirm", args=[kept.pk]))
    rows = [list(row) for row in ROWS]
    rows[0][6] = "Purple"
    response = upload(client, empty_strategy, tracker_xlsx(rows))
    second = PlanImport.objects.exclude(pk=kept.pk).get()
    assert response.url == mapping_url(second)
    page = client.get(response.url).content.decode()
    assert "“Purple”" in page and '<option value="green" selected>Green – on track</option>' in page


def test_choosing_another_rating_column_shows_its_ratings_before_going_on(client, officer, empty_strategy):
    client.force_login(officer)
    kept = PlanImport.objects.get(pk=int(upload(client, empty_strategy, tracker_xlsx()).url.split("/")[-3]))
    # The Latest position column as the rating, BRAG not imported.
    response = client.post(mapping_url(kept), proposal_data(kept, column_5="", column_6="rating"))
    assert response.status_code == 422
    page = response.content.decode()
    assert "You chose another column for the rating" in page and "“Signed off in May.”" in page
    kept.refresh_from_db()
    assert kept.status == PlanImport.Status.MAPPING


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"column_3": "action"}, "Action is already chosen for &#x27;Key task&#x27;: choose it for one column only"),
        ({"column_2": ""}, "Choose the column that holds each action&#x27;s text"),
        ({"column_0": "", "column_1": ""}, "Choose the column that holds the priority or the delivery group"),
        ({"rating_0": ""}, "Choose the level that &#x27;G&#x27; means"),
        ({"name": ""}, "Enter a name for this layout"),
    ],
)
def test_a_mapping_that_cannot_read_the_file_is_refused_by_the_field(client, officer, empty_strategy, changes, message):
    client.force_login(officer)
    kept = PlanImport.objects.get(pk=int(upload(client, empty_strategy, tracker_xlsx()).url.split("/")[-3]))
    response = client.post(mapping_url(kept), proposal_data(kept, **changes))
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page and "govuk-error-summary" in page and "Error: Match the columns" in page
    assert not Action.objects.exists()


def test_a_rejected_tracker_keeps_only_its_upload_and_the_corrected_file_goes_straight_to_the_preview(client, officer, empty_strategy):
    client.force_login(officer)
    rows = [list(row) for row in ROWS]
    rows[2][4] = "Spring-ish"
    kept = PlanImport.objects.get(pk=int(upload(client, empty_strategy, tracker_xlsx(rows)).url.split("/")[-3]))
    client.post(mapping_url(kept), proposal_data(kept))
    kept.refresh_from_db()
    assert kept.status == PlanImport.Status.REJECTED
    preview = client.get(reverse("actions:plan_import_preview", args=[kept.pk])).content.decode()
    assert "Spring-ish" in preview and "Completion date" in preview and '<td class="govuk-table__cell" data-label="Row">7</td>' in preview
    assert not Action.objects.exists() and not Priority.objects.exists() and not DeliveryGroup.objects.exists()
    assert not ImportMapping.objects.exists() and not Post.objects.filter(title="Inclusion Lead").exists()

    corrected = upload(client, empty_strategy, tracker_xlsx())
    second = PlanImport.objects.exclude(pk=kept.pk).get()
    assert corrected.url == reverse("actions:plan_import_preview", args=[second.pk]) and second.status == PlanImport.Status.PREVIEWED


def test_the_officer_can_pick_another_sheet(client, officer, empty_strategy):
    client.force_login(officer)
    kept = PlanImport.objects.get(pk=int(upload(client, empty_strategy, tracker_xlsx()).url.split("/")[-3]))
    page = client.get(mapping_url(kept), {"sheet": "Chart data"}).content.decode()
    assert "Columns in ‘Chart data’" in page and "BRAG status" in page and "Key task" not in page


def test_a_strategy_with_actions_keeps_its_scheme(client, officer, action):
    client.force_login(officer)
    kept = PlanImport.objects.get(pk=int(upload(client, action.strategy, tracker_xlsx()).url.split("/")[-3]))
    page = client.get(mapping_url(kept)).content.decode()
    assert "Rating scheme" not in page and "Cheshire East five-level rating scheme" in page
    assert '<option value="amber-e">Amber E – complete</option>' in page


@pytest.mark.parametrize("persona, status", [("board", 403), ("owner", 403), ("outsider", 404)])
def test_only_the_partnerships_officers_may_map_a_file(client, request, officer, empty_strategy, persona, status):
    client.force_login(officer)
    kept = PlanImport.objects.get(pk=int(upload(client, empty_strategy, tracker_xlsx()).url.split("/")[-3]))
    client.force_login(request.getfixturevalue(persona))
    assert client.post(mapping_url(kept), proposal_data(kept)).status_code == status
    kept.refresh_from_db()
    assert kept.status == PlanImport.Status.MAPPING


def test_the_mapping_page_makes_the_same_queries_for_a_small_and_a_large_tracker(client, officer, empty_strategy):
    client.force_login(officer)
    counts = []
    for size in (6, 300):
        rows = [
            (f"{i // 50}. Priority", f"Group {i // 10}", f"Task {i}", f"Lead {i % 7}", "TBC", None, "GARB"[i % 4], "") for i in range(size)
        ]
        kept = PlanImport.objects.get(pk=int(upload(client, empty_strategy, tracker_xlsx(rows)).url.split("/")[-3]))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(mapping_url(kept)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_hostile_values_in_each_column_and_rating_choice_never_fail_or_write_without_going_on(client, officer, empty_strategy, settings):
    """The mapping form's fields are made from the file's own columns and ratings (`column_3`, `rating_1`), which the
    fuzz cannot find in the view's source: they are sent what the fuzz sends the officer's fields, the short table to
    each alone (the others as proposed) and the rest of the table to all at once. Below 500 always; a write only when
    the mapping was taken and the page went on to the preview."""
    from tests.security.test_fuzz import HOSTILE, SHORT, raise_limits, send, shown

    raise_limits(settings)
    client.force_login(officer)
    kept = PlanImport.objects.get(pk=int(upload(client, empty_strategy, tracker_xlsx()).url.split("/")[-3]))
    proposal = proposal_data(kept)
    as_kept = PlanImport.objects.filter(pk=kept.pk).values().get()
    fields = sorted(proposal)
    assert {"column_0", "rating_0", "name"} <= set(fields)
    sent = [({**proposal, field: value}, f"{field}={shown(value)}") for field in fields for value in SHORT]
    sent += [({**proposal, **dict.fromkeys(fields, value)}, f"every field={shown(value)}") for value in HOSTILE if value not in SHORT]
    taken = 0
    for data, what in sent:
        if send(client, "post", mapping_url(kept), data, f"mapping {what}").status_code == 302:
            taken += 1  # a fair answer, taken: the upload goes back to mapping for the next value
            PlanImport.objects.filter(pk=kept.pk).update(**{k: v for k, v in as_kept.items() if k != "id"})
    # Some values are a fair answer (a layout named "foo", an unchosen rating left blank); most are refused by the field.
    assert 0 < taken < len(sent)
    assert not Action.objects.exists()
