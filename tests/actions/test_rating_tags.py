"""Ratings and due-date warnings read as words and a marker shape, never colour alone, and escape what they show."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import engines


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_a_rating_shows_its_words_its_marker_and_its_level_with_any_text_escaped():
    level = SimpleNamespace(colour="Amber E", code="amber_e", label='Amber <b>"E"</b>')
    html = render("{% rating_tag level %}", level=level)
    assert html == (
        '<strong class="govuk-tag app-rating app-rating--amber-e" data-rating="amber_e">'
        '<span class="app-rating__marker" aria-hidden="true"></span>Amber &lt;b&gt;&quot;E&quot;&lt;/b&gt;</strong>'
    )


def test_no_rating_reads_not_rated():
    assert ">Not rated</strong>" in render("{% rating_tag level %}", level=None)


def test_due_date_warnings_each_get_their_words_on_a_line_of_their_own():
    html = render("{% status_flags flags %}", flags=["Overdue", "Due soon", "On track but overdue"])
    assert html == (
        '<br><strong class="govuk-tag govuk-tag--red">Overdue</strong>'
        '<br><strong class="govuk-tag govuk-tag--yellow">Due soon</strong>'
        '<br><strong class="govuk-tag govuk-tag--orange">On track but overdue</strong>'
    )
    assert render("{% status_flags flags %}", flags=[]) == ""


def test_a_level_given_as_its_fields_reads_the_same_as_the_level():
    fields = {"colour": "Green", "code": "green", "label": "Green"}
    assert render("{% rating_tag level %}", level=fields) == render("{% rating_tag level %}", level=SimpleNamespace(**fields))
