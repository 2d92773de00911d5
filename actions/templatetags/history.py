"""An action's history (ratings and narratives, changes to the plan's entry, reminders) as one tag.

Written in Python rather than as a loop in the template: the history is the longest part of
the action page, and each entry drew a dozen template nodes.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from actions.templatetags.ratings import rating_tag

register = template.Library()

_ITEM = '<li class="app-history__item govuk-!-margin-bottom-6">{}</li>'
_HEADING = '<h3 class="govuk-heading-s govuk-!-margin-bottom-1">{} – {}</h3>'
_EVIDENCE = '<p class="govuk-body-s govuk-!-margin-bottom-1">Evidence:</p><ul class="govuk-list govuk-list--bullet govuk-body-s">{}</ul>'


def _when(at) -> str:
    return date_format(timezone.localtime(at), "j F Y, H:i")


def _chase(at, step) -> SafeString:
    kind = "Escalated" if step.to_lead or step.to_officer else "Reminder"
    return format_html(
        _HEADING + '<p class="govuk-body govuk-!-margin-bottom-1" data-testid="chase-step">{}</p>', _when(at), kind, step.sentence()
    )


def _change(at, change) -> SafeString:
    return format_html(
        _HEADING + '<p class="govuk-body govuk-!-margin-bottom-1" data-testid="plan-change">{}</p>',
        _when(at),
        change.author or "Plan import",
        change.sentence(),
    )


def _rating(update) -> SafeString:
    if update.rating_before and update.rating_changed():
        return format_html("{} → {}", rating_tag(update.rating_before), rating_tag(update.rating_after))
    if update.rating_before:
        return format_html('{} <span class="govuk-body-s">(no change)</span>', rating_tag(update.rating_after))
    return rating_tag(update.rating_after)


def _evidence(item) -> SafeString:
    if item.kind == "link":
        return format_html('<li><a class="govuk-link" href="{}" rel="noopener noreferrer">{}</a></li>', item.url, item.url)
    return format_html(
        '<li><a class="govuk-link" href="{}" download>{}</a> ({})</li>',
        reverse("actions:evidence_download", args=[item.pk]),
        item.original_name,
        filesizeformat(item.size),
    )


def _update(at, update) -> SafeString:
    parts = [
        format_html(_HEADING, _when(at), update.author or "Plan import"),
        format_html('<p class="govuk-body govuk-!-margin-bottom-1">{}</p>', _rating(update)),
    ]
    if update.narrative:
        parts.append(format_html('<p class="govuk-body">{}</p>', linebreaksbr(update.narrative, autoescape=True)))
    evidence = update.evidence.all()
    if evidence:
        parts.append(format_html(_EVIDENCE, format_html_join("", "{}", ((_evidence(item),) for item in evidence))))
    return mark_safe("".join(parts))


_ENTRIES = {"chase": _chase, "change": _change, "update": _update}


@register.simple_tag
def action_history(history: list[dict]) -> SafeString:
    """The entries of `actions.reads.action_page_read`'s history (kind, at, item), newest first, as the page's list."""
    return format_html(
        '<ol class="govuk-list app-history">{}</ol>',
        format_html_join("", _ITEM, ((_ENTRIES[entry["kind"]](entry["at"], entry["item"]),) for entry in history)),
    )
