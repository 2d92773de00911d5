"""Reading and writing tables: CSV and XLSX files, formula-safe cells, and the problems found by row.

Every spreadsheet the product reads (plans, KPIs, values) or writes (exports)
goes through here, so a formula can never run from a cell we wrote, a file's
problems are always reported with the row and column a person can find, and
no file can make the reader work for long: its limits are checked before
anything is inflated (see `Limits`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

MAX_CELL = 20_000
# A spreadsheet runs a cell starting with one of these as a formula. Exports
# prefix such cells with an apostrophe; imports remove exactly that prefix.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# Limits of what one file may hold, so that a small file cannot make the reader
# build an enormous table. A plan has hundreds of rows; KPI values thousands.
MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_CELLS = 400_000  # filled cells, across the whole file
# An XLSX is a ZIP: this bounds what its parts may unpack to (a real plan is well under 5 MB).
XLSX_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
NUL = "\x00"
# Digits whose commas group thousands, as people type a large figure: 4,854 and 236,700,000, never 1,20 or 12,34,567
# (a slip: is it 1.20 or 120?). The KPI figures and the money read from forms and files are checked with it.
GROUPED_DIGITS = r"\d{1,3}(?:,\d{3})+"
MB = 1024 * 1024


def normalise_phrase(text: str) -> str:
    """Fold a phrase typed into a plan so that ratings and dates match however they were typed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Limits:
    """What one uploaded file may hold and cost to read, all checked by this module, the cheap ones first.

    `bytes` is the file as uploaded; `inflated` what an XLSX's parts unpack to,
    as its directory declares them (the ZIP reader never unpacks a part past
    its declared size); `shared_strings` the distinct texts a workbook may
    declare, counted before they are loaded; `rows` and `cells` (filled ones)
    what is read; `seconds` the time reading may take.
    """

    bytes: int = 12 * MB
    inflated: int = XLSX_MAX_UNPACKED_BYTES
    shared_strings: int = MAX_CELLS
    rows: int = MAX_ROWS
    cells: int = MAX_CELLS
    seconds: float = 10.0


class ImportFileError(ValueError):
    """The file could not be read at all (not CSV/XLSX, not UTF-8, empty, too big); `row` says where, when known."""

    def __init__(self, message: str, row: int = 0) -> None:
        super().__init__(message)
        self.row = row


NOT_A_WORKBOOK = "The file could not be read as an Excel workbook (.xlsx)."


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    value: str
    message: str

    def __post_init__(self) -> None:
        # The value is shown back to the person and kept in the import's summary:
        # short, and without NUL characters (which PostgreSQL text cannot hold).
        value = self.value.replace(NUL, "\u2400")
        object.__setattr__(self, "value", value if len(value) <= 80 else value[:77] + "...")

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        shown = f" ('{self.value}')" if self.value else ""
        return f"{where}{shown}: {self.message}"


def limits_default() -> Limits:
    """The limits for a file of plans, KPIs or values: read from this module when asked, so that one can be lowered."""
    return Limits(inflated=XLSX_MAX_UNPACKED_BYTES, shared_strings=MAX_CELLS, rows=MAX_ROWS, cells=MAX_CELLS)


class _Reading:
    """One file being read: counts its rows and filled cells and watches the clock, stopping at the first limit passed."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells = 0
        self.deadline = time.monotonic() + limits.seconds

    def check(self, number: int, filled: int) -> None:
        if number > self.limits.rows + 1:
            raise ImportFileError(
                f"Row {number:,} is past the limit of {self.limits.rows:,} rows in one file: split the file and import each part.",
                row=number,
            )
        self.cells += filled
        if self.cells > self.limits.cells:
            raise ImportFileError(
                f"Row {number:,} takes the file past the limit of {self.limits.cells:,} filled cells: split the file and import each part.",
                row=number,
            )
        self.in_time()

    def in_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise ImportFileError(
                f"The file took longer than the limit of {self.limits.seconds:g} seconds to read: "
                "save only the sheet to import, without formatting, and try again."
            )


def _size(count: int) -> str:
    return f"{count / MB:,.0f} MB" if count >= MB else f"{count:,} bytes"


def _opened(content: bytes, filename: str, limits: Limits) -> _Reading:
    """Refuse a file of the wrong kind or past its limits before any of it is read; the reading's counters otherwise."""
    if not filename.lower().endswith((".csv", ".xlsx")):
        raise ImportFileError("The file must be a .csv or .xlsx spreadsheet.")
    if len(content) > limits.bytes:
        raise ImportFileError(f"The file is {_size(len(content))}, past the limit of {_size(limits.bytes)} for one upload.")
    reading = _Reading(limits)
    if filename.lower().endswith(".xlsx"):
        _workbook_checked(content, reading)
    return reading


def _workbook_checked(content: bytes, reading: _Reading) -> None:
    """Refuse a workbook whose parts unpack past the limit, or that holds too many shared strings, before it is loaded.

    The sizes are those the ZIP's directory declares: the ZIP reader never
    unpacks a part past its declared size (a part that holds more fails its
    checksum), so a workbook cannot unpack to more than this check saw.
    """
    limits = reading.limits
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError(NOT_A_WORKBOOK) from None
    with archive:
        parts = archive.infolist()
        unpacked = sum(part.file_size for part in parts)
        if unpacked > limits.inflated:
            largest = max(parts, key=lambda part: part.file_size)
            what = "shared strings (the sheets' texts)" if _is_shared_strings(largest) else f"part {largest.filename}"
            raise ImportFileError(
                f"The workbook unpacks to more than the limit of {_size(limits.inflated)}: its {what} alone unpack to "
                f"{_size(largest.file_size)}. Save only the plan's own sheet and try again."
            )
        for part in parts:
            if _is_shared_strings(part) and _elements_counted(archive, part, reading) > limits.shared_strings:
                raise ImportFileError(
                    f"The workbook holds more than the limit of {limits.shared_strings:,} different texts (its shared strings): "
                    "save only the sheet to import and try again."
                )


def _is_shared_strings(part: zipfile.ZipInfo) -> bool:
    return part.filename.lower().endswith("sharedstrings.xml")


# How a shared-strings part opens each string item: <si>, <si xml:space=...>, or an empty <si/>.
_STRING_ITEMS = (b"<si>", b"<si ", b"<si/>")


def _elements_counted(archive: zipfile.ZipFile, part: zipfile.ZipInfo, reading: _Reading) -> int:
    """How many string items (<si>) a shared-strings part holds, unpacked a megabyte at a time and no further than needed."""
    counted, tail = 0, b""
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(MB):
                buffer = tail + chunk
                # An item wholly in the tail was counted with the previous chunk.
                counted += sum(buffer.count(item) - tail.count(item) for item in _STRING_ITEMS)
                if counted > reading.limits.shared_strings:
                    break
                tail = buffer[-8:]
                reading.in_time()
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        raise ImportFileError(NOT_A_WORKBOOK) from None
    return counted


def read_table(
    content: bytes, filename: str, *, max_rows: int | None = None, max_cells: int | None = None, limits: Limits | None = None
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV or XLSX file as (spreadsheet row number, {lower-case header: text}).

    Only the first sheet's header columns are read, blank rows are skipped, and
    a file past its `limits` (`limits_default()` unless given; `max_rows` and
    `max_cells` lower two of them) or with more than MAX_COLUMNS header columns
    is refused, with the row where the limit was passed where there is one.
    """
    limits = limits or limits_default()
    limits = replace(limits, rows=max_rows or limits.rows, cells=max_cells or limits.cells)
    reading = _opened(content, filename, limits)
    rows = _xlsx_rows(content, reading) if filename.lower().endswith(".xlsx") else _csv_rows(content, reading)
    header_cells = next(rows, None)
    if header_cells is None:
        raise ImportFileError("The file is empty: it needs a header row and one row per action.")
    header = [normalise_phrase(h).replace(" ", "_") for h in header_cells]
    table = []
    for number, cells in rows:
        table.append((number, {h: (cell_unescape(cells[i]) if i < len(cells) else "") for i, h in enumerate(header) if h}))
    return [(0, {h: h for h in header})] + table


def _header_width(cells: list[str]) -> int:
    width = len(cells)
    while width and not cells[width - 1].strip():
        width -= 1
    if width > MAX_COLUMNS:
        raise ImportFileError(f"Row 1 has more than {MAX_COLUMNS} column headings: keep only the import format's columns.", row=1)
    return width


# What a tracker's sheets may hold before the header is found and the plan is read.
SHEET_MAX_ROWS = 20_000
SHEET_MAX_COLUMNS = 100


@dataclass
class Sheet:
    """One sheet of a workbook (a CSV is one sheet): its non-blank rows as (spreadsheet row number, cell texts)."""

    name: str
    rows: list[tuple[int, list[str]]]
    # The colour word ("red", "amber", "green", "blue", "grey") of each cell with a solid fill: (row number, column index).
    fills: dict[tuple[int, int], str] = field(default_factory=dict)


def read_sheets(content: bytes, filename: str, *, limits: Limits | None = None) -> list[Sheet]:
    """Every sheet of a CSV or XLSX file, blank rows left out, for finding a tracker's header row.

    Excel date cells become text the due-date reader understands: a date shown
    as a month ("Sep 2025") reads as that month, any other as the day.
    """
    reading = _opened(content, filename, limits or limits_default())
    if filename.lower().endswith(".xlsx"):
        sheets = _xlsx_sheets(content, reading)
    else:
        sheets = [Sheet(name=filename.rsplit(".", 1)[0], rows=_numbered(_csv_lines(content, reading), reading))]
    if not any(sheet.rows for sheet in sheets):
        raise ImportFileError("The file is empty: it needs a header row and one row per action.")
    return sheets


def _csv_text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("The CSV file is not UTF-8 text: save it from your spreadsheet as 'CSV UTF-8'.") from None


def _csv_lines(content: bytes, reading: _Reading) -> list[list[str]]:
    """Every line of a CSV file as cells, up to one past SHEET_MAX_ROWS (so that `_numbered` can refuse the file)."""
    lines = []
    try:
        for cells in csv.reader(io.StringIO(_csv_text(content), newline="")):
            lines.append(cells)
            if len(lines) > SHEET_MAX_ROWS:
                break
            reading.in_time()
    except csv.Error as exc:
        raise ImportFileError(f"Row {len(lines) + 1:,} could not be read as CSV ({exc}): check the file's quotes.") from None
    return lines


def _numbered(rows: list[list[str]], reading: _Reading) -> list[tuple[int, list[str]]]:
    numbered = []
    for number, cells in enumerate(rows, start=1):
        if number > SHEET_MAX_ROWS:
            raise ImportFileError(f"The file has more than {SHEET_MAX_ROWS:,} rows: split it and import each part.")
        cells = [cell_unescape(c) for c in cells[:SHEET_MAX_COLUMNS]]
        filled = sum(1 for c in cells if c.strip())
        if filled:
            reading.check(number, filled)
            numbered.append((number, cells))
    return numbered


@contextmanager
def _workbook(content: bytes):
    """The workbook, open to read and closed after; a damaged file or sheet part is an ImportFileError."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or non-XLSX file
        raise ImportFileError(NOT_A_WORKBOOK) from None
    try:
        yield workbook
    except ImportFileError:
        raise
    except Exception:  # a damaged sheet part
        raise ImportFileError(NOT_A_WORKBOOK) from None
    finally:
        workbook.close()


def _xlsx_sheets(content: bytes, reading: _Reading) -> list[Sheet]:
    sheets = []
    with _workbook(content) as workbook:
        for worksheet in workbook.worksheets:
            if not hasattr(worksheet, "iter_rows"):
                continue  # a chart sheet holds no cells
            # The declared <dimension> is what the file claims, not what it holds.
            worksheet.reset_dimensions()
            fills: dict[tuple[int, int], str] = {}
            sheets.append(Sheet(name=worksheet.title, rows=_sheet_rows(worksheet, reading, fills), fills=fills))
    return sheets


def fill_colour(cell) -> str | None:
    """The colour word of a cell's solid fill by its hue: red, amber, green, blue or grey; None for no fill or another colour."""
    import colorsys

    fill = getattr(cell, "fill", None)
    if fill is None or fill.fill_type != "solid" or getattr(fill.fgColor, "type", None) != "rgb":
        return None
    rgb = str(fill.fgColor.rgb or "")[-6:]
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", rgb):
        return None
    red, green, blue = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    if lightness > 0.95:
        return None  # white: no colour
    if saturation < 0.15:
        return "grey"
    degrees = hue * 360
    for colour, upto in (("red", 15), ("amber", 65), ("green", 170), ("blue", 260), ("red", 360)):
        if degrees <= upto:
            return colour
    return None


def _sheet_rows(worksheet, reading: _Reading, fills: dict[tuple[int, int], str] | None = None) -> list[tuple[int, list[str]]]:
    from openpyxl.cell.read_only import EMPTY_CELL

    rows = []
    padding = None
    for number, cells in enumerate(worksheet.iter_rows(max_col=SHEET_MAX_COLUMNS), start=1):
        if number > SHEET_MAX_ROWS:
            raise ImportFileError(f"The sheet '{worksheet.title}' has more than {SHEET_MAX_ROWS:,} rows: keep only the plan.")
        if cells is padding or all(cell is EMPTY_CELL for cell in cells):
            padding = cells  # the rows the sheet leaves out all come back as this one empty row
            reading.in_time()
            continue
        texts = [_date_cell_text(c) for c in cells]
        if fills is not None:
            coloured = False
            for index, cell in enumerate(cells):
                if colour := fill_colour(cell):
                    fills[(number, index)] = colour
                    coloured = True
            if coloured and not any(t.strip() for t in texts):
                reading.check(number, 1)
                rows.append((number, texts))  # a row of colours only is still a row
                continue
        while texts and not texts[-1].strip():
            texts.pop()
        if texts:
            reading.check(number, len(texts))
            rows.append((number, [cell_unescape(t) for t in texts]))
        else:
            reading.in_time()
    return rows


def _date_cell_text(cell) -> str:
    """A cell's text; a date cell whose format shows no day reads as the month, written as the sheet shows it ("Mar-26")."""
    value = getattr(cell, "value", None)
    if isinstance(value, dt.date | dt.datetime):
        shown = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|[;].*', "", (getattr(cell, "number_format", "") or "")).lower()
        if "y" in shown and "m" in shown and "d" not in shown:
            return _month_as_shown(value, shown)  # formatted as a month: due by its end
    return _cell_text(value)


def _month_as_shown(value: dt.date, shown: str) -> str:
    """A month as a number format such as mmm-yy, mmmm yyyy or mm/yyyy shows it, in words the due-date reader reads."""
    year = "%Y" if "yyy" in shown else "%y"
    if "mmm" not in shown:
        if year == "%y":
            return value.strftime("%B %Y")  # "03/26" could be a day: written out in words
        return value.strftime("%Y-%m") if shown.index("y") < shown.index("m") else value.strftime("%m/%Y")
    month = "%B" if "mmmm" in shown else "%b"
    separator = "-" if "-" in shown else "/" if "/" in shown else " "
    if year == "%y" and separator == " ":
        separator = "-"  # "Mar 26" could be a day: "Mar-26" is a month
    first, second = (year, month) if shown.index("y") < shown.index("m") else (month, year)
    if first == year:
        return value.strftime(f"{month} %Y")
    return value.strftime(f"{first}{separator}{second}")


# What a writer or a spreadsheet drops or passes over at the start of a cell: control characters
# (XLSX cannot hold them), invisible format characters, white space and apostrophes. A cell is a
# formula to a spreadsheet if a trigger follows them, so that is what is checked.
_PASSED_OVER = re.compile(r"^[\x00-\x1f\x7f\u00a0\u200b-\u200f\u2028-\u202f\u2060-\u2064\ufeff\s']*")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read the cell as a formula, once it or a writer has dropped what it drops."""
    return text.lstrip("'").startswith(FORMULA_TRIGGERS) or _PASSED_OVER.sub("", text).startswith(FORMULA_TRIGGERS)


def cell_escape(text: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula, reversibly.

    Any cell that reads as a formula (`formula_like`: a trigger after apostrophes,
    control characters or invisible ones) gets one more apostrophe, so that
    `cell_unescape` can always give back the original.
    """
    if formula_like(text):
        return "'" + text
    return text


def cells_escaped(cells: Iterable[Cell]) -> list[Cell]:
    """A row's cells for a file: the text ones neutralised (`cell_escape`), the typed ones (dates, numbers) as they are."""
    return [cell_escape(cell) if isinstance(cell, str) else cell for cell in cells]


def cell_unescape(text: str) -> str:
    """Remove the apostrophe `cell_escape` added, and only that one."""
    if text.startswith("'") and formula_like(text[1:]):
        return text[1:]
    return text


def cell_problems(number: int, row: dict[str, str], limits: dict[str, int]) -> list[RowProblem]:
    """What the database could not store: a NUL character in any cell, or text longer than its field (column -> characters)."""
    problems = []
    for column, text in row.items():
        if NUL in text:
            problems.append(RowProblem(number, column, "", "contains a NUL character (left by a damaged export): remove it"))
        limit = limits.get(column)
        if limit is not None and len(text.strip()) > limit:
            problems.append(RowProblem(number, column, text.strip(), f"is {len(text.strip()):,} characters long: at most {limit:,} fit"))
    return problems


def field_limit(model, name: str) -> int:
    """The most characters a model's field holds: its max_length, or MAX_CELL for text."""
    return model._meta.get_field(name).max_length or MAX_CELL


def _csv_rows(content: bytes, reading: _Reading):
    reader = csv.reader(io.StringIO(_csv_text(content), newline=""))
    number = 1
    try:
        header = next(reader, None)
        if header is None:
            return
        width = _header_width(header)
        yield header[:width]
        for number, cells in enumerate(reader, start=2):
            cells = cells[:width]  # nothing past the header is read
            filled = sum(1 for c in cells if c.strip())
            if not filled:
                continue  # blank lines between blocks are common in hand-kept trackers
            reading.check(number, filled)
            yield number, cells
    except csv.Error as exc:
        raise ImportFileError(f"Row {number + 1:,} could not be read as CSV ({exc}): check the file's quotes.", row=number + 1) from None


def _xlsx_rows(content: bytes, reading: _Reading):
    with _workbook(content) as workbook:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        # A sheet's declared <dimension> is what the file claims, not what it holds:
        # one stray cell far away must not make the reader pad millions of rows.
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
        if header is None:
            return
        cells = [_cell_text(v) for v in header]
        width = _header_width(cells)
        if not width:
            return
        yield cells[:width]
        padding = None
        for number, row in enumerate(sheet.iter_rows(min_row=2, max_col=width), start=2):
            if row is padding:
                continue  # the rows the file leaves out all come back as one empty row: passed over at once
            if all(getattr(cell, "value", None) is None for cell in row):
                padding = row
                continue
            # A date cell formatted as a month is that month, as it is in a tracker.
            cells = [_date_cell_text(cell) for cell in row]
            filled = sum(1 for c in cells if c.strip())
            if not filled:
                continue
            reading.check(number, filled)
            yield number, cells


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def upload_filename(name: str) -> str:
    """An uploaded file's name as it may be stored and shown: no folders, no control characters, at most 255 characters."""
    name = Path(name or "").name
    cleaned = "".join(ch for ch in name if ch.isprintable()).strip()
    return (cleaned or "upload")[-255:]


def missing_columns(table: list[tuple[int, dict[str, str]]], required: list[str]) -> list[RowProblem]:
    """A problem on row 1 for each required column the header row lacks."""
    header = table[0][1] if table else {}
    return [RowProblem(1, c, "", "this column is missing from the header row") for c in required if c not in header]


@dataclass(frozen=True)
class DateCell:
    """A date in an exported table: a real date in a workbook, shown as a month when the plan means a month; `text` in a CSV."""

    date: dt.date
    text: str
    month: bool = False

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class NumberCell:
    """A number in an exported table that a workbook can add up and sort (an amount exact to the penny unless
    `number_format` says otherwise, such as "0" for a score); `text` in a CSV."""

    value: Decimal
    text: str
    number_format: str = "#,##0.00;-#,##0.00"

    def __str__(self) -> str:
        return self.text


Cell = str | DateCell | NumberCell


def csv_bytes(table: list[list[Cell]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows([[str(cell) for cell in line] for line in table])
    # A byte-order mark so that Excel reads the file as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def date_shown(cell: DateCell) -> str:
    """A date as the workbook shows it ("September 2025", "30 September 2025"): a column narrower shows ### instead."""
    return cell.date.strftime("%B %Y") if cell.month else f"{cell.date.day} {cell.date:%B %Y}"


def _column_widths(table: list[list[Cell]], *, least: int = 8, most: int = 50) -> list[int]:
    """Each column as wide as its heading and most of its lines: one long value wraps rather than widening the column."""
    columns: list[list[int]] = []
    for line in table[1:]:
        for index, cell in enumerate(line):
            while index >= len(columns):
                columns.append([])
            text = date_shown(cell) if isinstance(cell, DateCell) else f"{cell.value:,.2f}" if isinstance(cell, NumberCell) else cell
            columns[index].append(max((len(part) for part in text.splitlines()), default=0))
    header = table[0] if table else []
    widths = []
    for index in range(max(len(header), len(columns))):
        lengths = sorted(columns[index]) if index < len(columns) else [0]
        typical = lengths[int(len(lengths) * 0.9) - 1] if len(lengths) >= 10 else lengths[-1]
        heading = len(str(header[index])) if index < len(header) else 0
        widths.append(min(most, max(least, heading + 3, typical + 2)))
    return widths


def xlsx_text(cell: str) -> str:
    """An exported cell's text as a workbook string cell holds it: no apostrophe shows where one was added only to stop a formula.

    A string cell is never run as a formula, and XLSX cannot hold control
    characters, so they are dropped. Text that itself begins with apostrophes
    before a trigger keeps `cell_escape`'s extra one, so the importer gives it back unchanged.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    plain = ILLEGAL_CHARACTERS_RE.sub("", cell_unescape(cell))
    return cell_escape(plain) if plain.startswith("'") else plain


def _lines_wrapped(cell: Cell, width: int) -> int:
    """How many lines a cell's text takes wrapped in a column `width` characters wide."""
    if isinstance(cell, DateCell | NumberCell):
        return 1
    return sum(max(1, -(-len(part) // max(width - 1, 1))) for part in (cell.splitlines() or [""]))


def _sheet_write(sheet: Any, title: str, table: list[list[Cell]]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.title = title[:31]
    widths = _column_widths(table)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    wrapped = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    for number, line in enumerate(table, start=1):
        for column, value in enumerate(line, start=1):
            if isinstance(value, DateCell):
                cell = sheet.cell(row=number, column=column, value=value.date)
                cell.number_format = "mmmm yyyy" if value.month else "d mmmm yyyy"
            elif isinstance(value, NumberCell):
                cell = sheet.cell(row=number, column=column, value=value.value)
                cell.number_format = value.number_format
            else:
                cell = sheet.cell(row=number, column=column, value=xlsx_text(value) or None)
                if cell.value is not None:
                    cell.data_type = "s"  # text, never a formula, whatever it starts with
            cell.alignment = wrapped
            if number == 1:
                cell.font = bold
        # Wrapped text needs its row tall enough to show it: not every spreadsheet measures it on opening.
        lines = max((_lines_wrapped(value, widths[i]) for i, value in enumerate(line)), default=1)
        sheet.row_dimensions[number].height = 15 * min(lines, 20)
    if table:
        last = get_column_letter(max(len(line) for line in table))
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{last}{len(table)}"
        sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.print_options.gridLines = True


def xlsx_bytes(table: list[list[Cell]], title: str = "Actions", *, more: Sequence[tuple[str, list[list[Cell]]]] = ()) -> bytes:
    """A workbook an officer can work in and print: bold wrapped headings, frozen and filtered, text in string cells,
    dates as real dates, and landscape pages one page wide with the heading row on every page.

    `more` adds further sheets after the first, each (title, table), laid out the same way.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    _sheet_write(workbook.active, title, table)
    for more_title, more_table in more:
        _sheet_write(workbook.create_sheet(), more_title, more_table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
