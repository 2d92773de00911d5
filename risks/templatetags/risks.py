from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from risks import reads
from risks.models import RiskScale, SnapshotRisk, band

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


@register.inclusion_tag("risks/pack_risks.html")
def risk_pack_page(snapshot) -> dict:
    """The board pack's risk page: the top risks by score, the heat map and the risks that moved, as the snapshot froze them."""
    return {"pack": reads.pack_risks(snapshot), "snapshot": snapshot}


@register.simple_tag
def risk_pack_contents(snapshot) -> SafeString:
    """The pack's contents line for the risk page, when the snapshot froze a register."""
    if not SnapshotRisk.objects.filter(snapshot=snapshot, restricted=False).exists():
        return ""
    return format_html("<li>{}</li>", "Risks: the top risks, the heat map and the risks that moved")
