"""A form field as a GOV.UK form group, drawn by `{% form_field %}`: what was typed comes back escaped, errors are tied to their input."""

from __future__ import annotations

from django import forms
from django.template import engines

TYPED = '"><script>alert(1)</script>'


class RiskForm(forms.Form):
    title = forms.CharField(max_length=10, help_text="A few words")
    cause = forms.CharField(widget=forms.Textarea)
    owner = forms.ChoiceField(choices=[("1", "Head of <SEN>"), ("2", "Finance lead")])
    level = forms.ChoiceField(choices=[("low", "Low"), ("high", "High")], widget=forms.RadioSelect)
    agreed = forms.BooleanField(required=False, help_text="The board agreed it")


def drawn(source: str, form: forms.Form, **values) -> str:
    return engines["django"].from_string(source).render({"form": form, **values})


def test_what_was_typed_comes_back_escaped_with_its_error_tied_to_the_input():
    form = RiskForm(data={"title": TYPED, "cause": TYPED, "owner": "2", "level": "high"})
    assert not form.is_valid()
    html = drawn('{% form_field form.title width="govuk-input--width-20" %}{% form_field form.cause rows=3 %}', form)
    assert "<script>" not in html and html.count("&quot;&gt;&lt;script&gt;") == 2
    assert 'class="govuk-input govuk-input--width-20 govuk-input--error" id="id_title"' in html
    assert 'aria-describedby="id_title-hint id_title-error"' in html and '<p id="id_title-error" class="govuk-error-message">' in html
    assert '<textarea class="govuk-textarea" id="id_cause" name="cause" rows="3">&quot;&gt;' in html


def test_a_select_keeps_the_choice_and_escapes_the_labels_and_radios_give_the_first_the_field_s_id():
    form = RiskForm(data={"title": "Staffing", "cause": "Vacancies", "owner": "2", "level": "high", "agreed": "on"})
    html = drawn("{% form_field form.owner %}{% form_field form.level %}{% form_field form.agreed %}", form)
    assert '<option value="2" selected>Finance lead</option>' in html and "Head of &lt;SEN&gt;" in html
    assert 'id="id_level" name="level" type="radio" value="low">' in html
    assert 'id="id_level_1" name="level" type="radio" value="high" checked>' in html
    assert 'type="checkbox" value="on" checked aria-describedby="id_agreed-hint">' in html


def test_an_optional_field_with_its_own_label_and_hint_says_so():
    # The hint as a value of the page (a person's words), not words of the template, which are the template's own.
    html = drawn(
        '{% form_field form.title field_label="Risk title" optional=True hint=hint %}', RiskForm(), hint="Say it in <b>five</b> words"
    )
    assert ">Risk title (optional)</label>" in html
    assert '<div id="id_title-hint" class="govuk-hint">Say it in &lt;b&gt;five&lt;/b&gt; words</div>' in html
    assert "govuk-form-group--error" not in html and 'value=""' in html


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def test_a_hidden_field_is_its_input_alone_as_django_draws_it_with_what_was_sent_escaped():
    for form in (VersionedForm(initial={"version": 3}, prefix="a12"), VersionedForm(data={"version": TYPED})):
        assert drawn("{% form_field form.version %}", form) == str(form["version"])
    assert 'name="a12-version" value="3" id="id_a12-version"' in drawn(
        "{% form_field form.version %}", VersionedForm(initial={"version": 3}, prefix="a12")
    )
