"""Money as a finance officer writes and types it, exact to the penny."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from finance.money import MoneyError, money_full, money_short, parse_money, parse_year, year_label


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        ("1070000000", "£1.07bn"),
        ("236700000", "£236.7m"),
        ("79500000", "£79.5m"),
        ("-10100000", "(£10.1m)"),
        ("999960000", "£1.00bn"),  # rounds up into the next unit rather than "£1000.0m"
        ("850000", "£850k"),
        ("999999", "£1.0m"),
        ("420.49", "£420"),
        ("0", "£0"),
        ("-0.2", "£0"),
    ],
)
def test_sums_are_written_as_board_papers_write_them(amount, written):
    assert money_short(Decimal(amount)) == written


def test_the_exact_figure_shows_pence_only_when_there_are_any():
    assert money_full(Decimal("236700000")) == "£236,700,000"
    assert money_full(Decimal("-1234.5")) == "(£1,234.50)"


def test_the_template_filters_write_the_same():
    html = Template("{% load money %}{{ a|money }} {{ b|money_exact }} {{ y|financial_year }}").render(
        Context({"a": Decimal("236700000"), "b": Decimal("12.5"), "y": 2030})
    )
    assert html == "£236.7m £12.50 2030-31"


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("236700000", "236700000.00"),
        ("236,700,000", "236700000.00"),
        ("£236.7m", "236700000.00"),
        ("1.07bn", "1070000000.00"),
        ("(1.2m)", "-1200000.00"),
        ("-£850k", "-850000.00"),
        ("12.34", "12.34"),
        ("£1,200", "1200.00"),
        ("1 200", "1200.00"),
        ("£1,000.50", "1000.50"),
    ],
)
def test_amounts_are_understood_however_a_finance_officer_types_them(typed, amount):
    assert parse_money(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["twelve million", "£", "12..5", "1e6", "12.5.6", "£12m extra"])
def test_text_is_not_an_amount(typed):
    with pytest.raises(MoneyError, match="Enter an amount in pounds"):
        parse_money(typed)


@pytest.mark.parametrize("typed", ["1,20", "1 20", "12,34.5", "1,2345", "£2,36.7m"])
def test_a_comma_that_does_not_group_thousands_is_a_slip_not_a_smaller_amount(typed):
    with pytest.raises(MoneyError, match="Commas go between thousands"):
        parse_money(typed)


def test_fractions_of_a_penny_are_refused():
    with pytest.raises(MoneyError, match="exact to the penny"):
        parse_money("12.345")


def test_financial_years_read_and_write_as_finance_writes_them():
    assert year_label(2024) == "2024-25" and year_label(2099) == "2099-00"
    assert parse_year("2025-26") == parse_year("2025/26") == parse_year("2025") == 2025
    assert parse_year("2025-27") is None and parse_year("next year") is None
