from __future__ import annotations

from decimal import Decimal

from django import template

from kpis.models import Indicator, format_number

register = template.Library()


@register.filter
def kpi_format(indicator: Indicator, number: Decimal | None) -> str:
    """A number in the KPI's unit: {{ indicator|kpi_format:value.england }}."""
    return indicator.format(number)


@register.filter
def in_unit(number: Decimal | str | None, unit: str) -> str:
    """A figure of an upload's preview, kept there as text ("4854"), as the KPI's pages show it ("4,854", "47.9%")."""
    return "" if number in (None, "") else format_number(Decimal(str(number)), unit)


@register.filter
def get_item(mapping: dict, key):
    """mapping[key], or None: for looking up a row's benchmark by its period."""
    return mapping.get(key) if mapping else None
