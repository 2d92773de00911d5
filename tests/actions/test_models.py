"""What the database itself guarantees, whoever writes to it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse

from actions import rules
from actions.models import (
    Action,
    ActionUpdate,
    DeliveryGroup,
    DueDateError,
    Priority,
    RatingLevel,
    RatingScheme,
    Strategy,
    due_example,
    parse_due,
)


def test_it_rejects_a_second_action_with_the_same_ref_in_a_strategy(action, group, level):
    with pytest.raises(IntegrityError):
        Action.objects.create(strategy=action.strategy, group=group, ref="SP1", text="Again", rating=level("grey"))


def test_it_rejects_a_rating_from_another_scheme_even_in_a_bulk_update(action):
    red_of_rag = RatingScheme.objects.get(code="rag").levels.get(code="red")
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(rating=red_of_rag)


def test_it_rejects_a_new_action_rated_in_another_scheme(strategy, group):
    red_of_rag = RatingScheme.objects.get(code="rag").levels.get(code="red")
    with pytest.raises(IntegrityError, match="not in the rating scheme"), transaction.atomic():
        Action.objects.bulk_create([Action(strategy=strategy, group=group, ref="X1", text="Elsewhere", rating=red_of_rag)])


def test_it_rejects_moving_an_action_to_a_strategy_whose_group_or_scheme_it_does_not_share(action, other_partnership, scheme):
    elsewhere = Strategy.objects.create(partnership=other_partnership, name="Elsewhere", scheme=scheme)
    with pytest.raises(IntegrityError, match="delivery group"), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(strategy=elsewhere)
    other_group = DeliveryGroup.objects.create(
        strategy=elsewhere, priority=Priority.objects.create(strategy=elsewhere, name="Other"), name="Other group"
    )
    with pytest.raises(IntegrityError, match="delivery group"), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(group=other_group)
    action.refresh_from_db()
    assert action.strategy_id != elsewhere.pk


def test_a_change_to_the_overdue_day_alone_adds_no_history_and_a_bulk_rerating_still_does(action, level):
    before = action.events.count()
    Action.objects.filter(pk=action.pk).update(overdue_since=dt.date(2025, 10, 1))
    assert action.events.count() == before
    Action.objects.filter(pk=action.pk).update(overdue_since=None, rating=level("red"))
    assert action.events.count() == before + 1
    assert action.events.last().rating_id == level("red").pk


def test_it_rejects_a_due_precision_without_a_date(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(due_date=None, due_precision=Action.DuePrecision.MONTH)


def test_it_keeps_updates_append_only(action, level):
    update = ActionUpdate.objects.create(action=action, rating_before=level("grey"), rating_after=level("amber"), narrative="Started")
    with pytest.raises(DatabaseError), transaction.atomic():
        ActionUpdate.objects.filter(pk=update.pk).update(narrative="Rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        ActionUpdate.objects.filter(pk=update.pk).delete()
    update.refresh_from_db()
    assert update.narrative == "Started"


def test_it_records_bulk_changes_to_actions_in_history(action, level):
    Action.objects.filter(pk=action.pk).update(rating=level("red"))
    events = action.events.order_by("pgh_id")
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert events.last().rating_id == level("red").pk


@pytest.mark.parametrize(
    "text, expected",
    [
        ("September 2025", (dt.date(2025, 9, 30), "month")),
        ("Sep 2025", (dt.date(2025, 9, 30), "month")),
        ("Sept 2025", (dt.date(2025, 9, 30), "month")),
        ("february 2028", (dt.date(2028, 2, 29), "month")),
        ("2025-09-30", (dt.date(2025, 9, 30), "day")),
        ("30/09/2025", (dt.date(2025, 9, 30), "day")),
        ("TBC", (None, "none")),
        ("To be determined", (None, "none")),
        ("", (None, "none")),
        ("June 2025 (Impact data will not be available until December 2025)", (dt.date(2025, 6, 30), "month")),
    ],
)
def test_it_reads_the_due_dates_plans_use(text, expected):
    assert parse_due(text) == expected


@pytest.mark.parametrize("text", ["31/02/2025", "2025-13-01", "Septober 2025", "soon", "Q3 2025"])
def test_it_refuses_to_guess_a_due_date(text):
    with pytest.raises(ValueError):
        parse_due(text)


def test_it_shows_due_dates_as_a_board_reads_them(action):
    assert action.due_label() == "Sep 2025"
    action.due_date, action.due_precision = dt.date(2025, 9, 12), Action.DuePrecision.DAY
    assert action.due_label() == "12 Sep 2025"
    action.due_date, action.due_precision = None, Action.DuePrecision.NONE
    assert action.due_label() == "TBC"


def test_a_month_due_date_is_overdue_only_after_the_month_ends(action):
    assert not rules.is_overdue(action.due_date, action.rating, dt.date(2025, 9, 30))
    assert rules.is_overdue(action.due_date, action.rating, dt.date(2025, 10, 1))
    assert rules.is_inconsistent(action.due_date, action.rating, dt.date(2025, 10, 1))  # Amber claims "on track"


def test_complete_and_undated_actions_are_never_overdue(action, level):
    assert not rules.is_overdue(action.due_date, level("amber-e"), dt.date(2030, 1, 1))
    assert not rules.is_overdue(None, level("red"), dt.date(2030, 1, 1))


@pytest.mark.parametrize(
    "phrase, code",
    [
        ("On track", "amber"),
        ("Delayed", "red"),
        ("Not yet started; no risk anticipated", "grey"),
        ("Complete but need to evidence impact", "amber-e"),
        ("Complete", "green"),
        ("  amber   e ", "amber-e"),
        ("", "grey"),
    ],
)
def test_the_plan_phrases_map_to_cheshire_east_levels(scheme, phrase, code):
    assert scheme.level_for(phrase).code == code


def test_each_shipped_scheme_has_one_default_and_a_complete_level(db):
    for scheme in RatingScheme.objects.prefetch_related("levels"):
        levels = list(scheme.levels.all())
        assert sum(lv.is_default for lv in levels) == 1, scheme.code
        assert any(lv.is_complete for lv in levels), scheme.code
        assert any(lv.is_risk for lv in levels), scheme.code


def test_each_shipped_level_has_the_class_its_meaning_says(db):
    """RAG's and BRAG's Amber ("some risk to delivery") is at risk; Cheshire East's Amber ("on track, not complete") is on track."""
    found = {(lv.scheme.code, lv.code): lv.progress for lv in RatingLevel.objects.select_related("scheme")}
    assert found == {
        ("cheshire-east", "red"): "at_risk",
        ("cheshire-east", "grey"): "not_started",
        ("cheshire-east", "amber"): "on_track",
        ("cheshire-east", "amber-e"): "complete",
        ("cheshire-east", "green"): "complete",
        ("rag", "red"): "at_risk",
        ("rag", "not-started"): "not_started",
        ("rag", "amber"): "at_risk",
        ("rag", "green"): "on_track",
        ("rag", "complete"): "complete",
        ("brag", "red"): "at_risk",
        ("brag", "not-started"): "not_started",
        ("brag", "amber"): "at_risk",
        ("brag", "green"): "on_track",
        ("brag", "blue"): "complete",
    }
    # The shorthand columns the database keeps follow the class, one true at most.
    for level in RatingLevel.objects.all():
        assert (level.is_complete, level.is_risk, level.is_on_track) == (
            level.progress == "complete",
            level.progress == "at_risk",
            level.progress == "on_track",
        )


def test_a_level_cannot_be_made_without_a_class_nor_a_default_that_has_started(scheme):
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingLevel.objects.create(scheme=scheme, code="x", label="X", colour="red", meaning="?", position=9, progress="")
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingLevel.objects.create(scheme=scheme, code="x", label="X", colour="red", meaning="?", position=9)
    scheme.levels.update(is_default=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingLevel.objects.create(
            scheme=scheme, code="x", label="X", colour="red", meaning="?", position=9, progress="on_track", is_default=True
        )


def test_commands_find_a_strategy_by_name_and_say_what_to_do_when_they_cannot(strategy, other_partnership, scheme):
    from actions.models import Strategy

    assert Strategy.named(strategy.name) == strategy
    with pytest.raises(LookupError, match="There is no strategy called 'Nope'"):
        Strategy.named("Nope")
    Strategy.objects.create(partnership=other_partnership, name=strategy.name, scheme=scheme)
    with pytest.raises(LookupError, match="name it with --partnership"):
        Strategy.named(strategy.name)
    assert Strategy.named(strategy.name, strategy.partnership.name) == strategy
    with pytest.raises(LookupError, match=f"in '{other_partnership.name}X'"):
        Strategy.named(strategy.name, other_partnership.name + "X")


def test_an_actions_address_is_the_one_its_url_pattern_gives_under_any_script_prefix(action):
    from django.urls import reverse, set_script_prefix

    assert action.get_absolute_url() == reverse("actions:action_detail", args=[action.pk])
    try:
        set_script_prefix("/send/")
        assert action.get_absolute_url() == reverse("actions:action_detail", args=[action.pk]) == f"/send/actions/{action.pk}/"
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize(
    ("today", "example"),
    [
        (dt.date(2026, 12, 5), ("March 2027", "31/03/2027")),
        (dt.date(2027, 2, 28), ("March 2027", "31/03/2027")),
        (dt.date(2027, 3, 1), ("March 2028", "31/03/2028")),
    ],
)
def test_the_example_due_date_in_hints_and_errors_is_ahead_of_today_and_reads_back_as_itself(today, example):
    """A hint that says "such as March 2026" in December 2026 shows a date already past: the example is always ahead."""
    assert due_example(today) == example
    month, day = example
    assert parse_due(month)[0] == parse_due(day)[0] == dt.date(int(month[-4:]), 3, 31)


def test_the_due_date_hints_and_a_refused_date_give_the_example_of_today(client, officer, action):
    month, day = due_example()
    client.force_login(officer)
    edit = client.get(reverse("actions:action_edit", args=[action.pk])).content.decode()
    assert f"A month such as {month}, a date such as {day}, or TBC." in edit
    page = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert f"A month such as &#x27;{month}&#x27;, or leave empty if it is not yet set." in page
    with pytest.raises(DueDateError, match=f"use a month such as '{month}', a date such as {day}, or TBC"):
        parse_due("soonish")
