"""Money as finance officers read and type it: exact pence in, "£1.07bn", "£236.7m" and "(£10.1m)" out."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from intake.tables import GROUPED_DIGITS

PENNY = Decimal("0.01")
LIMIT = Decimal("10000000000000")  # ten trillion pounds: larger is a typing slip
SCALES = {"": 1, "k": 10**3, "m": 10**6, "million": 10**6, "bn": 10**9, "b": 10**9, "billion": 10**9}
_TYPED = re.compile(rf"^(?P<number>(?:{GROUPED_DIGITS}|\d+)(?:\.\d+)?)\s*(?P<scale>k|m|million|bn|b|billion)?$", re.IGNORECASE)
INVALID = "Enter an amount in pounds, such as 236700000, 236,700,000 or £236.7m"
MISPLACED_COMMA = "Commas go between thousands, such as 1,200 or 236,700,000: check the amount"


class MoneyError(ValueError):
    pass


def parse_money(text: str) -> Decimal:
    """An amount typed as pounds: commas, a £ sign, k/m/bn and a minus or brackets for negatives are all understood.

    Commas and spaces between digits must group thousands ("1,200", "1 200"): "1,20" is a slip, not £120.
    Raises MoneyError with a message for the person when it is not an amount, or has fractions of a penny.
    """
    typed = re.sub(r"(?<=\d) +(?=\d)", ",", (text or "").strip()).replace(" ", "")
    negative = False
    if typed.startswith("(") and typed.endswith(")"):
        negative, typed = True, typed[1:-1]
    if typed.startswith("-"):
        negative, typed = not negative, typed[1:]
    typed = typed.removeprefix("£")
    if typed.startswith("-"):
        negative, typed = not negative, typed[1:]
    match = _TYPED.match(typed)
    if not match:
        raise MoneyError(MISPLACED_COMMA if "," in typed and _TYPED.match(typed.replace(",", "")) else INVALID)
    try:
        amount = Decimal(match["number"].replace(",", "")) * SCALES[(match["scale"] or "").lower()]
    except InvalidOperation:
        raise MoneyError(INVALID) from None
    if amount != amount.quantize(PENNY):
        raise MoneyError("Amounts are exact to the penny: use at most two decimal places of pounds")
    if amount >= LIMIT:
        raise MoneyError("That amount is too large: check the number of digits")
    amount = amount.quantize(PENNY)
    return -amount if negative else amount


def _bracketed(text: str, negative: bool) -> str:
    return f"({text})" if negative else text


def money_short(value: Decimal | int | None) -> str:
    """£1.07bn, £236.7m, £850k, £420; negatives in brackets: (£10.1m). Rounded half up, as a finance report rounds."""
    if value is None:
        return ""
    value = Decimal(value)
    amount = abs(value)
    if amount >= Decimal("999_950_000"):
        text = f"£{(amount / 10**9).quantize(PENNY, ROUND_HALF_UP)}bn"
    elif amount >= Decimal("999_500"):
        text = f"£{(amount / 10**6).quantize(Decimal('0.1'), ROUND_HALF_UP)}m"
    elif amount >= Decimal("999.5"):
        text = f"£{(amount / 10**3).quantize(Decimal('1'), ROUND_HALF_UP)}k"
    else:
        text = f"£{amount.quantize(Decimal('1'), ROUND_HALF_UP)}"
    return _bracketed(text, value < 0 and text not in ("£0", "£0k"))


def money_full(value: Decimal | int | None) -> str:
    """Every pound, with pence only when there are any: £236,700,000 or £1,234.56; negatives in brackets."""
    if value is None:
        return ""
    value = Decimal(value).quantize(PENNY)
    amount = abs(value)
    text = f"£{amount:,.2f}" if amount % 1 else f"£{amount:,.0f}"
    return _bracketed(text, value < 0)


def year_label(year: int) -> str:
    """A financial year by its first calendar year: 2030 is "2030-31"."""
    return f"{year}-{(year + 1) % 100:02d}"


def year_end(year: int) -> dt.date:
    """A financial year's last day: 31 March of its second calendar year."""
    return dt.date(year + 1, 3, 31)


def as_at_problem(year: int, as_at: dt.date) -> str | None:
    """Why a figure for a financial year cannot be as at that date (outside the year), or None when it can.

    A date after the year's end is a mistyped year: as the latest as-at date counts, it would outrank every figure
    entered for the year afterwards."""
    starts, ends = dt.date(year, 4, 1), year_end(year)
    if as_at < starts:
        return f"A figure for {year_label(year)} cannot be as at a date before the year began on {starts.day} April {starts.year}"
    if as_at > ends:
        return f"A figure for {year_label(year)} cannot be as at a date after the year ended on {ends.day} March {ends.year}"
    return None


def parse_year(text: str) -> int | None:
    """A financial year typed as "2025-26", "2025/26" or "2025"; None when it is not one."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-/–]\s*(\d{2}|\d{4}))?\s*", text or "")
    if not match:
        return None
    first = int(match[1])
    if match[2] and int(match[2][-2:]) != (first + 1) % 100:
        return None
    return first
