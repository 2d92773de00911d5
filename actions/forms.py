"""Forms for the things delivery leads change in the browser."""

from __future__ import annotations

import codecs
import functools
import operator
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db.models import Q
from django.template.defaultfilters import filesizeformat

from actions.models import (
    Action,
    DueDateError,
    EmailPreference,
    Progress,
    RatingLevel,
    due_example,
    normalise_phrase,
    parse_due,
    refs_listed,
)
from people.models import Partnership
from send_tracker.forms import WholeNumberInput

MAX_LINKS = 10
MAX_FILES = 5
NARRATIVE_MAX_LENGTH = 10_000


@dataclass(frozen=True)
class FileType:
    content_type: str
    description: str


# The evidence types people attach to updates. The content type sent back on
# download comes from here, never from what the uploader's browser claimed.
EVIDENCE_TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", "PDF"),
    ".docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel spreadsheet"),
    ".pptx": FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint presentation"),
    ".png": FileType("image/png", "PNG image"),
    ".jpg": FileType("image/jpeg", "JPEG image"),
    ".jpeg": FileType("image/jpeg", "JPEG image"),
    ".csv": FileType("text/csv", "CSV file"),
    ".txt": FileType("text/plain", "text file"),
}
OFFICE_FOLDERS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
ALLOWED_TYPES_TEXT = "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), PNG, JPG, CSV or TXT"


def content_matches_extension(upload: UploadedFile, suffix: str) -> bool:
    """Whether the file's first bytes are what its extension says: a renamed program is refused."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if suffix == ".pdf":
        return head.startswith(b"%PDF-")
    if suffix == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if suffix in OFFICE_FOLDERS:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return False
        finally:
            upload.seek(0)
        return "[Content_Types].xml" in names and any(name.startswith(OFFICE_FOLDERS[suffix]) for name in names)
    if suffix in (".csv", ".txt"):
        if b"\x00" in head:
            return False
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            try:
                head.decode("cp1252")  # Excel on Windows saves CSV this way
            except UnicodeDecodeError:
                return False
        return True
    return False


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise ValidationError(f"Attach up to {MAX_FILES} files at a time")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ActionUpdateForm(forms.Form):
    """Rating, narrative and evidence: the only things a delivery lead changes here.

    `version` is the action's version when the form was loaded; the service
    compares it under a row lock so a stale submit becomes a conflict.
    """

    # A narrative is asked for when the rating changes or is at risk (clean): its label does not say "(optional)".
    not_marked_optional = ("narrative",)

    rating = forms.TypedChoiceField(
        coerce=int, error_messages={"required": "Select a rating", "invalid_choice": "Select a rating from the list"}
    )
    narrative = forms.CharField(
        required=False,
        help_text="Required when the rating changes, and whenever the rating is a risk such as Red.",
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": f"Progress narrative must be {NARRATIVE_MAX_LENGTH:,} characters or fewer"},
    )
    links = forms.CharField(
        required=False,
        max_length=MAX_LINKS * 2100,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Links are too long: add up to 10 web addresses, one on each line"},
    )
    files = MultipleFileField(required=False)
    version = forms.IntegerField(
        min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput, error_messages={"required": "Reload the page and try again"}
    )

    def __init__(self, *args, levels: list[RatingLevel], current: RatingLevel, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.levels = {level.pk: level for level in levels}
        self.current = current
        self.fields["rating"].choices = [(level.pk, level.label) for level in levels]

    def clean_rating(self) -> RatingLevel:
        return self.levels[self.cleaned_data["rating"]]

    def clean_narrative(self) -> str:
        return self.cleaned_data["narrative"].strip()

    def clean_links(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        if len(lines) > MAX_LINKS:
            raise ValidationError(f"Add up to {MAX_LINKS} links, one on each line")
        validate = URLValidator(schemes=["http", "https"])
        for line in lines:
            try:
                validate(line)
            except ValidationError:
                raise ValidationError("Enter each link as a full web address starting with https:// or http://, one on each line") from None
        return list(dict.fromkeys(lines))

    def clean_files(self) -> list[UploadedFile]:
        files = self.cleaned_data["files"] or []
        for upload in files:
            name = Path(upload.name or "").name
            suffix = Path(name).suffix.lower()
            if suffix not in EVIDENCE_TYPES:
                raise ValidationError(f"{name} must be a {ALLOWED_TYPES_TEXT}")
            if upload.size > settings.EVIDENCE_MAX_BYTES:
                raise ValidationError(f"{name} must be smaller than {filesizeformat(settings.EVIDENCE_MAX_BYTES)}")
            if upload.size == 0:
                raise ValidationError(f"{name} is empty")
            if not content_matches_extension(upload, suffix):
                raise ValidationError(f"{name} is not a real {EVIDENCE_TYPES[suffix].description}: check the file and try again")
        return files

    def clean(self):
        data = super().clean()
        rating, narrative = data.get("rating"), data.get("narrative")
        if rating is not None and "narrative" in data and not narrative:
            if rating.is_risk:
                self.add_error("narrative", f"Say what is being done to bring this action back on track: it is rated {rating.label}")
            elif rating.pk != self.current.pk:
                self.add_error("narrative", f"Say why the rating is changing from {self.current.label} to {rating.label}")
        return data


def evidence_file_type(name: str) -> FileType:
    return EVIDENCE_TYPES[Path(name).suffix.lower()]


PLAN_SUFFIXES = (".csv", ".xlsx")


class PlanImportForm(forms.Form):
    """An updated plan to import: a CSV (UTF-8) or XLSX file in the import format."""

    file = forms.FileField(
        label="Upload the plan",
        help_text="A CSV (UTF-8) or Excel (.xlsx) file with one row per action: in the import format, or your own tracker.",
        error_messages={"required": "Select a CSV or Excel file to upload", "empty": "The selected file is empty"},
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(PLAN_SUFFIXES):
            raise ValidationError("The file must be a CSV or an Excel (.xlsx) file")
        if upload.size > settings.PLAN_IMPORT_MAX_BYTES:
            raise ValidationError(f"The file must be smaller than {settings.PLAN_IMPORT_MAX_BYTES // (1024 * 1024)} MB")
        if upload.size == 0:
            raise ValidationError("The selected file is empty")
        return upload


def _level_meant(level: RatingLevel) -> str:
    """A level with what it means ("Green – on track"); once where its label says it ("Complete")."""
    meaning = Progress(level.progress).label.lower()
    return level.label if level.label.lower() == meaning else f"{level.label} – {meaning}"


class TrackerMappingForm(forms.Form):
    """How an officer's own tracker reads as a plan: one choice per column of the file, one level per rating found.

    Built for one layout (`actions.trackers.Layout`), our columns (code -> label),
    the levels of the scheme its ratings are read in, and `check`, the rule
    that says what a mapping lacks (`actions.trackers.mapping_problems`); beside each rating, what the
    workbook's `key` says it means and whether it was read `from_fill` (a cell's colour);
    `mapping()` gives the mapping to keep.
    """

    name = forms.CharField(
        label="Name this layout",
        max_length=100,
        help_text="Kept for this strategy when you import, so the next file laid out like this one goes straight to the check.",
        error_messages={"required": "Enter a name for this layout", "max_length": "The name must be 100 characters or fewer"},
    )

    def __init__(
        self,
        *args,
        layout,
        columns: dict[str, str],
        check,
        levels: list[RatingLevel],
        rating_values: list[str],
        rating_counts: dict[str, int],
        key: dict[str, str] | None = None,
        from_fill: set[str] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.layout, self.columns, self.check = layout, columns, check
        choices = [("", "Not imported")] + list(columns.items())
        self.column_fields = []
        for index, header in enumerate(layout.headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or f"Column {index + 1} (no heading)",
                choices=choices,
                required=False,
                error_messages={"invalid_choice": "Choose one of our columns, or Not imported"},
            )
            self.fields[name].samples = layout.samples(index)
            self.column_fields.append(self[name])
        self.rating_values = rating_values
        self.rating_fields = []
        # Each level with what it means, so a value is chosen by meaning, not by a colour's name.
        level_choices = [("", "Choose a level")] + [(level.code, _level_meant(level)) for level in levels]
        for position, value in enumerate(rating_values):
            name = f"rating_{position}"
            self.fields[name] = forms.ChoiceField(
                label=value,
                choices=level_choices,
                error_messages={"required": f"Choose the level that '{value}' means", "invalid_choice": "Choose a level from the list"},
            )
            self.fields[name].count = rating_counts.get(normalise_phrase(value), 0)
            self.fields[name].key_says = (key or {}).get(normalise_phrase(value), "")
            self.fields[name].from_fill = value in (from_fill or set())
            self.rating_fields.append(self[name])
        self.order_fields([*(f.name for f in self.column_fields), *(f.name for f in self.rating_fields), "name"])

    def clean(self):
        data = super().clean()
        chosen: dict[str, str] = {}
        for index, header in enumerate(self.layout.headers):
            column = data.get(f"column_{index}")
            if not column:
                continue
            if column in chosen:
                self.add_error(
                    f"column_{index}", f"{self.columns[column]} is already chosen for '{chosen[column]}': choose it for one column only"
                )
            else:
                chosen[column] = header or f"column {index + 1}"
        columns = {key: data.get(f"column_{index}", "") for index, key in enumerate(self.layout.keys())}
        for message in self.check(self.layout, {"columns": columns}):
            self.add_error("column_0", message)
        return data

    def rating_column(self) -> int | None:
        """The index of the column chosen as the rating (from the submitted data, valid or not)."""
        for index in range(len(self.layout.headers)):
            if self.data.get(f"column_{index}") == "rating":
                return index
        return None

    def mapping(self, *, sheet: str, scheme: str) -> dict:
        columns = {key: self.cleaned_data[f"column_{index}"] for index, key in enumerate(self.layout.keys())}
        ratings = {normalise_phrase(value): self.cleaned_data[f"rating_{i}"] for i, value in enumerate(self.rating_values)}
        return {
            "name": self.cleaned_data["name"].strip(),
            "sheet": sheet,
            "scheme": scheme,
            "headers": self.layout.headers,
            "columns": columns,
            "ratings": ratings,
        }


class EmailPreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label="How often do you want an email?",
        choices=EmailPreference.Frequency.choices,
        widget=forms.RadioSelect,
        help_text="Repeat reminders and escalations of overdue actions still come on the day, whatever you choose.",
        error_messages={"required": "Choose how often you want an email", "invalid_choice": "Choose how often you want an email"},
    )


class ChasingScheduleForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = ["chase_every_days", "escalate_to_lead_after", "escalate_to_officer_after"]
        labels = {
            "chase_every_days": "Remind the owners of an overdue action again every (days)",
            "escalate_to_lead_after": "Tell the delivery group's lead as well after this many reminders",
            "escalate_to_officer_after": "Tell the programme officers as well after this many reminders",
        }
        widgets = {name: WholeNumberInput for name in ("chase_every_days", "escalate_to_lead_after", "escalate_to_officer_after")}
        error_messages = {
            name: {
                "required": "Enter a whole number of 0 or more",
                "invalid": "Enter a whole number of 0 or more",
                "min_value": "Enter a whole number of 0 or more",
                "max_value": "Enter a smaller whole number",
            }
            for name in ("chase_every_days", "escalate_to_lead_after", "escalate_to_officer_after")
        }

    def clean(self) -> dict:
        data = super().clean()
        every = data.get("chase_every_days")
        if every is not None and every > 365:
            self.add_error("chase_every_days", "Remind at least once a year: enter 365 days or fewer")
        lead, officer = data.get("escalate_to_lead_after"), data.get("escalate_to_officer_after")
        if lead is not None and officer is not None and officer < lead:
            self.add_error("escalate_to_officer_after", "Tell the programme officers no sooner than the delivery group's lead")
        return data


class ActionRefsField(forms.CharField):
    """Actions of one strategy typed by their refs, separated by commas or spaces ("EHC-B1, EHC-C1" or "1.1 1.2"); cleans to
    a list of live actions.

    Set `strategy_id` before the form is cleaned. Refs are matched whatever their case.
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "The refs of the plan's actions, separated by commas or spaces, for example EHC-B1, EHC-C1")
        super().__init__(**kwargs)
        self.strategy_id: int | None = None

    def clean(self, value):
        text = super().clean(value) or ""
        refs = refs_listed(text)
        if not refs:
            return []
        typed = functools.reduce(operator.or_, (Q(ref__iexact=ref) for ref in refs))
        everything = {a.ref.casefold(): a for a in Action.objects.filter(typed, strategy_id=self.strategy_id)}
        missing = [ref for ref in refs if ref.casefold() not in everything]
        if missing:
            listed = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise ValidationError(f"There is no action with the ref {listed} in this plan")
        return list({ref.casefold(): everything[ref.casefold()] for ref in refs}.values())

    @staticmethod
    def initial_for(actions) -> str:
        return ", ".join(sorted(action.ref for action in actions))


class MilestoneForm(forms.Form):
    title = forms.CharField(
        label="Step", max_length=300, error_messages={"required": "Enter what the step is, such as 'Phase 1: pilot in two localities'"}
    )
    due = forms.CharField(
        label="Due by",
        max_length=40,
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due"].help_text = f"A month such as '{due_example()[0]}', or leave empty if it is not yet set."

    def clean_due(self):
        text = self.cleaned_data["due"].strip()
        if not text:
            return None
        try:
            due_date, _precision = parse_due(text)
        except DueDateError as error:
            raise ValidationError(str(error)) from None
        return due_date
