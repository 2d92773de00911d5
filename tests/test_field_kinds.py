"""Each field is the kind its content needs: words get a full-width textarea (a phone opens its keyboard), numbers a number keypad."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.kpis.conftest import add_value, indicator  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


class Field(dict):
    """A form control as the browser gets it: its tag and attributes."""

    def __init__(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().__init__((key, value or "") for key, value in attrs)
        self.tag = tag


def field(page: bytes, name: str) -> Field:
    found: list[Field] = []

    class Finder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if dict(attrs).get("name") == name and tag in ("input", "textarea", "select"):
                found.append(Field(tag, attrs))

    Finder().feed(page.decode())
    assert found, f"no field named {name}"
    return found[0]


@pytest.mark.parametrize(
    ("persona", "url_name", "names"),
    [
        ("partner", "coproduction:families_view", ["narrative", "source"]),
        ("officer", "coproduction:summary_edit", ["you_said", "we_did"]),
    ],
)
def test_what_families_say_and_what_was_done_are_textareas_not_number_boxes(client, request, group, persona, url_name, names):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse(url_name, args=[group.pk])).content
    for name in names:
        box = field(page, name)
        assert box.tag == "textarea", name
        assert "inputmode" not in box and "width-10" not in box["class"]
        assert f"id_{name}-hint" in box.get("aria-describedby", ""), f"{name} has its hint read out"


def test_a_kpi_value_form_offers_a_number_keypad_only_for_the_figures(client, owner, indicator):  # noqa: F811
    client.force_login(owner)
    page = client.get(indicator.get_absolute_url()).content
    for name in ["value", "england", "region", "statistical_neighbours"]:
        assert field(page, name).get("inputmode") == "decimal", name
    assert "inputmode" not in field(page, "period")
    assert field(page, "note").tag == "textarea"
    assert b'for="id_note">Note (optional)</label>' in page


def test_the_reason_for_a_correction_is_a_textarea(client, owner, indicator):  # noqa: F811
    value = add_value(indicator, "2025-04", "80")
    client.force_login(owner)
    page = client.get(reverse("kpis:value_correct", args=[value.pk])).content
    assert field(page, "reason").tag == "textarea" and "inputmode" not in field(page, "reason")
    assert field(page, "value").get("inputmode") == "decimal"


def test_an_officer_inviting_someone_is_not_offered_their_own_email_and_name(client, officer, partnership):
    client.force_login(officer)
    page = client.get(reverse("people:invite", args=[partnership.pk])).content
    assert field(page, "email").get("autocomplete") == "off" and field(page, "email").get("type") == "email"
    assert field(page, "first_name").get("autocomplete") == "off"


def test_whole_numbers_are_text_boxes_with_a_numeric_keypad_not_number_inputs(client, officer, partnership, strategy):
    from governance.models import Board

    Board.objects.create(partnership=partnership, name="SEND Partnership Board")
    client.force_login(officer)
    pages = {
        reverse("governance:calendar", args=[strategy.pk]): ["every", "count", "papers_days"],
        reverse("actions:chasing_schedule", args=[partnership.pk]): [
            "chase_every_days",
            "escalate_to_lead_after",
            "escalate_to_officer_after",
        ],
        reverse("actions:scheme_create", args=[partnership.pk]): ["level_0_order"],
    }
    for url, names in pages.items():
        page = client.get(url).content
        for name in names:
            box = field(page, name)
            assert (box.get("type"), box.get("inputmode"), box.get("spellcheck")) == ("text", "numeric", "false"), name


def test_a_whole_number_that_is_not_one_says_so_in_words(client, officer, partnership):
    client.force_login(officer)
    url = reverse("actions:chasing_schedule", args=[partnership.pk])
    page = client.post(url, {"chase_every_days": "seven", "escalate_to_lead_after": "-1", "escalate_to_officer_after": "2"}).content
    assert page.count(b"Enter a whole number of 0 or more") >= 2 and b"Ensure this value" not in page


@pytest.mark.parametrize(
    ("url_name", "prompts"),
    [
        ("actions:action_create", {"group": "Select a delivery group"}),
        ("risks:risk_add", {"category": "Select a category", "owner": "Select a post"}),
        ("kpis:indicator_create", {"unit": "Select a unit", "direction": "Select a direction", "frequency": "Select how often"}),
    ],
)
def test_a_drop_down_with_nothing_chosen_asks_for_a_choice_in_words_not_dashes(client, officer, strategy, url_name, prompts):
    client.force_login(officer)
    page = client.get(reverse(url_name, args=[strategy.pk])).content.decode()
    assert "---------" not in page
    for name, prompt in prompts.items():
        assert field(page.encode(), name).tag == "select"
        assert re.search(f'<option value=""( selected)?>{prompt}</option>', page), name


def test_the_owner_of_an_action_arising_at_a_meeting_asks_for_a_post_in_words(client, officer, partnership, strategy, owner_post):
    import datetime as dt

    from governance.models import Board, Meeting

    board = Board.objects.create(partnership=partnership, name="SEND Partnership Board")
    meeting = Meeting.objects.create(board=board, strategy=strategy, date=dt.date(2026, 3, 12))
    client.force_login(officer)
    page = client.get(reverse("governance:meeting_detail", args=[meeting.pk])).content.decode()
    assert field(page.encode(), "arising-owner").tag == "select"
    assert re.search('<option value=""( selected)?>Select a post</option>', page) and "---------" not in page


def test_the_hints_of_dates_to_come_give_an_example_ahead_of_today_not_a_past_one(client, officer, partnership, strategy, owner_post):
    import datetime as dt

    from django.utils import timezone

    from governance.models import Board, Meeting
    from tests.risks.conftest import make_risk

    board = Board.objects.create(partnership=partnership, name="SEND Partnership Board")
    meeting = Meeting.objects.create(board=board, strategy=strategy, date=dt.date(2026, 3, 12))
    risk = make_risk(strategy, owner_post)
    client.force_login(officer)
    pages = {
        "an action arising's due date": reverse("governance:meeting_detail", args=[meeting.pk]),
        "the first meeting of a series": reverse("governance:calendar", args=[strategy.pk]),
        "a new risk's review date": reverse("risks:risk_add", args=[strategy.pk]),
        "the next review after a re-score": reverse("risks:risk_rescore", args=[risk.pk]),
    }
    for what, url in pages.items():
        examples = re.findall(r"For example, (\d{1,2}) (\d{1,2}) (\d{4})", client.get(url).content.decode())
        assert examples, what
        assert all(dt.date(int(y), int(m), int(d)) > timezone.localdate() for d, m, y in examples), (what, examples)
