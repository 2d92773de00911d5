"""Ratings and due-date warnings as tags with their words, available in every template.

Written in Python rather than as included templates: a plan's pages show one
of these on every row, and an include costs several times the tag itself.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

register = template.Library()

_MARKER = mark_safe('<span class="app-rating__marker" aria-hidden="true"></span>')
_NOT_RATED = format_html('<strong class="govuk-tag app-rating app-rating--grey">{}Not rated</strong>', _MARKER)
# The due-date warnings of the rule book (actions/rules.py), each with its tag colour; another is orange.
_FLAG_COLOURS = {"Overdue": "red", "Due soon": "yellow"}


@register.simple_tag
def rating_tag(level) -> SafeString:
    """A rating level (label, colour, code; or a mapping of them) as a tag with its words and its marker shape, or "Not rated" for None.

    Colours (grey, red, amber, amber-e, green, blue) and each level's marker
    shape are defined in static/src/components/_rating.scss: never colour alone.
    """
    if not level:
        return _NOT_RATED

    # A level, or its fields as a mapping (an import preview shows levels it has not saved).
    def field(name: str) -> str:
        return level[name] if isinstance(level, dict) else getattr(level, name)

    colour, code, label = field("colour"), field("code"), field("label")
    return format_html(
        '<strong class="govuk-tag app-rating app-rating--{}" data-rating="{}">{}{}</strong>', slugify(colour), code, _MARKER, label
    )


@register.simple_tag
def due_flag(flag: str) -> SafeString:
    """A due-date warning as a tag with its words: "Overdue", "Due soon" or "On track but overdue"."""
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', _FLAG_COLOURS.get(flag, "orange"), flag)


@register.simple_tag
def status_flags(flags: list[str]) -> SafeString:
    """An action's due-date warnings from the rule book, each on its own line."""
    return format_html_join("", "<br>{}", ((due_flag(flag),) for flag in flags))


_NOT_RECORDED = mark_safe("<span>Not recorded</span>")


@register.simple_tag
def families_tag(view) -> SafeString:
    """The families' view of a delivery group as a tag: its label always in text, the colour only beside it; "Not recorded" for None."""
    if not view:
        return _NOT_RECORDED
    return format_html('<strong class="govuk-tag app-rating app-rating--{}">{}</strong>', view.colour, view.get_level_display())
