from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from risks.models import RiskScale, band

register = template.Library()


@register.simple_tag
def score_tag(score: int) -> SafeString:
    """A risk score as a tag with its number and band's name ("16 Extreme"): never its colour alone."""
    name, colour = band(score)
    return format_html('<strong class="govuk-tag govuk-tag--{}">{} {}</strong>', colour, score, name)


@register.filter
def likelihood(scale: RiskScale, value: int) -> str:
    return scale.likelihood(value)


@register.filter
def impact(scale: RiskScale, value: int) -> str:
    return scale.impact(value)
