"""A delivery lead updates an action: rating, narrative and evidence, kept for good."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from actions.models import Action, ActionUpdate, Evidence
from tests.actions.conftest import PDF_BYTES, PNG_BYTES


def post_update(client, action, htmx=False, files=None, **data):
    payload = {"version": action.version, **data}
    if files:
        payload["files"] = files
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("actions:action_update", args=[action.pk]), payload, headers=headers)


def test_it_records_the_update_and_redirects_with_a_message_without_javascript(client, owner, action, level):
    client.force_login(owner)
    response = post_update(client, action, rating=level("red").pk, narrative="Recruitment delayed; interim cover from May")
    assert response.status_code == 302 and response.url.endswith(f"/actions/{action.pk}/#history")
    page = client.get(response.url).content.decode()
    assert "Your update to action SP1 has been saved." in page
    assert "Recruitment delayed; interim cover from May" in page
    update = ActionUpdate.objects.get(action=action)
    assert (update.author, update.rating_before, update.rating_after) == (owner, level("amber"), level("red"))
    action.refresh_from_db()
    assert action.rating == level("red") and action.version == 2


def test_it_swaps_the_form_in_place_and_the_status_and_history_out_of_band_with_htmx(client, owner, action, level):
    client.force_login(owner)
    response = post_update(client, action, htmx=True, rating=level("amber-e").pk, narrative="Complete; impact to follow")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="action-updates">')
    assert "has been saved" in html and "data-app-focus" in html
    assert 'id="action-status" data-hx-swap-oob="true"' in html
    history = html[html.index('<div id="action-history" data-hx-swap-oob="true">') :]
    assert "Complete; impact to follow" in history
    assert 'data-testid="update-count">1<' in html and "Amber E" in html
    assert "<html" not in html
    # The fresh form carries the new version, so the next update is not a conflict.
    assert 'name="version" value="2"' in html


def test_the_update_form_comes_straight_after_the_status_with_the_milestones_and_then_the_history_below(client, owner, action):
    # On a phone, a step's form above it read as the page's form: the owner's update is what they come for.
    client.force_login(owner)
    page = client.get(action.get_absolute_url()).content.decode()
    places = [page.index(mark) for mark in ('id="action-status"', 'id="update-heading"', 'id="milestones-heading"', 'id="history"')]
    assert places == sorted(places)
    # The status panel is followed by the group's outcomes and the form, nothing else.
    assert 'name="milestone-title"' in page and 'name="milestone-title"' not in page[: places[1]]


def test_it_requires_a_narrative_when_the_rating_changes(client, owner, action, level):
    client.force_login(owner)
    response = post_update(client, action, rating=level("green").pk, narrative="   ")
    assert response.status_code == 422
    html = response.content.decode()
    assert "There is a problem" in html and "Say why the rating is changing from Amber to Green" in html
    assert 'href="#id_narrative"' in html and 'id="id_narrative-error"' in html
    assert not ActionUpdate.objects.exists()


def test_it_requires_a_recovery_narrative_for_a_risk_rating_even_unchanged(client, owner, action, level):
    Action.objects.filter(pk=action.pk).update(rating=level("red"))
    action.refresh_from_db()
    client.force_login(owner)
    response = post_update(client, action, htmx=True, rating=level("red").pk, narrative="")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Say what is being done to bring this action back on track" in html
    assert html.lstrip().startswith('<div id="action-updates">') and "data-app-focus" in html
    assert not ActionUpdate.objects.exists()


def test_it_accepts_an_unchanged_on_track_rating_without_narrative(client, owner, action, level):
    client.force_login(owner)
    assert post_update(client, action, rating=level("amber").pk, narrative="").status_code == 302
    update = ActionUpdate.objects.get()
    assert not update.rating_changed()


def test_it_ignores_every_field_other_than_rating_narrative_and_evidence(client, owner, action, level, strategy, lead_post):
    client.force_login(owner)
    before = Action.objects.values("ref", "text", "due_date", "due_precision", "group_id", "strategy_id", "notes").get(pk=action.pk)
    response = post_update(
        client,
        action,
        rating=level("red").pk,
        narrative="Behind plan",
        ref="HACKED",
        text="Rewritten",
        due_date="2030-01-01",
        due_precision="none",
        owners=[lead_post.pk],
        notes="x",
        strategy=999,
        group=999,
        author=999,
        rating_before=level("green").pk,
        source="import",
        created_at="2000-01-01T00:00:00Z",
    )
    assert response.status_code == 302
    after = Action.objects.values("ref", "text", "due_date", "due_precision", "group_id", "strategy_id", "notes").get(pk=action.pk)
    assert after == before
    assert list(action.owners.values_list("title", flat=True)) == ["Head of Service: Inclusion"]
    update = ActionUpdate.objects.get()
    assert (update.author, update.rating_before, update.source) == (owner, level("amber"), "browser")
    assert update.created_at.date() > dt.date(2000, 1, 1)


def test_it_refuses_a_version_from_the_future_or_nonsense(client, owner, action, level):
    client.force_login(owner)
    assert post_update(client, action, rating=level("red").pk, narrative="x", version=action.version + 5).status_code == 409
    assert post_update(client, action, rating=level("red").pk, narrative="x", version="-1").status_code == 422
    assert post_update(client, action, rating=level("red").pk, narrative="x", version="1e99").status_code == 422
    assert not ActionUpdate.objects.exists()


def test_it_refuses_a_rating_from_another_scheme(client, owner, action):
    from actions.models import RatingLevel

    foreign = RatingLevel.objects.exclude(scheme=action.strategy.scheme).first()
    client.force_login(owner)
    response = post_update(client, action, rating=foreign.pk, narrative="x")
    assert response.status_code == 422 and "Select a rating from the list" in response.content.decode()


def test_a_second_person_with_a_stale_form_gets_a_conflict_and_keeps_their_words(owner, group_lead, action, level):
    first, second = Client(), Client()
    first.force_login(owner)
    second.force_login(group_lead)
    # Both open the page at the same version.
    for client in (first, second):
        assert 'name="version" value="1"' in client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert post_update(first, action, rating=level("red").pk, narrative="Owner: provider pulled out").status_code == 302
    response = post_update(second, action, rating=level("green").pk, narrative="Lead: all done <b>really</b>")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Your update has not been saved" in html
    assert "owner@example.org" in html and "Owner: provider pulled out" in html  # their update, shown
    assert "Lead: all done &lt;b&gt;really&lt;/b&gt;</textarea>" in html  # mine, kept and escaped
    assert 'name="version" value="2"' in html
    assert ActionUpdate.objects.count() == 1
    action.refresh_from_db()
    assert action.rating == level("red")
    # Having seen their update, a deliberate resubmit goes through.
    resubmit = second.post(
        reverse("actions:action_update", args=[action.pk]),
        {"rating": level("green").pk, "narrative": "Lead: all done", "version": 2},
    )
    assert resubmit.status_code == 302
    assert list(ActionUpdate.objects.order_by("id").values_list("narrative", flat=True)) == [
        "Owner: provider pulled out",
        "Lead: all done",
    ]


def test_a_conflict_with_the_persons_own_update_from_another_tab_does_not_blame_someone_else(owner, action, level):
    first_tab = Client()
    first_tab.force_login(owner)
    assert post_update(first_tab, action, rating=level("red").pk, narrative="From the other tab", version=1).status_code == 302
    response = post_update(first_tab, action, rating=level("green").pk, narrative="From this tab", version=1)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Your update has not been saved: you updated this action in another tab or window after you opened this page" in html
    assert "You updated it on " in html and "From the other tab" in html and "From this tab</textarea>" in html
    assert "someone else" not in html


def test_a_conflict_over_htmx_swaps_the_panel_in_with_focus_on_it(client, owner, action, level):
    client.force_login(owner)
    Action.objects.filter(pk=action.pk).update(version=7)
    response = post_update(client, action, htmx=True, rating=level("red").pk, narrative="Typed with care")
    assert response.status_code == 409
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="action-updates">')
    assert "data-app-focus>Your update has not been saved" in html and "Typed with care</textarea>" in html


def test_after_a_conflict_each_chosen_file_is_named_to_be_chosen_again(client, owner, action, level):
    client.force_login(owner)
    Action.objects.filter(pk=action.pk).update(version=7)
    files = [SimpleUploadedFile("minutes <May>.pdf", PDF_BYTES, content_type="application/pdf")]
    response = post_update(client, action, rating=level("red").pk, narrative="With the minutes", files=files)
    assert response.status_code == 409
    html = response.content.decode()
    assert "The file you chose was not attached. Choose it again before you submit:" in html
    assert "<li>minutes &lt;May&gt;.pdf</li>" in html
    assert not Evidence.objects.exists()


def test_it_attaches_links_and_files_as_evidence(client, owner, action, level, settings):
    client.force_login(owner)
    response = post_update(
        client,
        action,
        rating=level("amber").pk,
        narrative="Evidence attached",
        links="https://example.org/report\nhttp://intranet.example.org/minutes",
        files=[SimpleUploadedFile("minutes.pdf", PDF_BYTES), SimpleUploadedFile("chart.png", PNG_BYTES)],
    )
    assert response.status_code == 302
    evidence = list(Evidence.objects.order_by("id"))
    assert [e.kind for e in evidence] == ["link", "link", "file", "file"]
    pdf = evidence[2]
    assert pdf.original_name == "minutes.pdf" and pdf.content_type == "application/pdf" and pdf.size == len(PDF_BYTES)
    stored = settings.PRIVATE_MEDIA_ROOT / "evidence" / pdf.file.name
    assert stored.read_bytes() == PDF_BYTES
    assert "minutes" not in pdf.file.name  # the stored name is the server's, not the uploader's
    page = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert reverse("actions:evidence_download", args=[pdf.pk]) in page and "https://example.org/report" in page


@pytest.mark.parametrize(
    "links",
    ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://example.org/x", "example.org/no-scheme", "https://"],
)
def test_it_refuses_links_that_are_not_web_addresses(client, owner, action, level, links):
    client.force_login(owner)
    response = post_update(client, action, rating=level("amber").pk, narrative="x", links=links)
    assert response.status_code == 422
    assert "full web address starting with https://" in response.content.decode()
    assert not Evidence.objects.exists() and not ActionUpdate.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "must be a PDF"),
        ("page.html", b"<script>alert(1)</script>", "must be a PDF"),
        ("renamed.pdf", b"MZ\x90\x00 not a pdf", "is not a real PDF"),
        ("fake.docx", b"PK\x03\x04 but not a zip", "is not a real Word document"),
        ("photo.jpg", PNG_BYTES, "is not a real JPEG image"),
        ("binary.csv", b"a,b\x00\x01", "is not a real CSV file"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_it_refuses_files_outside_the_allow_list_or_not_what_they_claim(client, owner, action, level, name, content, message, settings):
    client.force_login(owner)
    response = post_update(client, action, rating=level("amber").pk, narrative="x", files=[SimpleUploadedFile(name, content)])
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Evidence.objects.exists() and not ActionUpdate.objects.exists()
    assert not (settings.PRIVATE_MEDIA_ROOT / "evidence").exists() or not any((settings.PRIVATE_MEDIA_ROOT / "evidence").rglob("*.*"))


def test_it_refuses_files_over_the_size_limit(client, owner, action, level, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(owner)
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2048)
    response = post_update(client, action, rating=level("amber").pk, narrative="x", files=[big])
    assert response.status_code == 422 and "must be smaller than 1.0\xa0KB" in response.content.decode()


def test_it_accepts_a_real_word_document(client, owner, action, level):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    client.force_login(owner)
    response = post_update(
        client, action, rating=level("amber").pk, narrative="x", files=[SimpleUploadedFile("plan.docx", buffer.getvalue())]
    )
    assert response.status_code == 302
    assert Evidence.objects.get().content_type.endswith("wordprocessingml.document")


def test_downloads_are_attachments_under_their_uploaded_name_that_are_never_cached_or_sniffed(client, board, evidence_file):
    client.force_login(board)
    response = client.get(reverse("actions:evidence_download", args=[evidence_file.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="Audit report.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_evidence_files_live_outside_public_urls(evidence_file, settings):
    with pytest.raises(ValueError):
        evidence_file.file.url  # noqa: B018
    stored = settings.PRIVATE_MEDIA_ROOT / "evidence" / evidence_file.file.name
    assert stored.exists()


def test_history_is_newest_first_and_shows_before_and_after(client, board, owner, action, level):
    from actions.services import action_update_record

    action_update_record(action=action, user=owner, rating=level("red"), narrative="First", expected_version=1)
    action_update_record(action=action, user=owner, rating=level("amber"), narrative="Second", expected_version=2)
    client.force_login(board)
    html = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert html.index("Second") < html.index("First")
    assert 'data-testid="update-count">2<' in html
    assert "Fewer complaints" in html  # the delivery group's "what we will see"
    assert "Save update" not in html


def test_updates_are_immutable_records(owner, action, level):
    from django.db import DatabaseError, transaction

    from actions.services import action_update_record

    update = action_update_record(action=action, user=owner, rating=level("red"), narrative="Kept", expected_version=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        ActionUpdate.objects.filter(pk=update.pk).update(narrative="Rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        ActionUpdate.objects.filter(pk=update.pk).delete()


def test_action_history_captures_bulk_changes_too(owner, action, level):
    from django.apps import apps

    ActionEvent = apps.get_model("actions", "ActionEvent")  # noqa: N806
    Action.objects.filter(pk=action.pk).update(rating=level("green"))
    assert ActionEvent.objects.filter(pgh_obj_id=action.pk, rating=level("green")).exists()


@pytest.mark.parametrize(
    ("uploaded", "disposition"),
    [
        ("evidence-minutes.pdf", 'attachment; filename="evidence-minutes.pdf"'),
        ("..\\..\\board\\minutes.pdf", 'attachment; filename="minutes.pdf"'),
        ("/etc/passwd.pdf", 'attachment; filename="passwd.pdf"'),
        ("évaluation été.pdf", "attachment; filename*=utf-8''%C3%A9valuation%20%C3%A9t%C3%A9.pdf"),
        ("minutes\u202egpj.exe.pdf", 'attachment; filename="minutesgpj.exe.pdf"'),
        ('a"b\r\nSet-Cookie: x.pdf', 'attachment; filename="abSet-Cookie x.pdf"'),
        ("minutes.exe", 'attachment; filename="minutes.pdf"'),
        ("...pdf", 'attachment; filename="sp1-evidence-{pk}.pdf"'),
    ],
)
def test_a_download_keeps_the_uploaded_name_made_safe(client, board, evidence_file, uploaded, disposition):
    from django.utils.http import content_disposition_header

    evidence_file.original_name = uploaded  # evidence rows are append-only: the name is built on this copy
    assert content_disposition_header(True, evidence_file.download_name()) == disposition.format(pk=evidence_file.pk)


def test_the_action_page_names_each_owners_organisation(client, board, action, owner_post):
    from people.models import Organisation

    owner_post.organisation = Organisation.objects.create(partnership=owner_post.partnership, name="NHS Cheshire & Merseyside")
    owner_post.save()
    client.force_login(board)
    html = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert "Head of Service: Inclusion" in html and "(NHS Cheshire &amp; Merseyside)" in html


def test_the_due_date_names_the_plans_own_words_only_when_they_say_something_else(client, owner, action, make_action):
    client.force_login(owner)
    page = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert "Sep 2025" in page and "plan says" not in page  # "September 2025" is the same month spelled out
    spring = make_action(due=dt.date(2026, 5, 31), due_text="Spring 2026")
    page = client.get(reverse("actions:action_detail", args=[spring.pk])).content.decode()
    assert "May 2026" in page and "(plan says “Spring 2026”)" in page
    day = make_action(due=dt.date(2027, 1, 13), due_precision=Action.DuePrecision.DAY, due_text="13 January 2027")
    assert "plan says" not in client.get(reverse("actions:action_detail", args=[day.pk])).content.decode()
