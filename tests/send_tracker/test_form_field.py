"""A form field as a GOV.UK form group, drawn by `{% form_field %}`: what was typed comes back escaped, errors are tied to their input."""

from __future__ import annotations

from django import forms
from django.template import engines

from send_tracker.forms import FilterForm, GovukDateField

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


def test_a_field_with_its_own_label_and_hint_keeps_what_the_page_gives():
    # The hint as a value of the page (a person's words), not words of the template, which are the template's own.
    html = drawn('{% form_field form.title field_label="Risk title" hint=hint %}', RiskForm(), hint="Say it in <b>five</b> words")
    assert ">Risk title</label>" in html
    assert '<div id="id_title-hint" class="govuk-hint">Say it in &lt;b&gt;five&lt;/b&gt; words</div>' in html
    assert "govuk-form-group--error" not in html and 'value=""' in html


class ReviewForm(forms.Form):
    not_marked_optional = ("reason", "planned_")

    title = forms.CharField(label="Title")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    owner = forms.ChoiceField(label="Owner", required=False, choices=[("", "Nobody"), ("1", "Head of SEN")])
    review = GovukDateField(what="the review date", label="Review date", required=False)
    partners = forms.MultipleChoiceField(label="Partners", required=False, choices=[("icb", "ICB")], widget=forms.CheckboxSelectMultiple)
    agreed = forms.BooleanField(label="The board agreed it", required=False)
    reason = forms.CharField(label="Reason", required=False)
    planned_2026 = forms.DecimalField(label="2026 to 2027", required=False)


class ReviewFilters(FilterForm):
    owner = forms.ChoiceField(label="Owner", required=False, choices=[("", "Anyone")])


def test_a_question_a_person_may_leave_blank_says_optional_and_one_they_must_answer_does_not():
    html = drawn("".join(f"{{% form_field form.{name} %}}" for name in ReviewForm.base_fields), ReviewForm())
    for label in ("Note", "Owner", "Partners"):
        assert f">{label} (optional)</" in html, label
    assert ">Review date (optional)</legend>" in html
    assert ">Title</label>" in html
    # A single checkbox is its own answer; a field the form asks for in some cases says when in its hint or message.
    assert ">The board agreed it</label>" in html and ">Reason</label>" in html
    # Nor a field the page says once, above a grid of them, may be left blank.
    assert ">2026 to 2027</label>" in html
    assert html.count("(optional)") == 4
    # A page's filters are never required: none says so.
    assert "(optional)" not in drawn("{% form_field form.owner %}", ReviewFilters({}))
    # A number drawn by its partial and a field drawn by hand follow the same rule.
    number = forms.Form()
    number.fields["figure"] = forms.DecimalField(label="England", required=False)
    assert ">England (optional)</label>" in drawn('{% include "includes/number_field.html" with field=form.figure %}', number)
    assert drawn("{{ form.note.label }}{{ form.note|optional_mark }}", ReviewForm()) == "Note (optional)"


def _product_forms() -> list[type[forms.BaseForm]]:
    from pathlib import Path

    from django.apps import apps as installed

    import send_tracker.urls  # noqa: F401  (every view, and so every form, imported)
    from tests.conftest import ROOT

    # The project's own apps, as INSTALLED_APPS lists them: those whose folder is at the repository's top.
    apps = {config.name for config in installed.get_app_configs() if Path(config.path).resolve().parent == ROOT}
    found, todo = [], [forms.BaseForm]
    while todo:
        for form in todo.pop().__subclasses__():
            todo.append(form)
            if form.__module__.split(".")[0] in apps:
                found.append(form)
    return found


def test_no_label_of_the_product_s_forms_says_optional_itself_and_each_field_not_marked_optional_is_its_own():
    """Said by `{% form_field %}` from whether the field is required, never written into a label, where it would be said
    twice, or stay after the field became required."""
    forms_found = _product_forms()
    assert len(forms_found) > 40
    written = [
        f"{form.__name__}.{name}"
        for form in forms_found
        for name, field in form.base_fields.items()
        if "optional" in str(field.label or "")
    ]
    assert written == []
    unknown = [
        f"{form.__name__}.{name}"
        for form in forms_found
        for name in getattr(form, "not_marked_optional", ())
        if name not in form.base_fields and not name.endswith("_")  # a prefix names fields the form makes for its data
    ]
    assert unknown == []


def test_a_field_a_form_s_clean_asks_to_be_filled_in_is_not_called_optional():
    """`self.add_error("into", "Enter the ref …")` in clean() asks for a field in some cases: such a field must be
    required, or named in the form's not_marked_optional, so its label does not say "(optional)"."""
    import inspect
    import re

    asked = []
    for form in _product_forms():
        source = inspect.getsource(form) if form.__module__ != __name__ else ""
        for name in re.findall(r'add_error\(\s*"(\w+)",\s*f?"(?:Enter|Choose|Select|Say) ', source):
            field = form.base_fields.get(name)
            if field is not None and not field.required and name not in getattr(form, "not_marked_optional", ()):
                asked.append(f"{form.__name__}.{name}")
    assert asked == []


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def test_a_hidden_field_is_its_input_alone_as_django_draws_it_with_what_was_sent_escaped():
    for form in (VersionedForm(initial={"version": 3}, prefix="a12"), VersionedForm(data={"version": TYPED})):
        assert drawn("{% form_field form.version %}", form) == str(form["version"])
    assert 'name="a12-version" value="3" id="id_a12-version"' in drawn(
        "{% form_field form.version %}", VersionedForm(initial={"version": 3}, prefix="a12")
    )


def test_every_label_a_template_draws_by_hand_for_a_field_says_optional_by_the_same_rule():
    """A field drawn by hand rather than by `{% form_field %}` follows the rule through `|optional_mark`; a single
    checkbox is its own answer."""
    import re

    from tests.conftest import ROOT

    drawn_by_hand = re.compile(r"<(label|legend)([^>]*)>\{\{ ?((?:form\.)?\w+)\.label ?\}\}(?!\{\{ ?\3\|optional_mark)")
    unmarked = [
        f"{path.relative_to(ROOT)}: {found[3]}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for found in drawn_by_hand.finditer(path.read_text(encoding="utf-8"))
        if "checkboxes__label" not in found[2] and found[3].split(".")[0] in ("form", "field")
    ]
    assert unmarked == []
