"""Import KPI definitions and KPI values from CSV or XLSX: check every row, then apply all of it or nothing.

Definitions (`load_kpis`): code, name, description, delivery_groups (names
separated by "; "), unit, direction, frequency, source, source_detail,
baseline_value, baseline_period, target, tolerance, stretch_aim, notes.
Values (`import_kpi_values`): indicator, period, value, and optionally
england, region, statistical_neighbours, note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from actions.models import DeliveryGroup, Strategy, normalise_phrase
from intake.readers import Checked
from intake.tables import GROUPED_DIGITS, ImportFileError, RowProblem, cell_problems, field_limit, missing_columns, read_table
from kpis.alerts import kpi_crossings_notify
from kpis.models import Indicator, KpiValue, PeriodError, period_start

INDICATOR_REQUIRED = ["code", "name", "unit", "direction", "frequency"]
VALUE_REQUIRED = ["indicator", "period", "value"]
BENCHMARK_COLUMNS = ["england", "region", "statistical_neighbours"]
# Every column each loader reads, in the order the fixtures (and exports) write them.
INDICATOR_COLUMNS = [
    "code", "name", "description", "delivery_groups", "unit", "direction", "frequency", "source", "source_detail",
    "baseline_value", "baseline_period", "target", "tolerance", "stretch_aim", "notes",
]  # fmt: skip
VALUE_COLUMNS = ["indicator", "period", "value", *BENCHMARK_COLUMNS, "note"]


# A number whose commas group thousands: 4,854 and -1,234,567.5, not 1,20 or 12,34,567.
THOUSANDS = re.compile(rf"[-+]?{GROUPED_DIGITS}(?:\.\d+)?")


def parse_decimal(text: str) -> Decimal | None:
    """A number as typed in a spreadsheet ("4,854", "72%", " 23.5 "); None when blank; ValueError otherwise.

    Commas must group thousands: "1,20" is a slip (1.20 or 120?), never read as 120.
    """
    typed = (text or "").strip().rstrip("%").strip()
    if "," in typed and not THOUSANDS.fullmatch(typed):
        raise ValueError("has a comma out of place: commas go between thousands, such as 4,854")
    cleaned = typed.replace(",", "")
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("must be a number, such as 72 or 23.5") from None
    if not number.is_finite():
        raise ValueError("must be a number, such as 72 or 23.5")
    if abs(number) >= Decimal("1e10"):
        raise ValueError("must be a number below ten billion")
    if number.as_tuple().exponent < -4:
        raise ValueError("can have at most 4 decimal places")
    return number


@dataclass
class Loaded(Checked):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    planned: list[tuple[str, str, str]] = field(default_factory=list)  # shown: (KPI code, period or name, value or what happens)
    rows: list = field(default_factory=list, repr=False)  # what applying writes

    def summary(self) -> dict:
        return self.summary_with(created=self.created, updated=self.updated, unchanged=self.unchanged, planned=self.planned[:500])


class _Row:
    """One row being checked: its cells by column, and the problems found in it, added to the file's."""

    def __init__(self, number: int, row: dict[str, str], problems: list[RowProblem]) -> None:
        self.number, self.row, self.problems = number, row, problems

    def cell(self, column: str) -> str:
        return (self.row.get(column) or "").strip()

    def problem(self, column: str, value: str, message: str) -> None:
        self.problems.append(RowProblem(self.number, column, value, message))

    def choice(self, column: str, choices) -> str:
        value = normalise_phrase(self.cell(column)).replace(" ", "_")
        if value not in choices.values:
            self.problem(column, self.cell(column), f"must be one of: {', '.join(choices.values)}")
        return value

    def decimals(self, columns: list[str]) -> dict[str, Decimal | None]:
        """The columns that read as numbers (None when blank); a problem for each that does not."""
        numbers = {}
        for column in columns:
            try:
                numbers[column] = parse_decimal(self.cell(column))
            except ValueError as exc:
                self.problem(column, self.cell(column), str(exc))
        return numbers


def _table(content: bytes, filename: str, required: list[str], result: Loaded) -> list | None:
    """The file's rows, or None with the problems that stop it being read (unreadable, a required column missing)."""
    try:
        table = read_table(content, filename)
    except ImportFileError as exc:
        result.problems.append(RowProblem(exc.row, "", "", str(exc)))
        return None
    result.problems += missing_columns(table, required)
    return None if result.problems else table


def indicators_read(content: bytes, filename: str, strategy: Strategy) -> Loaded:
    """Check a file of KPI definitions against the strategy: what loading it would create or update; writes nothing."""
    result = Loaded()
    table = _table(content, filename, INDICATOR_REQUIRED, result)
    if table is None:
        return result
    groups: dict[str, DeliveryGroup] = {}
    for group in DeliveryGroup.objects.filter(strategy=strategy).select_related("parent"):
        groups.setdefault(normalise_phrase(group.name), group)
        groups.setdefault(normalise_phrase(str(group)), group)
    # Choices (unit, direction, frequency, source) are checked against their lists.
    limits = {
        column: field_limit(Indicator, column)
        for column in INDICATOR_COLUMNS
        if column != "delivery_groups" and not Indicator._meta.get_field(column).choices
    }
    limits["delivery_groups"] = field_limit(Indicator, "notes")
    seen: set[str] = set()
    for number, row in table[1:]:
        found = cell_problems(number, row, limits)
        if found:
            result.problems.extend(found)
            continue
        result.rows.append(_indicator_row(_Row(number, row, result.problems), groups, seen))
    existing = set(Indicator.objects.filter(strategy=strategy).values_list("code", flat=True))
    result.planned = [(code, fields["name"], "Update" if code in existing else "New") for code, fields, _ in result.rows]
    return result


def _indicator_row(row: _Row, groups: dict[str, DeliveryGroup], seen: set[str]) -> tuple[str, dict, list[DeliveryGroup]]:
    code = row.cell("code")
    if not code:
        row.problem("code", "", "every KPI needs a code")
    elif code in seen:
        row.problem("code", code, "this code is already used on an earlier row")
    seen.add(code)
    if not row.cell("name"):
        row.problem("name", "", "every KPI needs a name")
    fields = {
        "name": row.cell("name"),
        "description": row.cell("description"),
        "unit": row.choice("unit", Indicator.Unit),
        "direction": row.choice("direction", Indicator.Direction),
        "frequency": row.choice("frequency", Indicator.Frequency),
        "source": row.choice("source", Indicator.Source) if row.cell("source") else Indicator.Source.LOCAL,
        "source_detail": row.cell("source_detail"),
        "baseline_period": row.cell("baseline_period"),
        "notes": row.cell("notes"),
        "position": row.number,
    }
    fields.update(row.decimals(["baseline_value", "target", "tolerance", "stretch_aim"]))
    if fields.get("tolerance") is not None and fields["tolerance"] < 0:
        row.problem("tolerance", row.cell("tolerance"), "must not be negative")
    _baseline_checked(row, fields)
    linked = []
    for name in [n.strip() for n in row.cell("delivery_groups").split(";") if n.strip()]:
        group = groups.get(normalise_phrase(name))
        if group is None:
            row.problem("delivery_groups", name, "there is no delivery group with this name in the strategy")
        else:
            linked.append(group)
    return code, fields, linked


def _baseline_checked(row: _Row, fields: dict) -> None:
    if fields["baseline_period"] and fields["frequency"] in Indicator.Frequency.values:
        try:
            period_start(fields["frequency"], fields["baseline_period"])
        except PeriodError as exc:
            row.problem("baseline_period", fields["baseline_period"], str(exc))


def indicators_apply(loaded: Loaded, strategy: Strategy) -> Loaded:
    """Create or update the indicators `indicators_read` checked, by code, in one transaction."""
    with transaction.atomic():
        existing = {i.code: i for i in Indicator.objects.filter(strategy=strategy)}
        for code, fields, linked in loaded.rows:
            indicator = existing.get(code)
            if indicator is None:
                indicator = Indicator.objects.create(strategy=strategy, code=code, **fields)
                loaded.created += 1
            else:
                changed = any(getattr(indicator, k) != v for k, v in fields.items())
                for k, v in fields.items():
                    setattr(indicator, k, v)
                indicator.save()
                loaded.updated += changed
                loaded.unchanged += not changed
            indicator.delivery_groups.set(linked)
    return loaded


def kpi_values_read(content: bytes, filename: str, strategy: Strategy) -> Loaded:
    """What adding the file's values to the strategy's indicators would do; writes nothing.

    A period that already has the same value is left alone; a different value
    for it is a problem (corrections need a reason, so they are made in the browser).
    """
    result = Loaded()
    table = _table(content, filename, VALUE_REQUIRED, result)
    if table is None:
        return result
    indicators = {i.code.casefold(): i for i in Indicator.objects.filter(strategy=strategy)}
    current = {(v.indicator_id, v.period): v for v in KpiValue.objects.current().filter(indicator__strategy=strategy)}
    seen: dict[tuple[int, str], int] = {}
    limits = {"indicator": field_limit(Indicator, "code"), "period": field_limit(KpiValue, "period"), "note": field_limit(KpiValue, "note")}
    for number, row in table[1:]:
        found = cell_problems(number, row, limits)
        if found:
            result.problems.extend(found)
            continue
        value = _value_row(_Row(number, row, result.problems), indicators, current, seen, result)
        if value is not None:
            result.rows.append(value)
    if result.problems:
        result.rows = []
        return result
    result.created = len(result.rows)
    result.planned = [(value.indicator.code, value.period, value.indicator.format(value.value)) for value in result.rows]
    return result


def _value_row(row: _Row, indicators: dict, current: dict, seen: dict, result: Loaded) -> KpiValue | None:
    indicator = indicators.get(row.cell("indicator").casefold())
    if indicator is None:
        row.problem("indicator", row.cell("indicator"), "there is no KPI with this code in the strategy")
        return None
    period = row.cell("period")
    try:
        start = indicator.period_start(period)
    except PeriodError as exc:
        row.problem("period", period, f"{exc} ({indicator.get_frequency_display().lower()} KPI)")
        return None
    numbers = row.decimals(["value", *BENCHMARK_COLUMNS])
    if "value" in numbers and numbers["value"] is None:
        row.problem("value", "", "every row needs a value")
    if (indicator.pk, period) in seen:
        row.problem("period", period, f"{indicator.code} already has this period on row {seen[(indicator.pk, period)]}")
        return None
    seen[(indicator.pk, period)] = row.number
    if len(numbers) < 4 or numbers["value"] is None:
        return None
    standing = current.get((indicator.pk, period))
    if standing is None:
        return KpiValue(indicator=indicator, period=period, period_start=start, note=row.cell("note"), **numbers)
    if standing.value != numbers["value"]:
        row.problem(
            "value",
            row.cell("value"),
            f"{indicator.code} already has {indicator.format(standing.value)} for {period}: correct it on the KPI's page, giving a reason",
        )
    else:
        result.unchanged += 1
    return None


def kpi_values_apply(loaded: Loaded) -> Loaded:
    """Add the values `kpi_values_read` found new, together."""
    with transaction.atomic():
        KpiValue.objects.bulk_create(loaded.rows, batch_size=1000)
        kpi_crossings_notify(loaded.rows)
    return loaded
