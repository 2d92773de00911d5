"""Form handling every app's views share."""

from __future__ import annotations

from collections.abc import Callable

from django import forms


class WholeNumberInput(forms.TextInput):
    """A whole number as the GOV.UK Design System asks: a text box with the numeric keypad, not type="number"
    (which changes its value on a scroll, drops what it cannot read and is announced badly by screen readers)."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"inputmode": "numeric", "spellcheck": "false", **(attrs or {})})


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
