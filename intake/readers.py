"""The reader protocol and the registry every source of uploads registers with.

A source (a plan file, KPI values, an open-data file, deliverables ...) is one
`Reader` in its domain app, registered by name:

    @register
    class DeliverablesReader(Reader):
        name = "deliverables"
        title = "Import deliverables"
        ...
        def read(self, content, filename, strategy): ...   # what would change; writes nothing
        def apply(self, changes, *, user, strategy, upload, choices): ...  # writes it, in the caller's transaction

The upload pages, the keep -> preview -> confirm service and the management
commands then serve it with no more code: the pipeline never imports a domain
app, the domain apps import the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.urls import reverse

from intake.tables import RowProblem


class Changes(Protocol):
    """What a reader found in a file: its problems, and what applying it would do."""

    problems: list[RowProblem]

    @property
    def ok(self) -> bool: ...

    def summary(self) -> dict: ...


@dataclass
class Applied:
    """What applying a file did: the message the person sees, the summary kept with the upload, the security log's facts."""

    message: str
    summary: dict
    logged: dict = field(default_factory=dict)


@dataclass
class Checked:
    """A file as read: the problems found in it (none: it may be applied), and the counts of what applying would do."""

    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary_with(self, **shown) -> dict:
        """The summary kept with the upload and shown in its preview: what the reader gives, and the problems."""
        return {**shown, "problems": [problem_dict(p) for p in self.problems]}


@dataclass
class Found(Checked):
    """Changes of a reader that has no type of its own: problems, and the summary the preview shows."""

    shown: dict = field(default_factory=dict)
    plan: Any = None  # what `apply` writes; never shown

    def summary(self) -> dict:
        return self.summary_with(**self.shown)


def problem_dict(problem: RowProblem) -> dict:
    return {"row": problem.row, "column": problem.column, "value": problem.value, "message": problem.message}


class Reader:
    """One source of uploads. Subclasses set the names below and write `apply`, and `read` unless `reads` does it."""

    name: ClassVar[str]  # in URLs and commands: "kpi-values"
    title: ClassVar[str]  # the upload page's title and the link back to it: "Upload KPI values"
    heading: ClassVar[str] = ""  # the upload page's heading, when longer than its title
    what: ClassVar[str] = "file"  # what the file holds, for messages: "plan", "KPI values"
    done_verb: ClassVar[str] = "imported"  # "This file has already been imported"
    form_class: ClassVar[Any] = None  # the upload form; None: intake.forms.UploadForm
    record: ClassVar[Any] = None  # the Upload model that keeps the file; None: the strategy's generic upload table
    form_label: ClassVar[str] = "Upload the file"
    form_hint: ClassVar[str] = "A CSV (UTF-8) or Excel (.xlsx) file with a header row."
    accept: ClassVar[tuple[str, ...]] = (".csv", ".xlsx")
    max_bytes_setting: ClassVar[str] = "PLAN_IMPORT_MAX_BYTES"
    officer_does: ClassVar[str] = "import files"  # the refusal for other roles: "Only programme officers can ..."
    preview_heading: ClassVar[str] = "Check what will change"
    applied_heading: ClassVar[str] = "Imported"
    confirm_label: ClassVar[str] = "Import these changes"
    changes_template: ClassVar[str] = "intake/preview.html#summary"  # the preview's own part: what will change
    intro_template: ClassVar[str] = ""  # the upload page's own words, if any
    notes_template: ClassVar[str] = ""  # the preview's notes above the problems or changes, if any
    problems_help_template: ClassVar[str] = ""  # below the problems: where to put them right, if anywhere
    confirm_fields_template: ClassVar[str] = ""  # the confirm form's own fields (choices passed to `apply`), if any
    conflict: ClassVar[str] = "Someone else changed the same figures at the same moment: upload the file again to see what is left."
    event: ClassVar[str] = ""  # the security log's event when applied
    # URL names; the generic ones take the reader's name as `source`.
    upload_url_name: ClassVar[str] = "actions:upload"
    upload_post_url_name: ClassVar[str] = ""  # where the upload form posts, when not to its own page
    preview_url_name: ClassVar[str] = "actions:upload_preview"
    confirm_url_name: ClassVar[str] = "actions:upload_confirm"
    done_url_name: ClassVar[str] = "actions:strategy_detail"
    done_label: ClassVar[str] = ""  # the page it comes back to, linked above the upload pages, if any: "KPI scorecard"
    # The domain's own reading of a file, (content, filename, strategy) -> Changes, when the upload itself is not needed.
    reads: ClassVar[Callable[[bytes, str, Any], Changes] | None] = None

    def read(self, content: bytes, filename: str, strategy: Any, *, upload: Any = None) -> Changes:
        """What applying the file would change, with every problem by row; writes nothing."""
        if self.reads is None:
            raise NotImplementedError
        return self.reads(content, filename, strategy)

    def apply(self, changes: Changes, *, user: Any, strategy: Any, upload: Any, choices: dict) -> Applied:
        """Write what `read` found, inside the caller's transaction. `choices` are the preview form's fields."""
        raise NotImplementedError

    def first_read(self, content: bytes, filename: str, strategy: Any) -> tuple[Changes | None, dict]:
        """The reading of a file as uploaded, and the fields its record keeps beside the summary.

        None for the changes: the file cannot be read until the officer has said
        how (a tracker's columns), and it waits in MAPPING.
        """
        changes = self.read(content, filename, strategy)
        return changes, self.keep_fields(changes)

    def keep_fields(self, changes: Changes) -> dict:
        """Fields the upload record keeps beside its summary (a reader with its own table may add some)."""
        return {} if self.record else {"source": self.name}

    @property
    def max_bytes(self) -> int:
        return getattr(settings, self.max_bytes_setting)

    def _kwargs(self, name: str) -> dict:
        return {"source": self.name} if name in GENERIC_URL_NAMES else {}

    def upload_url(self, strategy: Any) -> str:
        return reverse(self.upload_url_name, kwargs={"strategy_id": strategy.pk, **self._kwargs(self.upload_url_name)})

    def upload_post_url(self, strategy: Any) -> str:
        name = self.upload_post_url_name or self.upload_url_name
        return reverse(name, kwargs={"strategy_id": strategy.pk, **self._kwargs(name)})

    def preview_url(self, upload: Any) -> str:
        return reverse(self.preview_url_name, kwargs={"import_id": upload.pk, **self._kwargs(self.preview_url_name)})

    def next_url(self, upload: Any) -> str:
        """Where the officer goes once a file is kept: its preview, unless the reader asks something first."""
        return self.preview_url(upload)

    def preview_context(self, upload: Any) -> dict:
        """What the reader's own preview templates need beside the upload and its summary."""
        return {}

    def confirm_url(self, upload: Any) -> str:
        return reverse(self.confirm_url_name, kwargs={"import_id": upload.pk, **self._kwargs(self.confirm_url_name)})

    def done_url(self, strategy: Any) -> str:
        return reverse(self.done_url_name, kwargs={"strategy_id": strategy.pk})

    def title_for(self, strategy: Any) -> str:
        """The upload page's title for this strategy, and the link back to it from the preview."""
        return self.title

    def breadcrumbs(self, strategy: Any) -> list[tuple[str, str]]:
        """The links above the upload and preview pages between the strategy's and the upload's own, as (label, URL):
        the page the upload comes back to, when it is named."""
        return [(self.done_label, self.done_url(strategy))] if self.done_label else []


GENERIC_URL_NAMES = {"actions:upload", "actions:upload_preview", "actions:upload_confirm"}
_readers: dict[str, Reader] = {}
# Modules whose readers register as they load, loaded at the first look-up rather than as every process starts.
_reader_modules: list[str] = []


def reader_module_register(module: str) -> None:
    """Name a module of readers (from an AppConfig.ready): it is loaded, and its readers registered, when one is first asked for."""
    if module not in _reader_modules:
        _reader_modules.append(module)


def _registered() -> dict[str, Reader]:
    for module in _reader_modules:
        import_module(module)  # once loaded, a look-up in sys.modules
    return _readers


def register(reader_class: type[Reader]) -> type[Reader]:
    """Make a source available to the upload pages and commands under its name (a class decorator)."""
    reader = reader_class()
    if reader.name in _readers and type(_readers[reader.name]) is not reader_class:
        raise ValueError(f"Two readers are registered as '{reader.name}'.")
    _readers[reader.name] = reader
    return reader_class


def unregister(name: str) -> None:
    _readers.pop(name, None)


def reader_named(name: str) -> Reader:
    """The registered reader of this name; LookupError when there is none."""
    try:
        return _registered()[name]
    except KeyError:
        raise LookupError(f"No source of uploads is called '{name}'.") from None


def readers() -> list[Reader]:
    return sorted(_registered().values(), key=lambda reader: reader.name)
