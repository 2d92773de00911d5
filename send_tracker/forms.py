"""Form handling every app's views share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django import forms
from django.db import models

# A web address typed without its scheme is read as https://, as every form of the product's own reads one
# (and Django 6 will by default): for the admin's forms of models with a URLField, as `formfield_overrides`,
# and for a ModelForm of its own, as its Meta's `formfield_callback`.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def https_urls(db_field: models.Field, **kwargs) -> forms.Field | None:
    """A model field's form field, a URLField assuming https:// (a ModelForm's `Meta.formfield_callback`)."""
    return db_field.formfield(**{**HTTPS_URLS.get(type(db_field), {}), **kwargs})


class FilterForm(forms.Form):
    """A page's filters, read from its address: none is ever required, so none says "(optional)"."""


def says_optional(field: forms.BoundField) -> bool:
    """Whether a field's label ends "(optional)", as the GOV.UK Design System asks of a question a person may leave
    blank. Not when it is required, nor for a single checkbox (its own answer), nor in a page's filters, nor for the
    fields a form names in `not_marked_optional`: those its clean() asks for in some cases (its hint or message says
    when), and those the page says once, above them, may be left blank (a grid of yearly figures). A name ending "_"
    there stands for every field it begins."""
    form, name = field.form, field.name
    unmarked = getattr(form, "not_marked_optional", ())
    return not (
        field.field.required
        or isinstance(field.field.widget, forms.CheckboxInput)
        or isinstance(form, FilterForm)
        or any(name == each or (each.endswith("_") and name.startswith(each)) for each in unmarked)
    )


class WholeNumberInput(forms.TextInput):
    """A whole number as the GOV.UK Design System asks: a text box with the numeric keypad, not type="number"
    (which changes its value on a scroll, drops what it cannot read and is announced badly by screen readers)."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"inputmode": "numeric", "spellcheck": "false", **(attrs or {})})


class DateInput(forms.MultiWidget):
    """A date as three boxes named `<field>_day`, `<field>_month` and `<field>_year`: the GOV.UK date input pattern.

    `{% form_field %}` draws the boxes (send_tracker/page_tags.py), by the names `widgets_names` gives them."""

    def __init__(self) -> None:
        super().__init__({"day": forms.TextInput(), "month": forms.TextInput(), "year": forms.TextInput()})

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        return [str(part or "").strip() for part in super().value_from_datadict(data, files, name)]


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with the GOV.UK date input's messages: "Enter the due date", "The due date
    must include a month", "The due date must be a real date". `what` names the date in those messages.

    `{% form_field %}` draws it as the date input, the day box with the field's id (where the error summary links).
    """

    widget = DateInput

    def __init__(self, *, what: str, **kwargs) -> None:
        self.what = what
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, dt.date):
            return value
        parts = list(value or ["", "", ""])
        if not any(parts):
            return None
        what = self.what[:1].upper() + self.what[1:]
        if not all(parts):
            missing = [name for name, part in zip(("a day", "a month", "a year"), parts, strict=True) if not part]
            raise forms.ValidationError(f"{what} must include {' and '.join(missing)}")
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1990 or year > 2100:
                raise ValueError
            return dt.date(year, month, day)
        except (ValueError, OverflowError):  # a day of 9223372036854775808 is past what a date can be asked to hold
            raise forms.ValidationError(f"{what} must be a real date, for example 27 3 2025") from None

    def validate(self, value) -> None:
        if value is None and self.required:
            raise forms.ValidationError(f"Enter {self.what}")

    def parts(self, bound) -> list[str]:
        """The day, month and year as typed, or as stored."""
        value = bound.value()
        if isinstance(value, dt.date):
            value = self.widget.decompress(value)
        parts = list(value) if isinstance(value, list | tuple) and len(value) == 3 else ["", "", ""]
        return [part or "" for part in parts]


def form_written(
    form: forms.Form, write: Callable[[dict], object], refused: type[Exception], field: str | None = None
) -> tuple[bool, object]:
    """Whether the valid form was written through `write` (and what it returned).

    A `refused` error that `write` raises shows on the form: on the field the error names (its `field`) when the form
    has it, else on `field`, else above the form.
    """
    if not form.is_valid():
        return False, None
    try:
        return True, write(form.cleaned_data)
    except refused as problem:
        named = getattr(problem, "field", None)
        form.add_error(named if named in form.fields else field, str(problem))
        return False, None


def unique_ref(form: forms.ModelForm, others, taken: str) -> str:
    """The form's `ref`, stripped, unless another row of `others` has it already in any case: then `taken`
    (formatted with the ref) is the field's error."""
    ref = form.cleaned_data["ref"].strip()
    if others.filter(ref__iexact=ref).exclude(pk=form.instance.pk).exists():
        raise forms.ValidationError(taken.format(ref))
    return ref
