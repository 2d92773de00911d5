"""A partnership's change log: every recorded change, from every app's history, in one list.

Nothing is copied: each source is the history table its app already keeps
(action updates and plan changes, people and post changes, meetings'
decisions and actions arising, sign-off events, publications of the public
page, imports applied, snapshots taken, and edits made in the admin as
pghistory recorded them, risk scores, risks closed and reopened, and the high-needs budget's mitigations and
actual figures). Each source is read as `values()` with the same
columns and the sources are joined with one UNION ALL, newest first, so a page
of the log is one query however long the history is.

Pages are keyset-paginated on (when, source, id): the next page starts after
the last entry shown, so an entry added meanwhile never shifts the pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, DateTimeField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Right
from django.urls import reverse
from django.utils import timezone

from accounts.history import history_user_id
from actions.models import ActionChange, ActionUpdate, DeliveryGroup, PlanImport, Snapshot, action_url
from coproduction.models import Publication
from finance.models import FinanceActual
from finance.money import money_full
from governance.models import ActionArising, Decision, SignOff, SignOffEvent
from intake.tables import cell_escape
from kpis.models import BenchmarkImport, KpiValueImport
from people.models import Membership, Partnership, PersonChange
from risks.models import RiskEvent, RiskScore
from risks.reads import closing_events
from send_tracker.forms import FilterForm
from send_tracker.statements import kept_rows

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000


class Kind:
    """What an entry is about: the log's "what" filter."""

    UPDATE = "update"
    PLAN = "plan"
    REDATE = "redate"
    RETIREMENT = "retirement"
    PEOPLE = "people"
    POST = "post"
    MEETING = "meeting"
    SIGN_OFF = "sign_off"
    PUBLICATION = "publication"
    IMPORT = "import"
    SNAPSHOT = "snapshot"
    RISK = "risk"
    FINANCE = "finance"
    ADMIN = "admin"

    CHOICES = [
        (UPDATE, "Rating and progress updates"),
        (PLAN, "Changes to the plan"),
        (REDATE, "Revised due dates"),
        (RETIREMENT, "Retired actions"),
        (PEOPLE, "People"),
        (POST, "Posts"),
        (MEETING, "Meetings: decisions and actions arising"),
        (SIGN_OFF, "Sign-offs"),
        (PUBLICATION, "Public page publications"),
        (IMPORT, "Imports"),
        (SNAPSHOT, "Snapshots"),
        (RISK, "Risks: scores, closing and reopening"),
        (FINANCE, "High-needs budget: mitigations and actual figures"),
        (ADMIN, "Edits in the admin"),
    ]
    LABELS = dict(CHOICES)
    # The plan's own changes: what a board member may read of the log.
    PLAN_KINDS = (UPDATE, PLAN, REDATE, RETIREMENT)


def log_kinds_for(membership: Membership) -> list[str]:
    """The kinds of entry the person may read: officers all of them, board members the plan's changes."""
    if membership.role == Membership.Role.OFFICER:
        return [kind for kind, _ in Kind.CHOICES]
    if membership.role == Membership.Role.BOARD_MEMBER:
        return list(Kind.PLAN_KINDS)
    return []


class _DateInput(forms.DateInput):
    input_type = "date"


DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class ChangeLogFilterForm(FilterForm):
    who = forms.TypedChoiceField(label="Who", required=False, coerce=int, empty_value=None)
    what = forms.ChoiceField(label="What", required=False)
    group = forms.TypedChoiceField(label="Delivery group", required=False, coerce=int, empty_value=None)
    since = forms.DateField(
        label="From", required=False, widget=_DateInput, input_formats=DATE_FORMATS, error_messages={"invalid": "Enter a real date"}
    )
    until = forms.DateField(
        label="To", required=False, widget=_DateInput, input_formats=DATE_FORMATS, error_messages={"invalid": "Enter a real date"}
    )
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Mapping[str, str] | None, *, partnership: Partnership, kinds: list[str]) -> None:
        super().__init__(data)
        people = (
            get_user_model()
            .objects.filter(memberships__partnership=partnership)
            .order_by("first_name", "last_name", "email")
            .values_list("pk", "first_name", "last_name", "email")
        )
        self.fields["who"].choices = [("", "Anyone"), *((pk, f"{first} {last}".strip() or email) for pk, first, last, email in people)]
        self.fields["what"].choices = [("", "Any change"), *((kind, Kind.LABELS[kind]) for kind in kinds)]
        groups = DeliveryGroup.objects.filter(strategy__partnership=partnership).order_by("strategy__name", "position", "pk")
        self.fields["group"].choices = [("", "Any group"), *((g.pk, g.name) for g in groups.only("pk", "name"))]

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The 'to' date must be the same as or after the 'from' date")
        if data.get("after") and _cursor(data["after"]) is None:
            self.add_error(None, "That page of the log is not available: start again from the newest changes")
        return data


@dataclass(frozen=True)
class ChangeFilters:
    who: int | None = None
    what: str | None = None
    group: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    after: tuple[dt.datetime, str, int] | None = None
    kinds: tuple[str, ...] = tuple(kind for kind, _ in Kind.CHOICES)

    @classmethod
    def from_form(cls, form: ChangeLogFilterForm, kinds: list[str]) -> ChangeFilters:
        data = form.cleaned_data if form.is_valid() else {}
        return cls(
            who=data.get("who"),
            what=data.get("what") or None,
            group=data.get("group"),
            since=data.get("since"),
            until=data.get("until"),
            after=_cursor(data.get("after") or ""),
            kinds=tuple(kinds),
        )


@dataclass
class Change:
    at: dt.datetime
    source: str
    id: int
    kind: str
    who_id: int | None
    group_id: int | None
    target_id: int | None
    subject: str
    before: str
    after: str
    note: str
    who: str = ""
    group: str = ""
    url: str = ""

    @property
    def kind_label(self) -> str:
        return Kind.LABELS[self.kind]


@dataclass
class ChangeLog:
    entries: list[Change]
    next_cursor: str | None
    filters: ChangeFilters
    groups: dict[int, str] = field(default_factory=dict)


def _cursor(text: str) -> tuple[dt.datetime, str, int] | None:
    """The position "2025-05-01T10:00:00+00:00~update~12" a page continues after, or None when it does not parse."""
    try:
        at, source, pk = text.split("~")
        when = dt.datetime.fromisoformat(at)
        if when.tzinfo is None or source not in SOURCES:
            return None
        return when, source, int(pk)
    except ValueError:
        return None


def cursor_of(change: Change) -> str:
    return f"{change.at.isoformat()}~{change.source}~{change.id}"


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


def _none_text() -> Value:
    return Value("", output_field=CharField())


def _none_int() -> Value:
    return Value(None, output_field=IntegerField())


def _text_of(value) -> Value | Coalesce:
    if value is None:
        return _none_text()
    expression = Cast(F(value), CharField()) if isinstance(value, str) else value
    return Coalesce(expression, _none_text(), output_field=CharField())


_COLUMNS = (
    "log_at",
    "log_source",
    "log_id",
    "log_kind",
    "log_who",
    "log_group",
    "log_target",
    "log_subject",
    "log_before",
    "log_after",
    "log_note",
)


def _reversed(name: str) -> Callable[[int, dict[int, int]], str]:
    return lambda target, members: reverse(name, args=[target])


def _person_link(target: int, members: dict[int, int]) -> str:
    return reverse("people:person_detail", args=[members[target]]) if target in members else ""


def _as_text(expression) -> Cast:
    return Cast(expression, CharField())


def _score_text(prefix: str = "") -> Concat:
    """A risk score as the log shows it: "Scored 12 (likelihood 3, impact 4)"."""
    likelihood, impact = F(f"{prefix}residual_likelihood"), F(f"{prefix}residual_impact")
    return Concat(
        _as_text(likelihood * impact), _text(" (likelihood "), _as_text(likelihood), _text(", impact "), _as_text(impact), _text(")"),
        output_field=CharField(),
    )  # fmt: skip


def _score_before() -> Subquery:
    """The risk's score before this one: the scoring just earlier, in one query for the page."""
    earlier = RiskScore.objects.filter(Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lt=OuterRef("pk")), risk=OuterRef("risk"))
    return Subquery(earlier.order_by("-at", "-pk").annotate(text=_score_text()).values("text")[:1], output_field=CharField())


def _year_text(name: str) -> Concat:
    """A financial year as finance officers write it: 2025 is "2025-26"."""
    return Concat(_as_text(F(name)), _text("-"), Right(_as_text(F(name) + 1), 2), output_field=CharField())


@dataclass(frozen=True)
class Source:
    """One history table the log reads: its rows of a partnership, how each becomes the log's columns, and where it links.

    A column is a field path, an expression, or None (empty); `kinds` are the kinds it can hold, so a filtered log skips the others.
    """

    name: str
    kinds: tuple[str, ...]
    rows: Callable[[int], QuerySet]
    link: Callable[[int, dict[int, int]], str]
    at: str
    who: str | Cast | None
    target: str
    subject: object
    kind: str | Case = ""
    group: str | None = None
    before: object = None
    after: object = None
    note: object = None

    def columns(self, partnership_id: int) -> QuerySet:
        """The partnership's rows as the log's columns, in the order the UNION needs them."""
        return (
            self.rows(partnership_id)
            .annotate(
                log_at=Cast(F(self.at), DateTimeField()),
                log_source=_text(self.name),
                log_id=F("pk"),
                log_kind=_text(self.kind or self.kinds[0]) if isinstance(self.kind, str) else self.kind,
                log_who=(F(self.who) if isinstance(self.who, str) else self.who) if self.who is not None else _none_int(),
                log_group=F(self.group) if self.group else _none_int(),
                log_target=F(self.target),
                log_subject=_text_of(self.subject),
                log_before=_text_of(self.before),
                log_after=_text_of(self.after),
                log_note=_text_of(self.note),
            )
            .values_list(*_COLUMNS)
        )


def _action_change_kind() -> Case:
    return Case(
        When(field=ActionChange.Field.DUE, then=_text(Kind.REDATE)),
        When(field=ActionChange.Field.RETIRED, then=_text(Kind.RETIREMENT)),
        default=_text(Kind.PLAN),
        output_field=CharField(),
    )


def _applied(model) -> Callable[[int], QuerySet]:
    return lambda p: model.objects.filter(strategy__partnership_id=p, status=model.Status.APPLIED)


def _admin_edits(p: int) -> QuerySet:
    # Edits made through the admin write no ActionChange: pghistory's events are their only record.
    action_event = apps.get_model("actions", "ActionEvent")
    return action_event.objects.filter(strategy__partnership_id=p, pgh_context__metadata__url__startswith=reverse("admin:index"))


def _action_link(target: int, members: dict[int, int]) -> str:
    return action_url(target)


def _upload_source(name: str, model, target: str, label: str, link: str) -> Source:
    """Every applied upload, whatever its source: they share one upload record (intake.models.Upload)."""
    return Source(
        name, (Kind.IMPORT,), _applied(model), _reversed(link), "uploaded_at", "uploaded_by_id", target, "filename", after=_text(label)
    )


def _action_source(name: str, kinds: tuple[str, ...], model, subject: object, **columns) -> Source:
    """An action's own history (its updates, its plan changes): written by an author, linking to the action."""

    def rows(p: int) -> QuerySet:
        return model.objects.filter(action__strategy__partnership_id=p)

    return Source(name, kinds, rows, _action_link, "created_at", "author_id", "action_id", subject, group="action__group_id", **columns)


def _person_change_source(name: str, kind: str, target: str, link: Callable[[int, dict[int, int]], str]) -> Source:
    """Changes to people or to posts: both are PersonChange rows; a post's changes name the post, a person's name none."""

    def rows(p: int) -> QuerySet:
        return PersonChange.objects.filter(partnership_id=p, post_id__isnull=target != "post_id")

    return Source(name, (kind,), rows, link, "at", "actor_id", target, "what", before="before", after="after")


def _meeting_source(name: str, model, subject: object, **columns) -> Source:
    """What a meeting recorded (its decisions, its actions arising), linking to the meeting."""

    def rows(p: int) -> QuerySet:
        return model.objects.filter(meeting__board__partnership_id=p)

    link = _reversed("governance:meeting_detail")
    return Source(name, (Kind.MEETING,), rows, link, "recorded_at", "recorded_by_id", "meeting_id", subject, **columns)


def _history_source(
    name: str,
    kind: str,
    rows: Callable[[int], QuerySet],
    link: Callable[[int, dict[int, int]], str],
    target: str,
    subject: object,
    at: str = "pgh_created_at",
    **columns,
) -> Source:
    """Edits pghistory recorded: when, by the user its context noted (if any), and whether the row was added, changed or removed."""
    return Source(name, (kind,), rows, link, at, history_user_id(), target, subject, **{"after": "pgh_label", **columns})


# Every source of the log, in the order a page's ties are broken (newest first on when, source, id).
SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        _action_source(
            "update",
            (Kind.UPDATE,),
            ActionUpdate,
            "action__ref",
            before="rating_before__label",
            after="rating_after__label",
            note="narrative",
        ),
        _action_source(
            "change",
            (Kind.PLAN, Kind.REDATE, Kind.RETIREMENT),
            ActionChange,
            Concat(F("action__ref"), _text(": "), F("field"), output_field=CharField()),
            kind=_action_change_kind(),
            before="before",
            after="after",
            note="reason",
        ),
        _person_change_source("person", Kind.PEOPLE, "person_id", _person_link),
        _person_change_source("post", Kind.POST, "post_id", _reversed("people:post_detail")),
        _meeting_source(
            "decision", Decision, Concat(_text("Decision of "), F("meeting__board__name"), output_field=CharField()), note="text"
        ),
        _meeting_source(
            "arising",
            ActionArising,
            Concat(_text("Action arising "), F("action__ref"), _text(" from "), F("meeting__board__name"), output_field=CharField()),
            group="action__group_id",
            note="action__text",
        ),
        Source(
            "sign_off",
            (Kind.SIGN_OFF,),
            lambda p: SignOffEvent.objects.filter(sign_off__meeting__board__partnership_id=p),
            _reversed("governance:sign_off_board"),
            "at",
            "by_id",
            "sign_off__meeting_id",
            "sign_off__organisation__name",
            after="status",
            note="reason",
        ),
        Source(
            "publication",
            (Kind.PUBLICATION,),
            lambda p: Publication.objects.filter(page__strategy__partnership_id=p),
            _reversed("coproduction:public_history"),
            "published_at",
            "published_by_id",
            "page__strategy_id",
            "page__strategy__name",
            note="note",
        ),
        _upload_source("plan_import", PlanImport, "pk", "Plan", "actions:plan_import_preview"),
        _upload_source("kpi_import", KpiValueImport, "strategy_id", "KPI values", "kpis:scorecard"),
        _upload_source("benchmark_import", BenchmarkImport, "strategy_id", "Benchmarks", "kpis:scorecard"),
        Source(
            "snapshot",
            (Kind.SNAPSHOT,),
            lambda p: Snapshot.objects.filter(strategy__partnership_id=p),
            _reversed("reporting:snapshot_list"),
            "taken_at",
            "taken_by_id",
            "strategy_id",
            "strategy__name",
            after="as_at",
        ),
        # Every scoring of a risk, the first and each re-score with its reason: the register's own history.
        Source(
            "risk_score",
            (Kind.RISK,),
            lambda p: RiskScore.objects.filter(risk__strategy__partnership_id=p),
            _reversed("risks:risk_detail"),
            "at",
            "by_id",
            "risk_id",
            Concat(F("risk__ref"), _text(": "), F("risk__title"), output_field=CharField()),
            before=_score_before(),
            after=_score_text(),
            note="reason",
        ),
        # A risk closed because it no longer applies, with why, and reopened: from the register's history.
        _history_source(
            "risk_closing",
            Kind.RISK,
            lambda p: closing_events(RiskEvent.objects.filter(strategy__partnership_id=p)),
            _reversed("risks:risk_detail"),
            "pgh_obj_id",
            Concat(F("ref"), _text(": "), F("title"), output_field=CharField()),
            at="happened_at",
            after=Case(When(closed_at__isnull=False, then=_text("Closed")), default=_text("Reopened"), output_field=CharField()),
            note="closed_reason",
        ),
        _history_source(
            "mitigation",
            Kind.FINANCE,
            lambda p: apps.get_model("finance", "MitigationEvent").objects.filter(plan__strategy__partnership_id=p),
            _reversed("finance:plan"),
            "plan__strategy_id",
            Concat(_text("Mitigation "), F("ref"), _text(": "), F("title"), output_field=CharField()),
            note="description",
        ),
        Source(
            "finance_actual",
            (Kind.FINANCE,),
            lambda p: FinanceActual.objects.filter(mitigation__plan__strategy__partnership_id=p),
            _reversed("finance:plan"),
            "entered_at",
            "entered_by_id",
            "mitigation__plan__strategy_id",
            Concat(F("mitigation__ref"), _text(" achieved in "), _year_text("year"), output_field=CharField()),
            after="achieved",
            note="note",
        ),
        _history_source("admin", Kind.ADMIN, _admin_edits, _action_link, "pgh_obj_id", "ref", group="group_id", note="text"),
    )
}


def _filtered(qs: QuerySet, source: str, filters: ChangeFilters, kinds: set[str], group_ids: tuple[int, ...] | None) -> QuerySet:
    qs = qs.filter(log_kind__in=kinds)
    if filters.who is not None:
        qs = qs.filter(log_who=filters.who)
    if group_ids is not None:
        qs = qs.filter(log_group__in=group_ids)
    if filters.since:
        qs = qs.filter(log_at__gte=_start_of(filters.since))
    if filters.until:
        qs = qs.filter(log_at__lt=_start_of(filters.until + dt.timedelta(days=1)))
    if filters.after:
        at, after_source, after_id = filters.after
        # Newest first on (when, source, id): this source's rows that come after the cursor.
        if source < after_source:
            qs = qs.filter(log_at__lte=at)
        elif source == after_source:
            qs = qs.filter(Q(log_at__lt=at) | Q(log_at=at, log_id__lt=after_id))
        else:
            qs = qs.filter(log_at__lt=at)
    return qs


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def change_log_for(partnership: Partnership, filters: ChangeFilters, *, limit: int = PAGE_SIZE) -> ChangeLog:
    """A page of the partnership's change log, newest first, with who and where filled in: three queries at any size."""
    kinds = set(filters.kinds)
    if filters.what:
        kinds &= {filters.what}
    group_ids = None
    if filters.group is not None:
        group_ids = tuple(
            DeliveryGroup.objects.filter(Q(pk=filters.group) | Q(parent_id=filters.group), strategy__partnership=partnership).values_list(
                "pk", flat=True
            )
        )
    rows: list[tuple] = []
    if group_ids != () and any(kinds.intersection(source.kinds) for source in SOURCES.values()):
        # The UNION of every source costs more to compile than to run: compiled once a process for each page and filters.
        rows = kept_rows(_log_page, partnership.pk, filters, tuple(sorted(kinds)), group_ids, limit)
    more = len(rows) > limit
    entries = [Change(*row) for row in rows[:limit]]
    _describe(partnership, entries)
    return ChangeLog(entries=entries, next_cursor=cursor_of(entries[-1]) if more else None, filters=filters)


def _log_page(
    partnership_id: int, filters: ChangeFilters, kinds: tuple[str, ...], group_ids: tuple[int, ...] | None, limit: int
) -> QuerySet:
    """One page of the log, `limit` entries and one more to tell whether another page follows: one UNION ALL of the sources asked for."""
    wanted = set(kinds)
    parts = [
        _filtered(source.columns(partnership_id), name, filters, wanted, group_ids).order_by("-log_at", "-log_id")[: limit + 1]
        for name, source in SOURCES.items()
        if wanted.intersection(source.kinds)
    ]
    if len(parts) == 1:
        return parts[0]
    return parts[0].union(*parts[1:], all=True).order_by("-log_at", "-log_source", "-log_id")[: limit + 1]


def _describe(partnership: Partnership, entries: list[Change]) -> None:
    """Names of people and groups, and each entry's link, read for the page's entries at once."""
    who_ids = {e.who_id for e in entries if e.who_id is not None}
    people_ids = {e.target_id for e in entries if e.source == "person" and e.target_id}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=who_ids | people_ids)} if who_ids | people_ids else {}
    members = (
        dict(Membership.objects.filter(partnership=partnership, user_id__in=people_ids).values_list("user_id", "pk")) if people_ids else {}
    )
    group_ids = {e.group_id for e in entries if e.group_id}
    groups = dict(DeliveryGroup.objects.filter(pk__in=group_ids).values_list("pk", "name")) if group_ids else {}
    for entry in entries:
        entry.who = str(users[entry.who_id]) if entry.who_id in users else "The system"
        entry.group = groups.get(entry.group_id, "")
        entry.url = _url_of(entry, members)
        if entry.source == "person" and entry.target_id in users:
            entry.subject = f"{entry.subject}: {users[entry.target_id]}"
        if entry.source == "sign_off":
            entry.after = SignOff.Status(entry.after).label if entry.after in SignOff.Status.values else entry.after
        if entry.source == "change":
            ref, _, field_name = entry.subject.rpartition(": ")
            entry.subject = f"{ref}: {ActionChange.Field(field_name).label}" if field_name in ActionChange.Field.values else entry.subject
        if entry.source == "finance_actual" and entry.after:
            entry.after = money_full(Decimal(entry.after))
        if entry.source == "mitigation":
            entry.after = {"insert": "Added", "update": "Changed", "delete": "Removed"}.get(entry.after, entry.after)


def _url_of(entry: Change, members: dict[int, int]) -> str:
    return SOURCES[entry.source].link(entry.target_id, members) if entry.target_id is not None else ""


def change_log_table(partnership: Partnership, filters: ChangeFilters) -> tuple[list[list[str]], bool]:
    """The filtered log as a table to export (newest first), and whether it was cut at EXPORT_LIMIT rows."""
    log = change_log_for(partnership, filters, limit=EXPORT_LIMIT)
    table = [["When", "Who", "What", "Delivery group", "Subject", "Before", "After", "Note"]]
    for e in log.entries:
        when = timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M")
        table.append([cell_escape(cell) for cell in (when, e.who, e.kind_label, e.group, e.subject, e.before, e.after, e.note)])
    return table, log.next_cursor is not None
