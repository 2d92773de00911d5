from __future__ import annotations

from django import template

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
