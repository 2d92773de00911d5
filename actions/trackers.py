"""Reading an officer's own tracker: find its sheet and header row, map its columns and ratings to ours.

A partnership's tracker never looks like our import format: title and blank
rows above the header, its own words for each column ("Key task", "Accountable
lead", "BRAG"), ratings as letters, other sheets beside the plan. This module
proposes how such a file reads as a plan; the officer confirms or changes the
proposal (a *mapping*), and `mapped_table` turns the file into the rows
`actions.planfile` validates and applies, all or nothing, as for any plan.

A mapping is plain JSON, kept on the upload, saved for the strategy once an
import with it is applied, and accepted by `import_plan --mapping`:

    {"sheet": "Action plan",
     "columns": {"Objective": "priority", "Key task": "action", "Notes": ""},
     "ratings": {"g": "green", "amber e": "amber-e"},
     "scheme": "cheshire-east"}

`columns` names each header of the file (any case) and the column of ours it
fills ("" for not imported); `ratings` maps each rating found in the file
(folded by `normalise_phrase`) to a level code of the scheme.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from actions.models import ImportMapping, PlanImport, Progress, RatingLevel, RatingScheme, Strategy, normalise_phrase
from actions.planfile import COLUMNS, REQUIRED_COLUMNS, PlanChanges, plan_from_table, plan_read, plan_refused
from intake.tables import ImportFileError, RowProblem, Sheet, read_sheets

# Our columns, in the order the mapping form offers them.
COLUMN_LABELS = {
    "priority": "Priority",
    "delivery_group": "Delivery group",
    "sub_group": "Sub-group",
    "ref": "Ref",
    "action": "Action",
    "owner": "Owner",
    "due": "Due date",
    "rating": "Rating",
    "progress": "Progress update",
    "notes": "Notes",
}
NOT_IMPORTED = ""

# The words officers use for each of our columns, from the published plans in
# the seeds, the fixtures and the trackers partnerships keep in Excel. Matched
# on the whole header first, then as words inside a longer one ("Action owner
# (job title)"); a header is never matched to two columns.
SYNONYMS: dict[str, list[str]] = {
    "priority": [
        "priority",
        "priorities",
        "strategic priority",
        "key priority",
        "priority area",
        "objective",
        "strategic objective",
        "theme",
        "strategic theme",
        "ambition",
        "outcome",
        "pillar",
        "chapter",
    ],
    "delivery_group": [
        "delivery group",
        "area for improvement",
        "areas for improvement",
        "area of improvement",
        "improvement area",
        "area",
        "area of focus",
        "focus area",
        "workstream",
        "work stream",
        "strand",
        "sub-priority",
        "sub priority",
        "project",
    ],
    "sub_group": ["sub group", "sub-group", "subgroup", "sub-area", "sub area", "sub-workstream", "phase"],
    "ref": [
        "ref",
        "ref no",
        "ref number",
        "reference",
        "action ref",
        "action reference",
        "action no",
        "action number",
        "action id",
        "id",
        "no",
        "number",
        "#",
    ],
    "action": [
        "action",
        "actions",
        "action description",
        "key task",
        "key tasks",
        "task",
        "tasks",
        "key action",
        "key actions",
        "activity",
        "activities",
        "what we will do",
        "what will we do",
        "description",
        "milestone",
    ],
    "owner": [
        "owner",
        "owners",
        "action owner",
        "action owners",
        "accountable lead",
        "accountable officer",
        "accountable",
        "lead",
        "leads",
        "lead officer",
        "lead person",
        "named lead",
        "responsible officer",
        "responsible lead",
        "responsible",
        "responsibility",
        "who",
        "by whom",
    ],
    "due": [
        "due",
        "due by",
        "due date",
        "date due",
        "completion date",
        "target completion date",
        "target date",
        "deadline",
        "by when",
        "when",
        "timescale",
        "timescales",
        "timeframe",
        "end date",
    ],
    "rating": [
        "rating",
        "action rating",
        "rag",
        "rag rating",
        "rag status",
        "brag",
        "brag rating",
        "brag status",
        "status",
        "current status",
        "progress rating",
        "delivery status",
    ],
    "progress": [
        "progress",
        "progress update",
        "progress to date",
        "latest position",
        "current position",
        "position statement",
        "latest update",
        "update",
        "updates",
        "commentary",
        "narrative",
        "progress narrative",
        "summary of progress",
    ],
    "notes": ["notes", "note", "comments", "comment", "additional information", "other information"],
}
# The columns without which a row is not an action: the rest default (a ref is
# made from the hierarchy, a missing group takes the priority's name, and so on).
REQUIRED = ["action"]
HIERARCHY = ["priority", "delivery_group"]


def header_key(text: str) -> str:
    """A header folded for matching: case, punctuation and spacing do not matter."""
    text = normalise_phrase(text).replace("&", " and ")
    text = re.sub(r"[^\w#/-]+", " ", text)
    return re.sub(r"\s+", " ", text).strip(" -/")


_EXACT = {header_key(phrase): column for column, phrases in SYNONYMS.items() for phrase in phrases}
_BY_LENGTH = sorted(_EXACT.items(), key=lambda item: -len(item[0]))


def column_for_header(text: str) -> tuple[str, int] | None:
    """The column of ours a header most likely means, with a score: 2 for the whole header, 1 for words inside it."""
    key = header_key(text)
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key], 2
    for phrase, column in _BY_LENGTH:
        if len(phrase) > 2 and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", key):
            return column, 1
    return None


def propose_columns(headers: list[str]) -> list[str]:
    """One of our columns (or NOT_IMPORTED) for each header: the best match wins a column, then the leftmost."""
    candidates = []
    for index, header in enumerate(headers):
        match = column_for_header(header)
        if match:
            candidates.append((-match[1], index, match[0]))
    proposed = [NOT_IMPORTED] * len(headers)
    taken = set()
    for _score, index, column in sorted(candidates):
        if column not in taken:
            proposed[index] = column
            taken.add(column)
    return proposed


@dataclass
class Layout:
    """A sheet as a plan: its header row and the rows below it."""

    sheet: str
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    score: int
    # The workbook's own key to its ratings, from any sheet: folded value -> what the key says it means.
    key: dict[str, str] = field(default_factory=dict)
    # Rows whose rating was read from the cell's fill colour: row number -> what the cell said ("" for nothing).
    from_fill: dict[int, str] = field(default_factory=dict)

    @property
    def signature(self) -> list[str]:
        """What makes two uploads the same layout: the folded headers, in order."""
        return [header_key(h) for h in self.headers]

    def keys(self) -> list[str]:
        """A distinct key for each header: repeated headers get "(2)", "(3)" ..."""
        seen: dict[str, int] = {}
        keys = []
        for header in self.signature:
            seen[header] = seen.get(header, 0) + 1
            keys.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
        return keys

    def samples(self, index: int, count: int = 3) -> list[str]:
        values = []
        for _number, cells in self.rows:
            value = cells[index].strip() if index < len(cells) else ""
            if value and value not in values:
                values.append(value if len(value) <= 80 else value[:77] + "...")
            if len(values) == count:
                break
        return values

    def distinct_values(self, index: int) -> list[str]:
        """Each different value of a column once (folded), as first written, blank left out."""
        found: dict[str, str] = {}
        for _number, cells in self.rows:
            value = cells[index].strip() if index < len(cells) else ""
            if value and normalise_phrase(value) not in found:
                found[normalise_phrase(value)] = value
        return list(found.values())


HEADER_SEARCH_ROWS = 30
# How a rating read from a cell's fill colour is written, so the mapping and the preview say where it came from.
FILL_SUFFIX = "(cell colour)"


def sheet_layout(sheet: Sheet, key: dict[str, str] | None = None, ratings: set[str] | None = None) -> Layout | None:
    """The sheet's header row: of its first rows, the one whose cells most read as our columns (at least two)."""
    best = None
    for position, (number, cells) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        score = sum(1 for c in cells if column_for_header(c))
        if score >= 2 and (best is None or score > best[0]):
            best = (score, position, number, cells)
    if best is None:
        return None
    score, position, number, cells = best
    width = len(cells)
    while width and not cells[width - 1].strip():
        width -= 1
    headers = [c.strip() for c in cells[:width]]
    rows = [(n, (c + [""] * width)[:width]) for n, c in sheet.rows[position + 1 :]]
    # Many trackers rate by the cell's colour alone: a rating cell with a fill and no rating in its text
    # (blank, a dash, "see notes") reads as its colour; what the cell said is kept for the preview.
    from_fill: dict[int, str] = {}
    for index, header in enumerate(headers):
        if (column_for_header(header) or ("",))[0] == "rating":
            for n, row in rows:
                if (n, index) in sheet.fills and not holds_rating(row[index], key or {}, ratings or set()):
                    from_fill[n] = row[index].strip()
                    row[index] = f"{sheet.fills[(n, index)].capitalize()} {FILL_SUFFIX}"
    rows = [(n, c) for n, c in rows if any(v.strip() for v in c)]
    score = score * 1000 + min(len(rows), 999)
    return Layout(sheet=sheet.name, header_row=number, headers=headers, rows=rows, score=score, from_fill=from_fill)


def holds_rating(text: str, key: dict[str, str], ratings: set[str]) -> bool:
    """Whether a rating cell's text is a rating: a letter, word or short phrase trackers rate with, a value of
    the workbook's key, or a level of any scheme (`ratings`, folded); not blank, a dash or a note such as "see notes"."""
    folded = normalise_phrase(text)
    if not folded:
        return False
    if folded in key or folded in ratings or _meaning(text) is not None:
        return True
    # A short phrase of progress ("on track", "not yet started") rates; a longer note ("Delayed by the consultation") does not.
    return len(folded.split()) <= 3 and meaning_class(text) is not None


def rating_phrases() -> set[str]:
    """Every phrase a level of any scheme is written as, folded."""
    return {phrase for level in RatingLevel.objects.only("code", "label", "aliases") for phrase in level.phrases()}


class NoPlanSheetError(ImportFileError):
    """The file was read, but no sheet of it has a header row naming our columns.

    `names_import_columns`: its first row names one of the import format's columns,
    so it is that format with a mistake in it, to report column by column.
    """

    def __init__(self, message: str, names_import_columns: bool = False) -> None:
        super().__init__(message)
        self.names_import_columns = names_import_columns


def layouts_read(content: bytes, filename: str) -> list[Layout]:
    """Every sheet of the file that reads as a plan, in the file's order. Raises ImportFileError when none does."""
    sheets = read_sheets(content, filename)
    key = workbook_key(sheets)
    ratings = rating_phrases() if any(sheet.fills for sheet in sheets) else set()
    layouts = [layout for layout in (sheet_layout(s, key, ratings) for s in sheets) if layout is not None]
    for layout in layouts:
        layout.key = key
    if not layouts:
        first_row = sheets[0].rows[0][1] if sheets and sheets[0].rows else []
        raise NoPlanSheetError(
            "No sheet of the file has a row of column headings we recognise, such as Ref, Action, Owner, Due date and Rating. "
            "Give the columns headings like these on one row above the actions, then upload the file again.",
            names_import_columns=any(normalise_phrase(cell).replace(" ", "_") in COLUMNS for cell in first_row),
        )
    return layouts


def layout_chosen(layouts: list[Layout], sheet: str | None) -> Layout:
    """The named sheet, or the one that most reads as a plan."""
    for layout in layouts:
        if sheet and layout.sheet == sheet:
            return layout
    return max(layouts, key=lambda layout: layout.score)


def is_import_format(layout: Layout) -> bool:
    """Whether the file is in our own import format: it is read as it always has been, with no mapping.

    That is a header on row 1 with every required column, or with our own
    `delivery_group` heading (no tracker writes it): such a file missing a
    column is a mistake to report, not a tracker to map.
    """
    folded = {normalise_phrase(h) for h in layout.headers}
    names = {name.replace(" ", "_") for name in folded}
    return layout.header_row == 1 and (set(REQUIRED_COLUMNS) <= names or "delivery_group" in folded)


# Ratings -------------------------------------------------------------------------------------------

# Letters and words trackers rate with, and what each means: a colour the
# scheme has, or "complete" / "not started" where the scheme has no such colour.
RATING_WORDS = {
    "r": "red",
    "red": "red",
    "a": "amber",
    "amber": "amber",
    "g": "green",
    "green": "green",
    "b": "blue",
    "blue": "blue",
    "ae": "amber-e",
    "a/e": "amber-e",
    "a e": "amber-e",
    "amber e": "amber-e",
    "amber-e": "amber-e",
    "ambere": "amber-e",
    "amber (e)": "amber-e",
    "grey": "grey",
    "gray": "grey",
    "gr": "grey",
    "ns": "grey",
    "n/s": "grey",
    "c": "complete",
    "complete": "complete",
    "completed": "complete",
    "done": "complete",
    "closed": "complete",
}
# Phrases only the Cheshire East One Plan's scheme uses.
CHESHIRE_EAST_MARKERS = {"amber-e", "not yet started; no risk anticipated", "complete but need to evidence impact"}


def _meaning(value: str) -> str | None:
    key = normalise_phrase(value)
    if key in RATING_WORDS:
        return RATING_WORDS[key]
    # "Green - on track", "Red (delayed)": the first word says it.
    head = re.split(r"\s*[-:(]\s*", key, maxsplit=1)[0]
    return RATING_WORDS.get(head)


def level_proposed(value: str, scheme: RatingScheme, levels: list[RatingLevel]) -> RatingLevel | None:
    """The level of the scheme a tracker's rating most likely means; None when nothing says."""
    level = scheme.level_for(value, levels)
    if level is not None:
        return level
    meaning = _meaning(value)
    if meaning is None:
        return None
    by_code = {lv.code: lv for lv in levels}
    if meaning in by_code:
        return by_code[meaning]
    complete = sorted((lv for lv in levels if lv.is_complete), key=lambda lv: lv.position)
    if meaning == "blue" and complete:
        return complete[-1]  # Blue is done: the scheme's fullest complete level
    if meaning == "amber-e" and complete:
        return complete[0]  # complete, impact still to be evidenced
    if meaning == "complete" and complete:
        return complete[-1]
    if meaning == "grey":
        return scheme.not_started_level(levels)
    coloured = [lv for lv in levels if lv.colour == meaning]
    return coloured[0] if coloured else None


# What a key's words say of an action, checked in this order ("not on track" before "on track").
MEANING_CLASSES = [
    (Progress.NOT_STARTED, r"\bnot (yet )?(started|begun)\b|\bnot due\b"),
    (
        Progress.AT_RISK,
        r"\b(not|off) (on )?track\b|\bnot (yet )?complete|\bincomplete\b|\brisk|\bdelay|\bbehind\b|\bconcern|\bslipp|\bissues?\b",
    ),
    (Progress.COMPLETE, r"\b(complete|completed|done|achieved|delivered|closed|finished)\b"),
    (Progress.ON_TRACK, r"\bon track\b|\bon target\b|\bprogressing\b|\bin progress\b"),
]
# A key's line: a short rating, "=" or a dash, and what it means ("A = on track", "R - not on track").
_KEY_ITEM = re.compile(
    r"(?:^|[,;\n]|\s{2,})\s*([^\s=,;:]{1,12}(?: [^\s=,;:-]{1,10})?)\s*(?:=|-|:)\s*([^,;\n=]{2,60}?)\s*(?=$|[,;\n]|\s{2,})"
)


def meaning_class(text: str) -> str | None:
    """The class (not started, on track, at risk, complete) a key's words give a rating; None when they say none."""
    folded = normalise_phrase(text)
    for progress, pattern in MEANING_CLASSES:
        if re.search(pattern, folded):
            return progress
    return None


def workbook_key(sheets: list[Sheet]) -> dict[str, str]:
    """A workbook's key to its ratings: each "X = meaning" or "X - meaning" on any sheet whose meaning reads as a class."""
    key: dict[str, str] = {}
    for sheet in sheets:
        for _number, cells in sheet.rows:
            for cell in cells:
                if "=" not in cell and "-" not in cell and ":" not in cell:
                    continue
                for value, meaning in _KEY_ITEM.findall(cell.strip()):
                    if meaning_class(meaning) and normalise_phrase(value) not in key:
                        key[normalise_phrase(value)] = meaning.strip()
    return key


def level_meant(value: str, key: dict[str, str], proposed: RatingLevel | None, levels: list[RatingLevel]) -> RatingLevel | None:
    """The level a rating means by the workbook's key: the one proposed when its class agrees, else the first of that class."""
    meaning = key.get(normalise_phrase(value))
    wanted = meaning_class(meaning) if meaning else None
    if wanted is None:
        return proposed
    if proposed is not None and proposed.progress == wanted:
        return proposed
    return next((lv for lv in sorted(levels, key=lambda lv: lv.position) if lv.progress == wanted), None)


def ratings_against_key(layout: Layout, mapping: dict, levels: list[RatingLevel]) -> list[str]:
    """A warning for each rating mapped to a level whose meaning contradicts what the workbook's key says it means."""
    by_code = {lv.code: lv for lv in levels}
    index = columns_of(layout, mapping).get("rating")
    written = {normalise_phrase(v): v for v in layout.distinct_values(index)} if index is not None else {}
    warnings = []
    for folded, code in (mapping.get("ratings") or {}).items():
        value = written.get(normalise_phrase(folded), folded)
        meaning = layout.key.get(normalise_phrase(value))
        wanted = meaning_class(meaning) if meaning else None
        level = by_code.get(code)
        if wanted and level is not None and level.progress != wanted:
            warnings.append(
                f"The workbook's key says '{value}' means '{meaning}' ({Progress(wanted).label.lower()}), "
                f"but it is mapped to {level.label} ({Progress(level.progress).label.lower()})."
            )
    return warnings


def scheme_suggested(values: Iterable[str]) -> str | None:
    """The scheme the ratings in a file suggest: Cheshire East's phrases or Amber E, then Blue for BRAG, then R/A/G."""
    meanings = set()
    for value in values:
        key = normalise_phrase(value)
        if key in CHESHIRE_EAST_MARKERS or _meaning(value) == "amber-e":
            return "cheshire-east"
        meanings.add(_meaning(value))
    if "blue" in meanings:
        return "brag"
    if meanings & {"red", "amber", "green"}:
        return "rag"
    return None


# Applying a mapping --------------------------------------------------------------------------------


@dataclass
class MappedTable:
    """The file as rows in our columns, ready for `plan_read`."""

    table: list[tuple[int, dict[str, str]]]
    refs_made: bool
    headers: dict[str, str]  # our column -> the file's header, for problems people can find


def columns_of(layout: Layout, mapping: dict) -> dict[str, int]:
    """Our column -> the index of the file's column that fills it."""
    wanted = {header_key(k): v for k, v in (mapping.get("columns") or {}).items()}
    found = {}
    for index, key in enumerate(layout.keys()):
        column = wanted.get(key, NOT_IMPORTED)
        if column in COLUMN_LABELS and column not in found:
            found[column] = index
    return found


def mapping_problems(layout: Layout, mapping: dict) -> list[str]:
    """What stops a mapping from reading this layout as a plan, in words for the officer."""
    columns = columns_of(layout, mapping)
    problems = []
    if "action" not in columns:
        problems.append("Choose the column that holds each action's text")
    if not any(c in columns for c in HIERARCHY):
        problems.append("Choose the column that holds the priority or the delivery group")
    return problems


def columns_described(mapping: dict) -> list[tuple[str, str]]:
    """(the file's heading, our column's label) for each column a mapping imports, in the file's order."""
    headers = mapping.get("headers") or list((mapping.get("columns") or {}).keys())
    layout = Layout(sheet="", header_row=0, headers=headers, rows=[], score=0)
    wanted = {header_key(k): v for k, v in (mapping.get("columns") or {}).items()}
    return [
        (header, COLUMN_LABELS[wanted[key]]) for header, key in zip(headers, layout.keys(), strict=True) if wanted.get(key) in COLUMN_LABELS
    ]


def value_counts(layout: Layout, index: int | None) -> dict[str, int]:
    """How many rows hold each (folded) value of a column."""
    counts: dict[str, int] = {}
    if index is not None:
        for _number, cells in layout.rows:
            key = normalise_phrase(cells[index] if index < len(cells) else "")
            if key:
                counts[key] = counts.get(key, 0) + 1
    return counts


def mapped_table(layout: Layout, mapping: dict, levels: list[RatingLevel]) -> MappedTable:
    """The layout's rows in our columns, by the mapping.

    A blank priority or group carries down from the row above (trackers merge
    those cells, or write them once on a heading row of their own); a missing
    one of the two takes the other's name; ratings are
    put as the level the mapping chose; without a ref column each action's ref
    is made from the order of the plan: 1.1, 1.2 ... in the first priority.
    """
    columns = columns_of(layout, mapping)
    ratings = {normalise_phrase(k): v for k, v in (mapping.get("ratings") or {}).items()}
    codes = {lv.code for lv in levels}
    refs_made = "ref" not in columns
    priority_numbers: dict[str, int] = {}
    counts: dict[str, int] = {}
    above = {"priority": "", "delivery_group": "", "sub_group": ""}
    table: list[tuple[int, dict[str, str]]] = []
    for number, cells in layout.rows:
        row = {column: (cells[index] if index < len(cells) else "") for column, index in columns.items()}
        if not any(v.strip() for v in row.values()):
            continue  # only columns that are not imported: a title, a key or a subtotal
        _carried_down(row, columns, above)
        if not any(v.strip() for c, v in row.items() if c not in above):
            continue  # a heading row ("Priority 2: Preparing for adulthood"): it names the rows below it
        row.setdefault("priority", row.get("delivery_group", ""))
        row.setdefault("delivery_group", row.get("priority", ""))
        rating = normalise_phrase(row.get("rating", ""))
        if rating and ratings.get(rating) in codes:
            row["rating"] = ratings[rating]
        if refs_made:
            _ref_made(row, priority_numbers, counts)
        table.append((number, row))
    headers = {column: layout.headers[index] for column, index in columns.items()}
    header = {c: c for c in ["priority", "delivery_group", "sub_group", "ref", "action", "owner", "due", "rating", "notes", "progress"]}
    return MappedTable(table=[(0, header)] + table, refs_made=refs_made, headers=headers)


def _carried_down(row: dict[str, str], columns: dict[str, int], above: dict[str, str]) -> None:
    """Fill a row's blank priority, group and sub-group from the rows above, and remember what it names for the rows below."""
    continues_group = not row.get("delivery_group", "").strip()
    for column in ("priority", "delivery_group"):
        if column not in columns:
            continue
        if row[column].strip():
            if row[column].strip() != above[column]:
                # A new priority starts without the previous one's group; a new group without its sub-group.
                above.update({"delivery_group": "", "sub_group": ""} if column == "priority" else {"sub_group": ""})
            above[column] = row[column].strip()
        else:
            row[column] = above[column]
    if "sub_group" in columns:
        if row["sub_group"].strip():
            above["sub_group"] = row["sub_group"].strip()
        elif continues_group:
            row["sub_group"] = above["sub_group"]
        else:
            above["sub_group"] = ""


def _ref_made(row: dict[str, str], priority_numbers: dict[str, int], counts: dict[str, int]) -> None:
    """A ref from the plan's order: 1.1, 1.2 ... in the first priority, 2.1 ... in the second."""
    priority = row["priority"].strip()
    if priority:
        priority_numbers.setdefault(priority, len(priority_numbers) + 1)
        counts[priority] = counts.get(priority, 0) + 1
        row["ref"] = f"{priority_numbers[priority]}.{counts[priority]}"


def mapping_proposed(layout: Layout, scheme: RatingScheme, levels: list[RatingLevel]) -> dict:
    """The mapping to offer an officer: columns from the header words, ratings from the values found."""
    columns = dict(zip(layout.keys(), propose_columns(layout.headers), strict=True))
    mapping = {"sheet": layout.sheet, "columns": columns, "ratings": {}, "scheme": scheme.code}
    mapping["ratings"] = ratings_proposed(layout, mapping, scheme, levels)
    return mapping


def ratings_proposed(layout: Layout, mapping: dict, scheme: RatingScheme, levels: list[RatingLevel]) -> dict[str, str]:
    """A level code (or "") for each distinct rating in the mapping's rating column."""
    index = columns_of(layout, mapping).get("rating")
    if index is None:
        return {}
    known = {normalise_phrase(k): v for k, v in (mapping.get("ratings") or {}).items()}
    codes = {lv.code for lv in levels}
    proposed = {}
    for value in layout.distinct_values(index):
        key = normalise_phrase(value)
        if known.get(key) in codes:
            proposed[key] = known[key]
        else:
            # The workbook's key says what a letter means: propose by that meaning, never by the letter alone.
            level = level_meant(value, layout.key, level_proposed(value, scheme, levels), levels)
            proposed[key] = level.code if level else ""
    return proposed


def ratings_unmapped(layout: Layout, mapping: dict, levels: list[RatingLevel]) -> list[str]:
    """The ratings found in the file that the mapping gives no level of the scheme."""
    index = columns_of(layout, mapping).get("rating")
    if index is None:
        return []
    ratings = {normalise_phrase(k): v for k, v in (mapping.get("ratings") or {}).items()}
    codes = {lv.code for lv in levels}
    return [v for v in layout.distinct_values(index) if ratings.get(normalise_phrase(v)) not in codes]


def tracker_read(content: bytes, filename: str, strategy: Strategy, mapping: dict) -> PlanChanges:
    """What importing an officer's tracker would do, read through the mapping."""
    scheme = scheme_for(strategy, mapping)
    changes = PlanChanges(strategy=strategy, filename=filename, scheme=scheme)
    try:
        layout = layout_chosen(layouts_read(content, filename), mapping.get("sheet"))
    except ImportFileError as exc:
        changes.problems.append(RowProblem(row=0, column="", value="", message=str(exc)))
        return changes
    for message in mapping_problems(layout, mapping):
        changes.problems.append(RowProblem(row=layout.header_row, column="", value="", message=message))
    if changes.problems:
        return changes
    levels = list(scheme.levels.all())
    mapped = mapped_table(layout, mapping, levels)
    changes.refs_made = mapped.refs_made
    changes.warnings = ratings_against_key(layout, mapping, levels)
    changes.warnings += fill_warnings(layout, mapping)
    plan_from_table(changes, mapped.table)
    # Problems name the file's own headers, which is where the officer will look.
    changes.problems = [
        replace(p, column=mapped.headers.get(p.column, "ref (made from the plan's order)" if p.column == "ref" else p.column))
        for p in changes.problems
    ]
    return changes


def fill_warnings(layout: Layout, mapping: dict) -> list[str]:
    """What the preview says of ratings read from a cell's fill colour: how many, on which rows, and what those cells said."""
    index = columns_of(layout, mapping).get("rating")
    coloured = [n for n, cells in layout.rows if index is not None and cells[index].endswith(FILL_SUFFIX)]
    if not coloured:
        return []
    shown = ", ".join(str(n) for n in coloured[:12]) + (" …" if len(coloured) > 12 else "")
    warnings = [
        f"{len(coloured)} rating{'s were' if len(coloured) != 1 else ' was'} read from the cell's fill colour, "
        f"not its text (row{'s' if len(coloured) != 1 else ''} {shown}): check each colour's level in the mapping."
    ]
    said = [(n, layout.from_fill[n]) for n in coloured if layout.from_fill.get(n)]
    if said:
        words = "; ".join(f"row {n}: “{text if len(text) <= 40 else text[:37] + '...'}”" for n, text in said[:8])
        more = f" and {len(said) - 8} more" if len(said) > 8 else ""
        warnings.append(f"These rating cells hold no rating in their text, so their colour was read: {words}{more}.")
    return warnings


def plan_file_read(content: bytes, filename: str, strategy: Strategy, mapping: dict) -> PlanChanges:
    """Read an upload again as it was read before: through its mapping, or in the import format when it has none."""
    return tracker_read(content, filename, strategy, mapping) if mapping else plan_read(content, filename, strategy)


def scheme_for(strategy: Strategy, mapping: dict) -> RatingScheme:
    """The scheme a mapped file is read in: the strategy's, or for a strategy with no actions yet the mapping's."""
    wanted = mapping.get("scheme")
    if not isinstance(wanted, str) or "\x00" in wanted:
        return strategy.scheme  # not a scheme's code: nothing to look up
    if wanted and wanted != strategy.scheme.code and not strategy.actions.exists():
        return RatingScheme.objects.available_to(strategy.partnership_id).filter(code=wanted).first() or strategy.scheme
    return strategy.scheme


def mapping_saved(strategy: Strategy, layout: Layout) -> dict | None:
    """The mapping last used for this layout in this strategy: a saved one, else the one on its latest upload."""
    saved = ImportMapping.objects.filter(strategy=strategy, layout=layout.signature).order_by("-saved_at").first()
    if saved is not None:
        return saved.mapping
    earlier = (
        PlanImport.objects.filter(strategy=strategy, layout=layout.signature)
        .exclude(mapping={})
        .exclude(status=PlanImport.Status.MAPPING)
        .order_by("-uploaded_at", "-id")
        .first()
    )
    return earlier.mapping if earlier is not None else None


@dataclass
class UploadReading:
    """What an upload needs next: the preview (`changes`), or the officer's mapping (`changes` is None)."""

    mapping: dict
    layout: list[str]
    changes: PlanChanges | None


def plan_upload_read(content: bytes, filename: str, strategy: Strategy) -> UploadReading:
    """Read an uploaded plan as far as it can go without the officer.

    A file in the import format, or one laid out like a tracker this strategy
    has a mapping for (with every rating in it mapped), goes to the preview;
    any other gets a proposed mapping to confirm.
    """
    try:
        layouts = layouts_read(content, filename)
    except NoPlanSheetError as exc:
        # The import format with a column missing is reported column by column; a file naming none of its
        # columns is no plan we can read, a tracker or ours, and is refused once, saying what would make it one.
        if exc.names_import_columns:
            return UploadReading(mapping={}, layout=[], changes=plan_read(content, filename, strategy))
        return UploadReading(mapping={}, layout=[], changes=plan_refused(strategy, filename, exc))
    except ImportFileError as exc:
        # Not readable at all (a limit passed, not a workbook ...): said once, not read a second time.
        return UploadReading(mapping={}, layout=[], changes=plan_refused(strategy, filename, exc))
    if is_import_format(layouts[0]):
        return UploadReading(mapping={}, layout=[], changes=plan_read(content, filename, strategy))
    for layout in layouts:
        saved = mapping_saved(strategy, layout)
        if saved is None:
            continue
        mapping = {**saved, "sheet": layout.sheet, "headers": layout.headers}
        levels = list(scheme_for(strategy, mapping).levels.all())
        if not mapping_problems(layout, mapping) and not ratings_unmapped(layout, mapping, levels):
            return UploadReading(mapping=mapping, layout=layout.signature, changes=tracker_read(content, filename, strategy, mapping))
    layout = layout_chosen(layouts, None)
    return UploadReading(mapping=mapping_offered(layout, strategy), layout=layout.signature, changes=None)


def mapping_offered(layout: Layout, strategy: Strategy, scheme_code: str | None = None) -> dict:
    """The mapping to propose for a layout: the scheme named, or suggested by the ratings when the strategy is empty."""
    # A column with nothing in it is offered as not imported: importing it would blank what the plan holds.
    proposal = [column if layout.samples(index, 1) else NOT_IMPORTED for index, column in enumerate(propose_columns(layout.headers))]
    mapping = {"sheet": layout.sheet, "headers": layout.headers, "columns": dict(zip(layout.keys(), proposal, strict=True))}
    if scheme_code is None:
        index = columns_of(layout, mapping).get("rating")
        scheme_code = scheme_suggested(layout.distinct_values(index)) if index is not None else None
    mapping["scheme"] = scheme_code or strategy.scheme.code
    scheme = scheme_for(strategy, mapping)
    mapping["scheme"] = scheme.code
    mapping["ratings"] = ratings_proposed(layout, mapping, scheme, list(scheme.levels.all()))
    mapping["name"] = layout.sheet[:100]
    return mapping


def mapping_file_read(path) -> dict:
    """A mapping written as JSON (the shape in this module's docstring). Raises ImportFileError saying what is wrong."""
    import json

    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ImportFileError(f"The mapping file {path.name} could not be read as JSON: {exc}") from None
    if not isinstance(mapping, dict) or not isinstance(mapping.get("columns"), dict):
        raise ImportFileError(f'The mapping file {path.name} needs "columns": the file\'s headings and the column of ours each fills.')
    unknown = sorted({str(c) for c in mapping["columns"].values()} - set(COLUMN_LABELS) - {NOT_IMPORTED})
    if unknown:
        known = ", ".join(COLUMN_LABELS)
        raise ImportFileError(f"The mapping file {path.name} names columns we do not have: {', '.join(unknown)} (ours: {known}).")
    return mapping


def ratings_found(content: bytes, filename: str, mapping: dict | None) -> list[str]:
    """The distinct ratings in a file: from its rating column, as the mapping (or our own format, or the proposal) reads it."""
    try:
        layouts = layouts_read(content, filename)
    except ImportFileError:
        return []
    if mapping is None and is_import_format(layouts[0]):
        layout = layouts[0]
        index = next((i for i, h in enumerate(layout.headers) if normalise_phrase(h) == "rating"), None)
    else:
        layout = layout_chosen(layouts, (mapping or {}).get("sheet"))
        if mapping is None:
            mapping = {"columns": dict(zip(layout.keys(), propose_columns(layout.headers), strict=True))}
        index = columns_of(layout, mapping).get("rating")
    return layout.distinct_values(index) if index is not None else []


def command_mapping(content: bytes, filename: str, strategy: Strategy, mapping: dict | None) -> tuple[dict, Layout | None]:
    """The mapping the command line reads a file with ({} for the import format), and the layout it reads.

    Named or given in a file, it is used as it is, its unlisted ratings
    proposed; otherwise a mapping saved for the layout, else the proposal.
    """
    try:
        layouts = layouts_read(content, filename)
    except ImportFileError:
        return {}, None
    if mapping is None:
        if is_import_format(layouts[0]):
            return {}, None
        for layout in layouts:
            saved = mapping_saved(strategy, layout)
            if saved is not None:
                mapping = {**saved, "sheet": layout.sheet}
                break
        else:
            layout = layout_chosen(layouts, None)
            mapping = mapping_offered(layout, strategy, strategy.scheme.code)
    layout = layout_chosen(layouts, mapping.get("sheet"))
    mapping = {**mapping, "sheet": layout.sheet, "headers": layout.headers, "scheme": mapping.get("scheme") or strategy.scheme.code}
    scheme = scheme_for(strategy, mapping)
    mapping["ratings"] = ratings_proposed(layout, mapping, scheme, list(scheme.levels.all()))
    return mapping, layout
