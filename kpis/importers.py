"""Import KPI definitions and KPI values from CSV or XLSX: check every row, then apply all of it or nothing.

Definitions (`load_kpis`): code, name, description, delivery_groups (names
separated by "; "), unit, direction, frequency, source, source_detail,
baseline_value, baseline_period, target, tolerance, stretch_aim, notes.
Values (`import_kpi_values`): indicator, period, value, and optionally
england, region, statistical_neighbours, note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from actions.models import DeliveryGroup, Strategy, normalise_phrase
from actions.tables import ImportFileError, RowProblem, cell_problems, field_limit, missing_columns, read_table
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


def parse_decimal(text: str) -> Decimal | None:
    """A number as typed in a spreadsheet ("4,854", "72%", " 23.5 "); None when blank; ValueError otherwise."""
    cleaned = (text or "").strip().replace(",", "").rstrip("%").strip()
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("must be a number, such as 72 or 23.5") from None
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        raise ValueError("must be a number below ten billion")
    if number.as_tuple().exponent < -4:
        raise ValueError("can have at most 4 decimal places")
    return number


@dataclass
class Loaded:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    planned: list[tuple[str, str, str]] = field(default_factory=list)  # (KPI code, period, value) to be added


def indicators_load(content: bytes, filename: str, strategy: Strategy) -> Loaded:
    """Create or update the strategy's indicators by code; delivery groups matched by name."""
    result = Loaded()
    try:
        table = read_table(content, filename)
    except ImportFileError as exc:
        result.problems.append(RowProblem(exc.row, "", "", str(exc)))
        return result
    result.problems += missing_columns(table, INDICATOR_REQUIRED)
    if result.problems:
        return result
    groups: dict[str, DeliveryGroup] = {}
    for group in DeliveryGroup.objects.filter(strategy=strategy).select_related("parent"):
        groups.setdefault(normalise_phrase(group.name), group)
        groups.setdefault(normalise_phrase(str(group)), group)
    planned = []
    seen: set[str] = set()
    problems = result.problems
    # Choices (unit, direction, frequency, source) are checked against their lists below.
    limits = {
        column: field_limit(Indicator, column)
        for column in INDICATOR_COLUMNS
        if column != "delivery_groups" and not Indicator._meta.get_field(column).choices
    }
    limits["delivery_groups"] = field_limit(Indicator, "notes")
    for number, row in table[1:]:
        found = cell_problems(number, row, limits)
        if found:
            problems.extend(found)
            continue

        def cell(column: str, row=row) -> str:
            return (row.get(column) or "").strip()

        def choice(column: str, choices, row=row, number=number) -> str:
            value = normalise_phrase(cell(column)).replace(" ", "_")
            if value not in choices.values:
                problems.append(RowProblem(number, column, cell(column), f"must be one of: {', '.join(choices.values)}"))
            return value

        code = cell("code")
        if not code:
            problems.append(RowProblem(number, "code", "", "every KPI needs a code"))
        elif code in seen:
            problems.append(RowProblem(number, "code", code, "this code is already used on an earlier row"))
        seen.add(code)
        if not cell("name"):
            problems.append(RowProblem(number, "name", "", "every KPI needs a name"))
        fields = {
            "name": cell("name"),
            "description": cell("description"),
            "unit": choice("unit", Indicator.Unit),
            "direction": choice("direction", Indicator.Direction),
            "frequency": choice("frequency", Indicator.Frequency),
            "source": choice("source", Indicator.Source) if cell("source") else Indicator.Source.LOCAL,
            "source_detail": cell("source_detail"),
            "baseline_period": cell("baseline_period"),
            "notes": cell("notes"),
            "position": number,
        }
        for column in ["baseline_value", "target", "tolerance", "stretch_aim"]:
            try:
                fields[column] = parse_decimal(cell(column))
            except ValueError as exc:
                problems.append(RowProblem(number, column, cell(column), str(exc)))
        if fields.get("tolerance") is not None and fields["tolerance"] < 0:
            problems.append(RowProblem(number, "tolerance", cell("tolerance"), "must not be negative"))
        if fields["baseline_period"] and fields["frequency"] in Indicator.Frequency.values:
            try:
                period_start(fields["frequency"], fields["baseline_period"])
            except PeriodError as exc:
                problems.append(RowProblem(number, "baseline_period", fields["baseline_period"], str(exc)))
        linked = []
        for name in [n.strip() for n in cell("delivery_groups").split(";") if n.strip()]:
            group = groups.get(normalise_phrase(name))
            if group is None:
                problems.append(RowProblem(number, "delivery_groups", name, "there is no delivery group with this name in the strategy"))
            else:
                linked.append(group)
        planned.append((code, fields, linked))
    if result.problems:
        return result
    with transaction.atomic():
        existing = {i.code: i for i in Indicator.objects.filter(strategy=strategy)}
        for code, fields, linked in planned:
            indicator = existing.get(code)
            if indicator is None:
                indicator = Indicator.objects.create(strategy=strategy, code=code, **fields)
                result.created += 1
            else:
                changed = any(getattr(indicator, k) != v for k, v in fields.items())
                for k, v in fields.items():
                    setattr(indicator, k, v)
                indicator.save()
                result.updated += changed
                result.unchanged += not changed
            indicator.delivery_groups.set(linked)
    return result


def kpi_values_import(content: bytes, filename: str, strategy: Strategy, *, apply: bool = True) -> Loaded:
    """Add values to the strategy's indicators. A period that already has the same value is left alone;
    a different value for it is a problem (corrections need a reason, so they are made in the browser).

    With `apply=False` nothing is written: the result says what applying would do (the browser's preview).
    """
    result = Loaded()
    try:
        table = read_table(content, filename)
    except ImportFileError as exc:
        result.problems.append(RowProblem(exc.row, "", "", str(exc)))
        return result
    result.problems += missing_columns(table, VALUE_REQUIRED)
    if result.problems:
        return result
    indicators = {i.code.casefold(): i for i in Indicator.objects.filter(strategy=strategy)}
    current = {(v.indicator_id, v.period): v for v in KpiValue.objects.current().filter(indicator__strategy=strategy)}
    planned = []
    seen: dict[tuple[int, str], int] = {}
    problems = result.problems
    limits = {"indicator": field_limit(Indicator, "code"), "period": field_limit(KpiValue, "period"), "note": field_limit(KpiValue, "note")}
    for number, row in table[1:]:
        found = cell_problems(number, row, limits)
        if found:
            problems.extend(found)
            continue

        def cell(column: str, row=row) -> str:
            return (row.get(column) or "").strip()

        indicator = indicators.get(cell("indicator").casefold())
        if indicator is None:
            problems.append(RowProblem(number, "indicator", cell("indicator"), "there is no KPI with this code in the strategy"))
            continue
        period = cell("period")
        try:
            start = indicator.period_start(period)
        except PeriodError as exc:
            problems.append(RowProblem(number, "period", period, f"{exc} ({indicator.get_frequency_display().lower()} KPI)"))
            continue
        numbers = {}
        for column in ["value", *BENCHMARK_COLUMNS]:
            try:
                numbers[column] = parse_decimal(cell(column))
            except ValueError as exc:
                problems.append(RowProblem(number, column, cell(column), str(exc)))
        if "value" in numbers and numbers["value"] is None:
            problems.append(RowProblem(number, "value", "", "every row needs a value"))
        if (indicator.pk, period) in seen:
            problems.append(
                RowProblem(number, "period", period, f"{indicator.code} already has this period on row {seen[(indicator.pk, period)]}")
            )
            continue
        seen[(indicator.pk, period)] = number
        if len(numbers) < 4 or numbers["value"] is None:
            continue
        standing = current.get((indicator.pk, period))
        if standing is not None:
            if standing.value != numbers["value"]:
                problems.append(
                    RowProblem(
                        number,
                        "value",
                        cell("value"),
                        f"{indicator.code} already has {indicator.format(standing.value)} for {period}: "
                        "correct it on the KPI's page, giving a reason",
                    )
                )
            else:
                result.unchanged += 1
            continue
        planned.append(KpiValue(indicator=indicator, period=period, period_start=start, note=cell("note"), **numbers))
    if result.problems:
        return result
    result.created = len(planned)
    result.planned = [(value.indicator.code, value.period, value.indicator.format(value.value)) for value in planned]
    if apply:
        with transaction.atomic():
            KpiValue.objects.bulk_create(planned, batch_size=1000)
            kpi_crossings_notify(planned)
    return result
