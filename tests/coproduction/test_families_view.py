"""The families' view: recorded by co-production partners only, kept for good, shown beside the officers' ratings."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
from django.db import InternalError, ProgrammingError, transaction
from django.urls import reverse

from actions.models import Action, DeliveryGroup
from coproduction.models import FamiliesLevel, FamiliesView
from coproduction.services import families_view_record
from governance.services import snapshot_take
from reporting.report import board_pack_context

pytestmark = pytest.mark.django_db


def record(client, group, level="no_change", narrative="Nothing has changed for us yet.", source="Forum survey Q18"):
    return client.post(reverse("coproduction:families_view", args=[group.pk]), {"level": level, "narrative": narrative, "source": source})


def test_a_partner_records_the_families_view_and_the_group_page_shows_it(client, partner, group, action):
    client.force_login(partner)
    response = record(client, group)
    assert response.status_code == 302
    page = client.get(reverse("reporting:group_detail", args=[group.pk])).content.decode()
    assert "No change yet" in page and "Nothing has changed for us yet." in page and "Forum survey Q18" in page


def test_the_group_page_reads_the_ratings_then_the_families_view_as_one_sentence(client, partner, board, group, action):
    """No stray space before the full stop that ends the officers' ratings: "Amber 1. Families' view: ..."."""
    client.force_login(partner)
    record(client, group)
    client.force_login(board)
    page = lxml.html.fromstring(client.get(reverse("reporting:group_detail", args=[group.pk])).content)
    (line,) = [p.text_content() for p in page.xpath("//p") if p.text_content().startswith("Officers' ratings:")]
    assert " 1. Families' view: No change yet" in " ".join(line.split())


def test_a_partner_who_came_from_this_cycles_list_goes_back_to_it_for_the_next_group(client, partner, group, action, strategy):
    client.force_login(partner)
    cycle = reverse("reporting:this_cycle", args=[strategy.pk])
    listed = client.get(cycle).content.decode()
    form_url = reverse("coproduction:families_view", args=[group.pk]) + "?from=cycle"
    assert f'href="{form_url}"' in listed
    form = client.get(form_url).content.decode()
    assert f'<a href="{cycle}" class="govuk-back-link">Back to this cycle</a>' in form
    response = client.post(form_url, {"level": "some", "narrative": "A little better.", "source": "Forum survey Q18"})
    assert response.status_code == 302 and response.url == cycle
    # Refused, the form keeps its way back.
    refused = client.post(form_url, {"level": "some", "narrative": " ", "source": "Forum survey Q18"}).content.decode()
    assert f'<a href="{cycle}" class="govuk-back-link">Back to this cycle</a>' in refused


def test_the_forums_agreement_says_when_families_will_read_the_view(client, partner, officer, group, strategy):
    from coproduction.models import PublicPage, SummaryDraft
    from coproduction.services import page_publish

    client.force_login(partner)
    url = reverse("coproduction:families_view", args=[group.pk])
    form = client.get(url).content.decode()
    assert 'aria-describedby="id_publishable-hint"' in form and "The public page is not published yet" in form
    page = PublicPage.objects.create(strategy=strategy, slug="progress")
    SummaryDraft.objects.create(group=group, you_said="Waits were too long.", we_did="We hired caseworkers.")
    page_publish(page=page, user=officer)
    assert "Families can read it there as soon as you record it" in client.get(url).content.decode()
    PublicPage.objects.filter(pk=page.pk).update(show_families_view=False)
    assert "The public page shows no families' views at the moment" in client.get(url).content.decode()


@pytest.mark.parametrize("persona", ["officer", "group_lead", "owner", "board"])
def test_nobody_but_a_partner_can_record_it(client, request, persona, group, action):
    client.force_login(request.getfixturevalue(persona))
    assert record(client, group).status_code == 403
    assert client.get(reverse("coproduction:families_view", args=[group.pk])).status_code == 403
    assert not FamiliesView.objects.exists()


def test_another_partnership_gets_not_found(client, outsider, group):
    client.force_login(outsider)
    assert record(client, group).status_code == 404


def test_a_partner_cannot_change_an_officers_rating(client, partner, action, level):
    client.force_login(partner)
    response = client.post(
        reverse("actions:action_update", args=[action.pk]),
        {"rating": str(level("red").pk), "narrative": "Families disagree.", "version": str(action.version)},
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.rating == level("amber")


def test_a_missing_narrative_is_refused_where_the_partner_is_looking(client, partner, group):
    client.force_login(partner)
    response = record(client, group, narrative="  ")
    assert response.status_code == 422
    assert "Enter what families are saying" in response.content.decode()
    assert not FamiliesView.objects.exists()


def test_every_view_is_kept_and_none_can_be_changed(partner, group):
    first = families_view_record(group=group, user=partner, level="worse", narrative="Worse.", source="Casework")
    families_view_record(group=group, user=partner, level="some", narrative="A little better.", source="Survey")
    assert list(FamiliesView.objects.filter(group=group).values_list("level", flat=True)) == ["some", "worse"]
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        FamiliesView.objects.filter(pk=first.pk).update(level="improvement")
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        FamiliesView.objects.filter(pk=first.pk).delete()


def test_the_dashboard_flags_families_who_disagree_with_an_on_track_rating(client, board, partner, group, action):
    families_view_record(group=group, user=partner, level=FamiliesLevel.WORSE, narrative="Families see it getting worse.", source="Survey")
    client.force_login(board)
    page = client.get(reverse("reporting:dashboard", args=[group.strategy_id])).content.decode()
    assert "Families' view disagrees with the officers' ratings: <strong>1</strong>" in page
    assert "Families see it getting worse." in page
    assert "Getting worse" in page


@pytest.mark.parametrize(
    ("rating", "families", "flagged"),
    [
        ("amber", FamiliesLevel.NO_CHANGE, True),
        ("amber", FamiliesLevel.SOME, False),
        ("red", FamiliesLevel.WORSE, False),  # the officers say it is off track too
        ("grey", FamiliesLevel.NO_CHANGE, False),  # not started is no claim of being on track
    ],
)
def test_disagreement_needs_officers_on_track_and_families_seeing_no_change(
    client, board, partner, group, action, level, rating, families, flagged
):
    Action.objects.filter(pk=action.pk).update(rating=level(rating))
    families_view_record(group=group, user=partner, level=families, narrative="What families say.", source="Survey")
    client.force_login(board)
    page = client.get(reverse("reporting:dashboard", args=[group.strategy_id])).content.decode()
    count = 1 if flagged else 0
    assert f"Families' view disagrees with the officers' ratings: <strong>{count}</strong>" in page


def test_a_snapshot_freezes_the_view_for_the_pack(partner, group, action, strategy):
    families_view_record(group=group, user=partner, level="no_change", narrative="As it was at the board.", source="Survey")
    snapshot = snapshot_take(strategy=strategy, as_at=dt.date(2025, 6, 30))
    families_view_record(group=group, user=partner, level="improvement", narrative="Later, better.", source="Survey")
    context = board_pack_context(snapshot)
    assert [(d.group.pk, d.view.narrative) for d in context["disagreements"]] == [(group.pk, "As it was at the board.")]
    frozen = context["families_groups"][0]["families_view"]
    assert frozen.level == "no_change"
    assert (frozen.narrative, frozen.source, frozen.view.narrative, frozen.group_id) == (
        "As it was at the board.",
        "Survey",
        "As it was at the board.",
        group.pk,
    )


def test_the_pack_shows_the_families_view_and_the_disagreement(client, officer, partner, group, action, strategy):
    families_view_record(group=group, user=partner, level="worse", narrative="<b>Worse</b> for families.", source="Casework")
    snapshot = snapshot_take(strategy=strategy, as_at=dt.date(2025, 6, 30))
    client.force_login(officer)
    page = client.get(reverse("reporting:snapshot_pack", args=[snapshot.pk])).content.decode()
    assert "Families' view disagrees with the officers' ratings (1)" in page
    assert "&lt;b&gt;Worse&lt;/b&gt; for families." in page and "<b>Worse</b>" not in page


def test_the_pack_sets_a_view_of_a_group_with_sub_groups_beside_the_sub_groups_ratings(partner, group, action, strategy, level):
    # The group's actions are all in its sub-group: the families' view of the whole group is judged against them, and shown so.
    parent = DeliveryGroup.objects.create(strategy=strategy, priority=group.priority, name="3. EHC Needs Assessments", position=3)
    DeliveryGroup.objects.filter(pk=group.pk).update(parent=parent)
    Action.objects.create(strategy=strategy, group=group, ref="SP9", text="Second", rating=level("green"))
    families_view_record(group=parent, user=partner, level="no_change", narrative="No better.", source="Survey")
    context = board_pack_context(snapshot_take(strategy=strategy, as_at=dt.date(2025, 6, 30)))
    [row] = context["families_groups"]
    assert row["group"] == parent
    assert {(segment.level.code, segment.count) for segment in row["tally"].shown()} == {("amber", 1), ("green", 1)}
    assert row["disagrees"]  # families see no change where the officers rate it on track or complete


def test_recording_again_this_cycle_starts_from_the_view_already_recorded_and_keeps_it(client, partner, officer, group, action):
    """A partner who recorded a view this cycle and comes back to add to it finds their words, not an empty form."""
    client.force_login(partner)
    url = reverse("coproduction:families_view", args=[group.pk])
    empty = lxml.html.fromstring(client.get(url).content)
    assert empty.xpath("//textarea[@name='narrative']")[0].text_content().strip() == ""
    assert not empty.xpath("//input[@name='level'][@checked]")
    said = {"level": "some", "narrative": "Waits are shorter <b>for some</b>.", "source": "Forum survey Q18", "publishable": "on"}
    client.post(url, said)
    again = lxml.html.fromstring(client.get(url).content)
    assert again.xpath("//textarea[@name='narrative']")[0].text_content().strip() == "Waits are shorter <b>for some</b>."
    assert again.xpath("//textarea[@name='source']")[0].text_content().strip() == "Forum survey Q18"
    assert [i.get("value") for i in again.xpath("//input[@name='level'][@checked]")] == ["some"]
    assert again.xpath("//input[@name='publishable']/@checked")
    assert "The form starts from the view you recorded on" in again.xpath("string(//div[@class='govuk-inset-text'])")
    # Recording it again keeps the first in the history.
    record(client, group, level="some", narrative="Waits are shorter for most.")
    assert list(FamiliesView.objects.filter(group=group).values_list("narrative", flat=True)) == [
        "Waits are shorter for most.",
        "Waits are shorter <b>for some</b>.",
    ]
    # After the board the cycle is a new one: the form is empty again, for this cycle's view.
    snapshot_take(strategy=group.strategy, as_at=dt.date.today(), taken_by=officer)
    fresh = lxml.html.fromstring(client.get(url).content)
    assert fresh.xpath("//textarea[@name='narrative']")[0].text_content().strip() == ""


def test_the_form_reads_the_groups_views_once_for_what_it_starts_from_and_the_history(
    client, partner, group, action, django_assert_num_queries
):
    client.force_login(partner)
    record(client, group, level="some", narrative="Waits are shorter for some.")
    url = reverse("coproduction:families_view", args=[group.pk])
    # The session, the partner's membership, the group, its views (latest first), the last board and the public page.
    with django_assert_num_queries(6) as read:
        page = lxml.html.fromstring(client.get(url).content)
    assert sum('FROM "coproduction_familiesview"' in query["sql"] for query in read.captured_queries) == 1
    assert page.xpath("//textarea[@name='narrative']")[0].text_content().strip() == "Waits are shorter for some."
    assert "The form starts from the view you recorded on" in page.xpath("string(//div[@class='govuk-inset-text'])")
