"""The page parts every page shares: a summary row's Change link, a form's fields by name, an error summary."""

from __future__ import annotations

import re

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


class _Named:
    """An object the breadcrumbs link to, with a name a person typed."""

    def __init__(self, name: str, url: str, parent=None) -> None:
        self.name, self.url, self.parent = name, url, parent

    def get_absolute_url(self) -> str:
        return self.url

    def __str__(self) -> str:
        return self.name


class _Strategy(_Named):
    pk = 1

    def __init__(self) -> None:
        super().__init__("SEND plan", "/strategies/1/")


def test_breadcrumbs_lead_down_from_the_strategy_through_the_parent_group_escaping_what_people_typed():
    strategy = _Named("SEND <script> plan", "/strategies/1/")
    group = _Named("Early years", "/groups/2/", parent=_Named("Inclusion & SEMH", "/groups/1/"))
    html = render(
        "{% breadcrumbs strategy=strategy group=group label=label url=url %}",
        strategy=strategy,
        group=group,
        label="Import <b>",
        url="/x?a=1&b=2",
    )
    crumbs = re.findall(r'href="([^"]*)">(.*?)</a>', html)
    assert crumbs == [
        ("/strategies/", "Strategies"),
        ("/strategies/1/", "SEND &lt;script&gt; plan"),
        ("/groups/1/", "Inclusion &amp; SEMH"),
        ("/groups/2/", "Early years"),
        ("/x?a=1&amp;b=2", "Import &lt;b&gt;"),
    ]
    # Every trail through a strategy leads back to the list of strategies, whatever the page names.
    assert re.findall(r'href="([^"]*)"', render("{% breadcrumbs strategy=strategy dashboard=True %}", strategy=_Strategy()))[:1] == [
        "/strategies/"
    ]
    back = render("{% breadcrumbs back=url back_to=group %}", url="/groups/2/", group=group)
    assert '<a href="/groups/2/" class="govuk-back-link">Back to Early years</a>' in back and "govuk-breadcrumbs" not in back


def test_a_form_s_button_stands_alone_or_beside_the_link_that_leaves_without_saving():
    alone = render("{% form_actions submit=words prevent_double_click=True %}", words="Save <it>")
    assert (
        alone.strip()
        == '<button type="submit" class="govuk-button" data-module="govuk-button" data-prevent-double-click="true">Save &lt;it&gt;</button>'
    )
    beside = render('{% form_actions submit="Apply filters" secondary=True cancel=url cancel_label="Clear filters" %}', url="/risks/?q=a&b")
    assert '<div class="govuk-button-group">' in beside and 'govuk-button govuk-button--secondary"' in beside
    assert '<a class="govuk-link" href="/risks/?q=a&amp;b">Clear filters</a>' in beside


def test_words_end_as_a_sentence_once_and_stay_escaped():
    source = "{% for text in texts %}{{ text|truncatewords:6|as_sentence }}{% if not forloop.last %} {% endif %}{% endfor %}"
    texts = ["Agreed the plan.", "Noted the risks", "Asked why?", "", "Asked for <b>an audit</b> of every plan issued late this year"]
    assert render(source, texts=texts) == ("Agreed the plan. Noted the risks. Asked why?  Asked for &lt;b&gt;an audit&lt;/b&gt; of every …")
