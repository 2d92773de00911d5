"""The page parts every page shares: a summary row's Change link, a form's fields by name, an error summary."""

from __future__ import annotations

from django import forms
from django.template import Context, Template


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_a_summary_row_ends_in_a_change_link_only_when_given_an_address():
    source = '<dl>{% summary_row "Evaluation strands" change=url change_label="the strands it serves" %}E1{% endsummary_row %}</dl>'
    with_link = render(source, url="/actions/7/strands/")
    assert (
        '<dd class="govuk-summary-list__value">E1</dd><dd class="govuk-summary-list__actions"><a class="govuk-link" '
        'href="/actions/7/strands/">Change<span class="govuk-visually-hidden"> the strands it serves</span></a></dd></div>'
    ) in with_link
    without = render(source)  # someone who may not change it: no address, no link
    assert "govuk-summary-list__actions" not in without and '<dd class="govuk-summary-list__value">E1</dd></div>' in without


class _Risk(forms.Form):
    title = forms.CharField()
    cause = forms.CharField()
    effect = forms.CharField()


def test_fields_by_name_come_in_the_order_named():
    page = render('{% for field in form|fields:"effect title" %}{{ field.name }};{% endfor %}', form=_Risk())
    assert page == "effect;title;"


def test_an_error_summary_has_its_title_and_its_problems_in_the_gov_uk_frame():
    html = render(
        "{% error_summary %}Nothing was {{ verb }}{% problems %}<p>{{ why }}</p>{% enderror_summary %}", verb="added", why="<a> & more"
    )
    assert html == (
        '<div class="govuk-error-summary" data-module="govuk-error-summary">\n  <div role="alert">\n'
        '    <h2 class="govuk-error-summary__title">Nothing was added</h2>\n'
        '    <div class="govuk-error-summary__body"><p>&lt;a&gt; &amp; more</p></div>\n  </div>\n</div>'
    )
