"""Officers import an updated plan in the browser: upload, see what will change, confirm."""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action, ActionUpdate, PlanImport

HEADER = "priority,delivery_group,sub_group,ref,action,owner,due,rating,notes\n"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def upload(client, strategy, text: str, name: str = "plan.csv"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("actions:plan_import_upload", args=[strategy.pk]), {"file": file})


def test_an_officer_sees_every_change_before_it_happens_then_confirms(client, officer, action, caplog):
    client.force_login(officer)
    plan = HEADER + (
        "Right Support,1. Oversight,,SP1,Strengthen oversight,Head of Service: Inclusion,September 2025,Delayed,\n"
        "Right Support,1. Oversight,,SP2,Publish the local offer,,TBC,,\n"
    )
    response = upload(client, action.strategy, plan)
    kept = PlanImport.objects.get()
    assert response.url == reverse("actions:plan_import_preview", args=[kept.pk])
    preview = client.get(response.url).content.decode()
    assert "Check what will change" in preview and "SP2" in preview
    assert 'data-rating="amber"><span class="app-rating__marker" aria-hidden="true"></span>Amber</strong> → <strong' in preview
    action.refresh_from_db()
    assert action.rating.label == "Amber" and not Action.objects.filter(ref="SP2").exists()  # nothing yet

    with caplog.at_level(logging.INFO, logger="send_tracker.security"):
        done = client.post(reverse("actions:plan_import_confirm", args=[kept.pk]))
    assert done.url == action.strategy.get_absolute_url()
    action.refresh_from_db()
    assert action.rating.label == "Red" and Action.objects.filter(ref="SP2").exists()
    change = action.updates.get(source="import", rating_before__isnull=False)
    assert change.author == officer and (change.rating_before.label, change.rating_after.label) == ("Amber", "Red")
    assert '"event": "plan_import"' in caplog.text
    kept.refresh_from_db()
    assert kept.status == PlanImport.Status.APPLIED
    # Confirming the same upload again changes nothing.
    client.post(reverse("actions:plan_import_confirm", args=[kept.pk]))
    assert ActionUpdate.objects.filter(source="import").count() == 2


def test_the_preview_shows_each_changed_field_before_and_after_and_flags_a_risk_rating_without_a_narrative(client, officer, action):
    client.force_login(officer)
    plan = HEADER + ("Right Support,1. Oversight,,SP1,Strengthen oversight of <b>EHC</b> plans,Head of Service: SEND,March 2026,Delayed,\n")
    preview = client.get(upload(client, action.strategy, plan).url).content.decode()
    changed = preview[preview.index("Changed actions") :]
    assert "Strengthen oversight of &lt;b&gt;EHC&lt;/b&gt; plans" in changed  # the action's text, escaped
    assert '<del aria-label="was">Sep 2025</del> → <ins aria-label="becomes">March 2026</ins>' in changed
    assert '<del aria-label="was">Head of Service: Inclusion</del> → <ins aria-label="becomes">Head of Service: SEND</ins>' in changed
    assert 'data-rating="red"' in changed and 'data-rating="amber"' in changed
    assert "would be rated at risk with no narrative" in preview and "SP1" in preview
    assert not Action.objects.filter(text__contains="EHC").exists()  # nothing written yet


def test_a_file_with_problems_lists_each_by_row_and_writes_nothing(client, officer, action):
    client.force_login(officer)
    plan = HEADER + (
        "Right Support,1. Oversight,,SP1,Strengthen oversight,,31/02/2026,On track,\n"
        'Right Support,1. Oversight,,<script>alert(1)</script>,Text,,TBC,"<b>Purple</b>",\n'
    )
    preview = client.get(upload(client, action.strategy, plan).url).content.decode()
    assert "Nothing was imported: 2 problems" in preview
    assert "31/02/2026" in preview and "is not a real date" in preview
    assert '<td class="govuk-table__cell" data-label="Row">2</td>' in preview
    assert "<script>alert(1)</script>" not in preview and "&lt;b&gt;Purple&lt;/b&gt;" in preview
    assert "Import these changes" not in preview
    kept = PlanImport.objects.get()
    client.post(reverse("actions:plan_import_confirm", args=[kept.pk]))
    action.refresh_from_db()
    assert action.rating.label == "Amber" and Action.objects.count() == 1


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("plan.pdf", "%PDF-1.4", "The file must be a CSV or an Excel (.xlsx) file"),
        ("plan.csv", "", "The selected file is empty"),
    ],
)
def test_a_wrong_file_gets_a_message_by_the_field(client, officer, strategy, name, content, message):
    client.force_login(officer)
    response = upload(client, strategy, content, name=name)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and "govuk-error-summary" in html and not PlanImport.objects.exists()


def test_no_file_gets_a_message_by_the_field(client, officer, strategy):
    client.force_login(officer)
    response = client.post(reverse("actions:plan_import_upload", args=[strategy.pk]), {})
    assert response.status_code == 422 and "Select a CSV or Excel file to upload" in response.content.decode()


def test_uploads_are_rate_limited_per_person_and_a_refused_one_keeps_nothing(client, officer, strategy, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "import": 2}
    client.force_login(officer)
    for _ in range(2):
        upload(client, strategy, HEADER + "Right Support,1. Oversight,,X1,Text,,TBC,,\n")
    refused = upload(client, strategy, HEADER + "Right Support,1. Oversight,,X1,Text,,TBC,,\n")
    assert refused.status_code == 429 and PlanImport.objects.count() == 2


def test_officers_find_the_import_from_the_strategy_page_and_others_do_not(client, officer, board, strategy):
    client.force_login(officer)
    assert "Import an updated plan" in client.get(strategy.get_absolute_url()).content.decode()
    client.force_login(board)
    assert "Import an updated plan" not in client.get(strategy.get_absolute_url()).content.decode()
