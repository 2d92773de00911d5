"""A partnership's own rating schemes in the browser, and moving a strategy's ratings to another scheme level by level."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.models import Action, ActionChange, RatingLevel, RatingScheme, Strategy
from actions.schemes import LevelDraft, scheme_create

FOUR_LEVELS = {
    "name": "Northshire four-level",
    "description": "As our tracker's key says.",
    "level_0_label": "Not on track",
    "level_0_meaning": "R = not on track",
    "level_0_progress": "at_risk",
    "level_0_colour": "red",
    "level_0_order": "1",
    "level_1_label": "Not started",
    "level_1_meaning": "Not started yet",
    "level_1_progress": "not_started",
    "level_1_colour": "grey",
    "level_1_order": "2",
    "level_2_label": "On track",
    "level_2_meaning": "A = on track",
    "level_2_progress": "on_track",
    "level_2_colour": "amber",
    "level_2_order": "3",
    "level_3_label": "Complete",
    "level_3_meaning": "G = complete",
    "level_3_progress": "complete",
    "level_3_colour": "green",
    "level_3_order": "4",
}


def own_scheme(partnership, officer, name="Northshire three-level") -> RatingScheme:
    return scheme_create(
        partnership=partnership,
        user=officer,
        name=name,
        description="",
        levels=[
            LevelDraft("Behind", "Behind plan", "at_risk", "red", 1),
            LevelDraft("Not begun", "Not started", "not_started", "grey", 2),
            LevelDraft("Going well", "On track", "on_track", "green", 3),
            LevelDraft("Done", "Complete", "complete", "blue", 4),
        ],
    )


def test_an_officer_creates_a_scheme_with_a_class_for_every_level_and_chooses_it_for_a_new_strategy(client, officer, partnership):
    client.force_login(officer)
    response = client.post(reverse("actions:scheme_create", args=[partnership.pk]), FOUR_LEVELS)
    scheme = RatingScheme.objects.get(name="Northshire four-level")
    assert response.status_code == 302 and scheme.partnership == partnership
    levels = list(scheme.levels.order_by("position"))
    assert [(lv.label, lv.progress, lv.colour) for lv in levels] == [
        ("Not on track", "at_risk", "red"),
        ("Not started", "not_started", "grey"),
        ("On track", "on_track", "amber"),
        ("Complete", "complete", "green"),
    ]
    assert [lv.is_default for lv in levels] == [False, True, False, False]  # new actions start at "not started"
    page = client.get(reverse("actions:scheme_detail", args=[partnership.pk, scheme.pk])).content.decode()
    assert "A = on track" in page and "Counts as at risk: R = not on track" in page

    form = client.get(reverse("actions:strategy_create", args=[partnership.pk])).content.decode()
    assert "Northshire four-level" in form and "RAG" in form
    client.post(reverse("actions:strategy_create", args=[partnership.pk]), {"name": "Our plan", "scheme": str(scheme.pk)})
    assert Strategy.objects.get(name="Our plan").scheme == scheme


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"level_3_progress": "on_track"}, "Make one level mean “complete”"),
        ({"level_1_progress": "on_track"}, "Make one level mean “not started”"),
        ({"level_2_progress": ""}, "Choose whether “On track” is not started, on track, at risk or complete"),
        ({"level_2_colour": "purple"}, "Select a valid choice"),
        ({"level_2_label": "Complete"}, "Two levels are called “Complete”"),
        ({"level_2_order": "4"}, "Two levels have the order 4"),
        ({"level_2_label": ""}, "Enter level 3&#x27;s label, or clear its row"),
        ({"name": "RAG"}, "There is already a rating scheme called “RAG”"),
    ],
)
def test_a_scheme_that_would_not_work_is_explained_on_the_form_and_nothing_is_made(client, officer, partnership, change, message):
    client.force_login(officer)
    before = RatingScheme.objects.count()
    response = client.post(reverse("actions:scheme_create", args=[partnership.pk]), {**FOUR_LEVELS, **change})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert RatingScheme.objects.count() == before


def test_copying_a_shipped_scheme_makes_an_own_scheme_and_leaves_the_shipped_one_as_it_was(client, officer, partnership):
    rag = RatingScheme.objects.get(code="rag")
    shipped = list(rag.levels.values_list("label", "progress", "meaning"))
    client.force_login(officer)
    page = client.get(reverse("actions:scheme_create", args=[partnership.pk]) + f"?copy={rag.pk}").content.decode()
    assert 'value="Copy of RAG"' in page and 'value="Some risk to delivery, being managed"' in page
    data = {
        "name": "Our RAG",
        "description": "",
        **{
            f"level_{i}_{key}": value
            for i, (label, progress, meaning, colour) in enumerate(rag.levels.values_list("label", "progress", "meaning", "colour"))
            for key, value in (("label", label), ("progress", progress), ("meaning", meaning), ("colour", colour), ("order", str(i + 1)))
        },
    }
    data["level_2_label"], data["level_2_progress"] = "Amber (on track)", "on_track"  # our Amber means on track
    assert client.post(reverse("actions:scheme_create", args=[partnership.pk]) + f"?copy={rag.pk}", data).status_code == 302
    ours = RatingScheme.objects.get(name="Our RAG", partnership=partnership)
    assert ours.levels.get(label="Amber (on track)").progress == "on_track"
    assert list(rag.levels.values_list("label", "progress", "meaning")) == shipped


def test_a_partnerships_scheme_is_invisible_to_another_partnership(client, officer, outsider, partnership, other_partnership):
    ours = own_scheme(partnership, officer)
    client.force_login(outsider)
    assert "Northshire three-level" not in client.get(reverse("actions:scheme_list", args=[other_partnership.pk])).content.decode()
    assert client.get(reverse("actions:scheme_detail", args=[other_partnership.pk, ours.pk])).status_code == 404
    assert client.get(reverse("actions:scheme_create", args=[other_partnership.pk]) + f"?copy={ours.pk}").status_code == 404
    response = client.post(reverse("actions:strategy_create", args=[other_partnership.pk]), {"name": "Theirs", "scheme": str(ours.pk)})
    assert response.status_code == 422 and "Choose one of the rating schemes listed" in response.content.decode()
    assert not Strategy.objects.filter(name="Theirs").exists()
    # The shipped ones are everyone's.
    rag = RatingScheme.objects.get(code="rag")
    assert client.get(reverse("actions:scheme_detail", args=[other_partnership.pk, rag.pk])).status_code == 200


def test_a_scheme_name_is_escaped_wherever_it_shows(client, officer, partnership):
    own_scheme(partnership, officer, name="<script>alert(1)</script>")
    client.force_login(officer)
    page = client.get(reverse("actions:scheme_list", args=[partnership.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


@pytest.fixture
def rated(strategy, group, level, action):
    """The strategy's actions at Amber (two), Red and Grey: levels of Cheshire East's scheme."""
    for ref, code in (("SP2", "amber"), ("SP3", "red"), ("SP4", "grey")):
        Action.objects.create(strategy=strategy, group=group, ref=ref, text=f"Action {ref}", rating=level(code))
    return strategy


def scheme_url(strategy, scheme) -> str:
    return reverse("actions:strategy_scheme", args=[strategy.pk]) + f"?scheme={scheme.pk}"


def test_changing_the_scheme_maps_every_level_in_use_previews_then_records_each_move(client, officer, partnership, rated, level):
    ours = own_scheme(partnership, officer)
    new = {lv.label: lv for lv in ours.levels.all()}
    client.force_login(officer)
    choose = client.get(reverse("actions:strategy_scheme", args=[rated.pk])).content.decode()
    assert "Northshire three-level" in choose and "RAG" in choose

    mapping = {
        f"map_{level('amber').pk}": str(new["Going well"].pk),
        f"map_{level('red').pk}": str(new["Behind"].pk),
        f"map_{level('grey').pk}": str(new["Done"].pk),  # a slip of the officer's: shown as a warning in the preview
        "reason": "The partnership board adopted its own scheme.",
    }
    # Nothing is chosen for the officer: every level in use must be mapped.
    missing = client.post(scheme_url(rated, ours), {**mapping, f"map_{level('red').pk}": "", "step": "preview"})
    assert missing.status_code == 422 and "Choose the level for the 1 action now at Red" in missing.content.decode()

    preview = client.post(scheme_url(rated, ours), {**mapping, "step": "preview"})
    page = preview.content.decode()
    assert preview.status_code == 200 and "Check the change of rating scheme" in page
    assert "These actions will count as complete, not not started, on every page." in page
    assert Strategy.objects.get(pk=rated.pk).scheme_id != ours.pk  # nothing changed by the preview

    done = client.post(scheme_url(rated, ours), {**mapping, "step": "confirm"})
    assert done.status_code == 302
    assert Strategy.objects.get(pk=rated.pk).scheme == ours
    moved = dict(Action.everything.filter(strategy=rated).values_list("ref", "rating__label"))
    assert moved == {"SP1": "Going well", "SP2": "Going well", "SP3": "Behind", "SP4": "Done"}
    changes = ActionChange.objects.filter(action__strategy=rated, field=ActionChange.Field.RATING_SCHEME)
    assert changes.count() == 4
    sp3 = changes.get(action__ref="SP3")
    assert (sp3.before, sp3.after, sp3.reason, sp3.author) == (
        "Red (Cheshire East five-level rating)",
        "Behind (Northshire three-level)",
        "The partnership board adopted its own scheme.",
        officer,
    )
    assert set(Action.objects.filter(strategy=rated).values_list("version", flat=True)) == {2}  # forms loaded before are stale


def test_a_level_rated_since_the_preview_is_refused_not_guessed(client, officer, partnership, rated, level, group):
    ours = own_scheme(partnership, officer)
    new = {lv.label: lv for lv in ours.levels.all()}
    mapping = {
        f"map_{level('amber').pk}": str(new["Going well"].pk),
        f"map_{level('red').pk}": str(new["Behind"].pk),
        f"map_{level('grey').pk}": str(new["Not begun"].pk),
        "reason": "Adopted.",
        "step": "confirm",
    }
    Action.objects.create(strategy=rated, group=group, ref="SP5", text="Completed meanwhile", rating=level("green"))
    client.force_login(officer)
    response = client.post(scheme_url(rated, ours), mapping)
    page = response.content.decode()
    assert response.status_code == 422 and "Choose the level for the 1 action now at Green" in page
    assert Strategy.objects.get(pk=rated.pk).scheme.code == "cheshire-east"
    assert not ActionChange.objects.filter(field=ActionChange.Field.RATING_SCHEME).exists()


def test_another_partnerships_scheme_cannot_be_chosen_for_a_strategy(client, officer, outsider, other_partnership, rated):
    theirs = own_scheme(other_partnership, outsider)
    client.force_login(officer)
    response = client.get(scheme_url(rated, theirs))
    assert response.status_code == 422 and "Choose one of the rating schemes listed" in response.content.decode()
    client.force_login(outsider)
    assert client.get(scheme_url(rated, theirs)).status_code == 404


def test_the_classes_of_the_new_scheme_are_what_every_page_counts_after_the_change(client, officer, partnership, rated, level):
    ours = own_scheme(partnership, officer)
    new = {lv.label: lv for lv in ours.levels.all()}
    client.force_login(officer)
    client.post(
        scheme_url(rated, ours),
        {
            f"map_{level('amber').pk}": str(new["Behind"].pk),
            f"map_{level('red').pk}": str(new["Behind"].pk),
            f"map_{level('grey').pk}": str(new["Not begun"].pk),
            "reason": "Re-rated at the board.",
            "step": "confirm",
        },
    )
    page = client.get(reverse("reporting:dashboard", args=[rated.pk])).content.decode()
    assert RatingLevel.objects.filter(scheme=ours, label="Behind").get().progress == "at_risk"
    assert 'app-figures__count">3</span>' in page.split("app-figures__item--risk", 1)[1][:400]


def test_a_snapshot_from_before_the_change_still_reads_in_the_scheme_it_was_rated_in(client, officer, partnership, rated, level):
    import datetime as dt

    from governance.services import snapshot_take
    from reporting.report import board_pack_context

    before = snapshot_take(strategy=rated, as_at=dt.date(2025, 6, 30))
    ours = own_scheme(partnership, officer)
    new = {lv.label: lv for lv in ours.levels.all()}
    client.force_login(officer)
    client.post(
        scheme_url(rated, ours),
        {
            f"map_{level('amber').pk}": str(new["Going well"].pk),
            f"map_{level('red').pk}": str(new["Behind"].pk),
            f"map_{level('grey').pk}": str(new["Not begun"].pk),
            "reason": "Adopted.",
            "step": "confirm",
        },
    )
    pack = board_pack_context(before)
    assert {s.level.label: s.count for s in pack["counts"].overall.segments if s.count} == {"Red": 1, "Grey": 1, "Amber": 2}
    page = client.get(reverse("reporting:dashboard", args=[rated.pk]) + f"?snapshot={before.pk}").content.decode()
    assert 'data-rating="amber"' in page.split('class="govuk-table app-matrix"', 1)[1]
    # The action's page tells the move in its history, with the reason.
    action = Action.objects.get(strategy=rated, ref="SP3")
    history = client.get(action.get_absolute_url()).content.decode()
    assert "Rating scheme changed from “Red (Cheshire East five-level rating)” to “Behind (Northshire three-level)”: Adopted." in history
