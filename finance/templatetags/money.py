from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from finance import reads
from finance.charts import forecast_chart_svg
from finance.models import FinancePlan
from finance.money import money_full, money_short, year_label

register = template.Library()


@register.filter
def money(value) -> str:
    """£1.07bn, £236.7m, (£10.1m): as a board paper writes a sum."""
    return money_short(value)


@register.filter
def money_exact(value) -> str:
    """Every pound, with pence when there are any: £236,700,000."""
    return money_full(value)


@register.filter
def financial_year(year: int) -> str:
    return year_label(year)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)


@register.inclusion_tag("finance/pack_finance.html")
def finance_pack_page(snapshot) -> dict:
    """The board pack's finance page: the forecast chart and the mitigations, as the snapshot froze them."""
    summary = reads.finance_summary(snapshot.strategy, today=snapshot.as_at, snapshot=snapshot)
    return {"summary": summary, "chart": mark_safe(forecast_chart_svg(summary.years)) if summary else "", "snapshot": snapshot}


@register.simple_tag
def finance_pack_contents(snapshot) -> SafeString:
    """The pack's contents line for the finance page, when the strategy has a finance plan."""
    if not FinancePlan.objects.filter(strategy_id=snapshot.strategy_id).exists():
        return ""
    return format_html("<li>{}</li>", "High-needs budget: the deficit forecast and the mitigations' savings")
