"""Benchmarks from Explore Education Statistics (EES) open-data files.

EES publishes each data set as a CSV with `time_period`, `time_identifier`,
`geographic_level`, country, region and local authority codes and names,
breakdown columns, then one column per indicator. A KPI names its column
(`Indicator.open_data_column`) and the rows to read (`open_data_filter`, such
as "breakdown=All EHC plans"). For every period in the file we read the
partnership's own local authority (its value), England, its region, its
statistical neighbours (their average) and its rank among all authorities
with a figure.

Nothing already held changes: a period the KPI already has a value or a
benchmark for is left as it is (and the preview says so where the file
differs), so next year's file adds next year's figures and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from actions.models import Strategy
from intake.tables import ImportFileError, Limits, RowProblem, read_table
from kpis.importers import parse_decimal
from kpis.models import Benchmark, Indicator, KpiValue, PeriodError

GEOGRAPHY_COLUMNS = ["time_period", "time_identifier", "geographic_level", "region_code", "region_name", "new_la_code", "la_name"]
# What EES and the Government Statistical Service write instead of a figure: not
# available (x), confidential (c), not applicable (z), low reliability (u),
# rounds to zero (low, ~), not yet available (:), and a few older variants.
SUPPRESSED = {"x", "c", "z", "u", "low", "~", ":", "..", ".", "-", "k", "w", "*", "n/a", "na", "ne", "dnc", "supp"}
LEVELS = {"national": "england", "regional": "region", "local authority": "la"}
# A published open-data file holds every authority for several years and every breakdown: the
# EHC plans timeliness file of the 2026 release is 21,706 rows of 28 columns. Read up to this much.
OPEN_DATA_MAX_ROWS = 150_000
OPEN_DATA_MAX_CELLS = 2_500_000


def open_data_limits() -> Limits:
    """A published file's size: up to BENCHMARK_IMPORT_MAX_BYTES, OPEN_DATA_MAX_ROWS and OPEN_DATA_MAX_CELLS."""
    return Limits(
        bytes=settings.BENCHMARK_IMPORT_MAX_BYTES, rows=OPEN_DATA_MAX_ROWS, cells=OPEN_DATA_MAX_CELLS, shared_strings=OPEN_DATA_MAX_CELLS
    )


def figure(text: str) -> Decimal | None:
    """A cell's number; None when blank or suppressed; ValueError when it is neither."""
    cleaned = (text or "").strip()
    if cleaned.casefold() in SUPPRESSED:
        return None
    return parse_decimal(cleaned)


def period_of(time_period: str, time_identifier: str) -> str:
    """The KPI period a file's row is for: a calendar or reporting year as written; an academic or
    financial year ("202324") as the year it ends ("2024"), when its figures are published."""
    text = (time_period or "").strip()
    if re.fullmatch(r"\d{4}", text):
        return text
    m = re.fullmatch(r"(\d{4})(\d{2})", text)
    if m and (int(m.group(1)) + 1) % 100 == int(m.group(2)):
        return str(int(m.group(1)) + 1)
    raise PeriodError(f"the time period '{text}' ({time_identifier}) is not a year such as 2024 or an academic year such as 202324")


def filter_pairs(text: str) -> dict[str, str]:
    pairs = {}
    for part in (text or "").split(";"):
        if "=" in part:
            column, _, value = part.partition("=")
            pairs[column.strip().casefold().replace(" ", "_")] = value.strip().casefold()
    return pairs


@dataclass
class PeriodFigures:
    """One KPI's period as the file gives it, and what the import will do with it."""

    indicator_id: int
    code: str
    period: str
    unit: str = ""  # the KPI's, for showing the figures as its pages do
    value: Decimal | None = None
    england: Decimal | None = None
    region: Decimal | None = None
    region_name: str = ""
    neighbours_average: Decimal | None = None
    neighbours_counted: int = 0
    rank: int | None = None
    ranked: int | None = None
    value_action: str = ""  # new, unchanged, kept (the KPI already has a different value), none
    benchmark_action: str = ""  # new, unchanged, kept


@dataclass
class BenchmarkChanges:
    filename: str
    rows: list[PeriodFigures] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    authorities: dict[str, str] = field(default_factory=dict)
    la_name: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        def plain(row: PeriodFigures) -> dict:
            return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(row).items()}

        return {
            "la_name": self.la_name,
            "rows": [plain(r) for r in self.rows],
            "problems": [asdict(p) for p in self.problems],
            "new_values": sum(r.value_action == "new" for r in self.rows),
            "new_benchmarks": sum(r.benchmark_action == "new" for r in self.rows),
            "kept": sum("kept" in (r.value_action, r.benchmark_action) for r in self.rows),
        }


def _rank(indicator: Indicator, own: Decimal, others: list[Decimal]) -> int:
    """Competition ranking: one more than the number of authorities strictly better."""
    return 1 + sum(1 for other in others if indicator.is_better(other, own))


def _average(numbers: list[Decimal]) -> Decimal | None:
    """The mean, to as many decimal places as the figures it is of: neighbours published to one place average to one
    place (47.8, not 47.8333), as England's and the region's figures beside it read."""
    if not numbers:
        return None
    places = max(0, *(-number.as_tuple().exponent for number in numbers))
    return (sum(numbers) / len(numbers)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _same_average(held: Decimal | None, read: Decimal | None) -> bool:
    """Whether the neighbours' average held is the file's: one kept to four places (as averages once were, 47.8500)
    is the same as the file's 47.9 it rounds to, so the same file read again changes nothing."""
    if held is None or read is None:
        return held is read
    return held.quantize(read, rounding=ROUND_HALF_UP) == read


def benchmarks_read(content: bytes, filename: str, strategy: Strategy) -> BenchmarkChanges:
    """Check an EES file against the strategy's KPIs and say what importing it would add; writes nothing."""
    changes = BenchmarkChanges(filename=filename)
    table = _table_read(content, filename, changes)
    if table is None:
        return changes
    changes.authorities = _authorities(table)
    partnership = strategy.partnership
    if not _own_authority_found(partnership, changes):
        return changes
    matched = _indicators_matched(strategy, table[0][1], changes)
    if changes.problems:
        return changes
    neighbours = set(partnership.statistical_neighbours)
    for indicator in matched:
        _read_indicator(indicator, table, partnership.la_code, neighbours, changes)
    if not changes.problems:
        _compare_with_held(changes)
    return changes


def _table_read(content: bytes, filename: str, changes: BenchmarkChanges) -> list | None:
    try:
        table = read_table(content, filename, limits=open_data_limits())
    except ImportFileError as exc:
        changes.problems.append(RowProblem(0, "", "", str(exc)))
        return None
    for column in GEOGRAPHY_COLUMNS:
        if column not in table[0][1]:
            changes.problems.append(
                RowProblem(1, column, "", "this column is missing: is this an Explore Education Statistics open-data file?")
            )
    return None if changes.problems else table


def _authorities(table: list) -> dict[str, str]:
    """The file's local authorities, code to name, in order of name."""
    authorities = {}
    for _number, row in table[1:]:
        if normalised(row.get("geographic_level")) == "local authority" and row.get("new_la_code"):
            authorities[row["new_la_code"].strip()] = row.get("la_name", "").strip()
    return dict(sorted(authorities.items(), key=lambda item: item[1]))


def _own_authority_found(partnership, changes: BenchmarkChanges) -> bool:
    if not partnership.la_code:
        changes.problems.append(
            RowProblem(0, "", "", "Set the partnership's local authority first (Benchmarking settings), then upload the file again.")
        )
        return False
    if partnership.la_code not in changes.authorities:
        changes.problems.append(RowProblem(0, "new_la_code", partnership.la_code, "the partnership's local authority is not in this file"))
        return False
    changes.la_name = changes.authorities[partnership.la_code]
    return True


def _indicators_matched(strategy: Strategy, header: dict, changes: BenchmarkChanges) -> list[Indicator]:
    """The strategy's KPIs that read a column of this file; a problem for each that is not annual, or when none does."""
    indicators = [i for i in Indicator.objects.filter(strategy=strategy).order_by("position", "id") if i.open_data_column]
    matched = [i for i in indicators if i.open_data_column.casefold() in header]
    if not matched:
        named = ", ".join(sorted({i.open_data_column for i in indicators})) or "none yet"
        changes.problems.append(
            RowProblem(1, "", "", f"no column of this file is one a KPI of this strategy reads its benchmarks from (they read: {named})")
        )
    for indicator in matched:
        if indicator.frequency != Indicator.Frequency.ANNUAL:
            changes.problems.append(
                RowProblem(
                    1,
                    indicator.open_data_column,
                    "",
                    f"{indicator.code} is a {indicator.get_frequency_display().lower()} KPI: open-data figures are yearly, "
                    "so only annual KPIs read them",
                )
            )
    return matched


def normalised(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _read_indicator(indicator: Indicator, table, la_code: str, neighbours: set[str], changes: BenchmarkChanges) -> None:
    column = indicator.open_data_column.casefold()
    wanted = filter_pairs(indicator.open_data_filter)
    periods: dict[str, dict] = {}
    seen: dict[tuple, int] = {}
    for number, row in table[1:]:
        read = _row_read(indicator, number, row, column, wanted, seen, changes)
        if read is not None:
            _row_kept(periods, read, row, la_code)
    for period, found in sorted(periods.items()):
        if found.get("own_present"):
            changes.rows.append(_period_figures(indicator, period, found, la_code, neighbours))


def _row_read(indicator: Indicator, number: int, row: dict, column: str, wanted: dict, seen: dict, changes: BenchmarkChanges):
    """(period, level, place, figure) of a row the KPI reads; None for a row it does not, or one with a problem."""
    if any(normalised(row.get(c)) != v for c, v in wanted.items()):
        return None
    level = LEVELS.get(normalised(row.get("geographic_level")))
    if level is None:
        return None  # local authority district, parliamentary constituency and other levels are not read
    try:
        period = period_of(row.get("time_period", ""), row.get("time_identifier", ""))
        indicator.period_start(period)
    except PeriodError as exc:
        changes.problems.append(RowProblem(number, "time_period", row.get("time_period", ""), f"{exc} ({indicator.code})"))
        return None
    place = {"la": row.get("new_la_code", ""), "region": row.get("region_code", "")}.get(level, "").strip()
    key = (period, level, place)
    if key in seen:
        changes.problems.append(
            RowProblem(
                number,
                column,
                row.get(column, ""),
                f"{indicator.code} reads more than one row for this place and period (also row {seen[key]}): "
                "set the KPI's open-data filter to choose one breakdown",
            )
        )
        return None
    seen[key] = number
    try:
        return period, level, place, figure(row.get(column, ""))
    except ValueError as exc:
        changes.problems.append(RowProblem(number, column, row.get(column, ""), f"{exc}, or a suppression symbol such as x, c or z"))
        return None


def _row_kept(periods: dict[str, dict], read: tuple, row: dict, la_code: str) -> None:
    period, level, place, number_read = read
    found = periods.setdefault(period, {"la": {}, "region": {}, "region_names": {}, "england": None, "own_region": ""})
    if level == "england":
        found["england"] = number_read
    elif level == "region":
        found["region"][place] = number_read
        found["region_names"][place] = row.get("region_name", "").strip()
    else:
        if number_read is not None:
            found["la"][place] = number_read
        if place == la_code:
            found["own_region"] = row.get("region_code", "").strip()
            found["own_present"] = True


def _period_figures(indicator: Indicator, period: str, found: dict, la_code: str, neighbours: set[str]) -> PeriodFigures:
    own = found["la"].get(la_code)
    others = [v for code, v in found["la"].items() if code != la_code]
    counted = [found["la"][code] for code in neighbours if code in found["la"]]
    return PeriodFigures(
        indicator_id=indicator.pk,
        code=indicator.code,
        period=period,
        unit=indicator.unit,
        value=own,
        england=found["england"],
        region=found["region"].get(found["own_region"]),
        region_name=found["region_names"].get(found["own_region"], ""),
        neighbours_average=_average(counted),
        neighbours_counted=len(counted),
        rank=_rank(indicator, own, others) if own is not None else None,
        ranked=len(found["la"]) if own is not None else None,
    )


def _compare_with_held(changes: BenchmarkChanges) -> None:
    ids = {r.indicator_id for r in changes.rows}
    values = {(v.indicator_id, v.period): v.value for v in KpiValue.objects.current().filter(indicator_id__in=ids)}
    held = {(b.indicator_id, b.period): b for b in Benchmark.objects.filter(indicator_id__in=ids)}
    for row in changes.rows:
        standing = values.get((row.indicator_id, row.period))
        if row.value is None:
            row.value_action = "none"
        elif standing is None:
            row.value_action = "new"
        else:
            row.value_action = "unchanged" if standing == row.value else "kept"
        benchmark = held.get((row.indicator_id, row.period))
        if benchmark is None:
            row.benchmark_action = "new"
        else:
            same = _same_average(benchmark.neighbours_average, row.neighbours_average) and (
                benchmark.england,
                benchmark.region,
                benchmark.rank,
                benchmark.ranked,
            ) == (row.england, row.region, row.rank, row.ranked)
            row.benchmark_action = "unchanged" if same else "kept"


def benchmarks_apply(changes: BenchmarkChanges, *, user, strategy: Strategy) -> BenchmarkChanges:
    """Add what `benchmarks_read` found new, all together; the database refuses a second value or
    benchmark for a period, so two confirmations at once cannot both add it."""
    indicators = {i.pk: i for i in Indicator.objects.filter(strategy=strategy)}
    now = timezone.now()
    with transaction.atomic():
        for row in changes.rows:
            indicator = indicators[row.indicator_id]
            start = indicator.period_start(row.period)
            if row.value_action == "new":
                KpiValue.objects.create(
                    indicator=indicator,
                    period=row.period,
                    period_start=start,
                    value=row.value,
                    england=row.england,
                    region=row.region,
                    statistical_neighbours=row.neighbours_average,
                    note=f"From {changes.filename}",
                    entered_by=user,
                )
            if row.benchmark_action == "new":
                Benchmark.objects.create(
                    indicator=indicator,
                    period=row.period,
                    period_start=start,
                    england=row.england,
                    region=row.region,
                    region_name=row.region_name,
                    neighbours_average=row.neighbours_average,
                    neighbours_counted=row.neighbours_counted,
                    rank=row.rank,
                    ranked=row.ranked,
                    source=changes.filename[:255],
                    imported_at=now,
                )
    return changes
