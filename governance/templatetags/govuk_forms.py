"""Helpers for writing GOV.UK form components by hand around Django's bound fields."""

from __future__ import annotations

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def selected_values(field: BoundField) -> set[str]:
    """The chosen value(s) of a radio or checkbox field, as text, to compare with each choice's value."""
    value = field.value()
    if value is None:
        return set()
    if isinstance(value, list | tuple | set):
        return {str(v) for v in value}
    return {str(value)}


@register.filter
def choice_items(field: BoundField) -> list[tuple[str, str, str, bool]]:
    """(input id, value, label, checked) for each real choice; the first takes the field's own id for the error summary."""
    chosen = selected_values(field)
    items = []
    for value, label in field.field.choices:
        text = str(getattr(value, "value", value))
        if text == "":
            continue  # the blank "---------" choice: radios show nothing chosen instead
        input_id = field.auto_id if not items else f"{field.auto_id}_{len(items)}"
        items.append((input_id, text, label, text in chosen))
    return items
