"""A partnership's change log: every recorded change, from every app's history, in one list.

Nothing is copied: each source is the history table its app already keeps
(action updates and plan changes, people and post changes, meetings'
decisions and actions arising, sign-off events, publications of the public
page, imports applied, snapshots taken, and edits made in the admin as
pghistory recorded them, risk scores, and the high-needs budget's mitigations and
actual figures). Each source is read as `values()` with the same
columns and the sources are joined with one UNION ALL, newest first, so a page
of the log is one query however long the history is.

Pages are keyset-paginated on (when, source, id): the next page starts after
the last entry shown, so an entry added meanwhile never shifts the pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, DateTimeField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat, Right
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionChange, ActionUpdate, DeliveryGroup, PlanImport, Snapshot, action_url
from coproduction.models import Publication
from finance.models import FinanceActual
from finance.money import money_full
from governance.models import ActionArising, Decision, SignOff, SignOffEvent
from intake.tables import cell_escape
from kpis.models import BenchmarkImport, KpiValueImport
from people.models import Membership, Partnership, PersonChange
from risks.models import RiskScore

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
        (RISK, "Risk scores"),
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


class ChangeLogFilterForm(forms.Form):
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
        if when.tzinfo is None or source not in _SOURCES:
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


def _columns(
    qs: QuerySet,
    *,
    source: str,
    at: str,
    kind: str | F | Value,
    who: str | Cast | None,
    group: str | None,
    target: str | None,
    subject,
    before=None,
    after=None,
    note=None,
) -> QuerySet:
    """One source's rows as the log's columns, in the order the UNION needs them."""

    def text_of(value) -> Value | Coalesce:
        if value is None:
            return _none_text()
        expression = Cast(F(value), CharField()) if isinstance(value, str) else value
        return Coalesce(expression, _none_text(), output_field=CharField())

    return qs.annotate(
        log_at=Cast(F(at), DateTimeField()),
        log_source=_text(source),
        log_id=F("pk"),
        log_kind=_text(kind) if isinstance(kind, str) else kind,
        log_who=(F(who) if isinstance(who, str) else who) if who is not None else _none_int(),
        log_group=F(group) if group else _none_int(),
        log_target=F(target) if target else _none_int(),
        log_subject=text_of(subject),
        log_before=text_of(before),
        log_after=text_of(after),
        log_note=text_of(note),
    ).values_list(*_COLUMNS)


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


def _action_change_kind() -> Case:
    return Case(
        When(field=ActionChange.Field.DUE, then=_text(Kind.REDATE)),
        When(field=ActionChange.Field.RETIRED, then=_text(Kind.RETIREMENT)),
        default=_text(Kind.PLAN),
        output_field=CharField(),
    )


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


def _sources(partnership: Partnership) -> dict[str, tuple[QuerySet, tuple[str, ...]]]:
    """Each source's rows of the partnership, with the kinds it can hold (so a filtered log skips the others)."""
    p = partnership.pk
    action_event = apps.get_model("actions", "ActionEvent")
    return {
        "update": (
            _columns(
                ActionUpdate.objects.filter(action__strategy__partnership_id=p),
                source="update",
                at="created_at",
                kind=Kind.UPDATE,
                who="author_id",
                group="action__group_id",
                target="action_id",
                subject="action__ref",
                before="rating_before__label",
                after="rating_after__label",
                note="narrative",
            ),
            (Kind.UPDATE,),
        ),
        "change": (
            _columns(
                ActionChange.objects.filter(action__strategy__partnership_id=p),
                source="change",
                at="created_at",
                kind=_action_change_kind(),
                who="author_id",
                group="action__group_id",
                target="action_id",
                subject=Concat(F("action__ref"), _text(": "), F("field"), output_field=CharField()),
                before="before",
                after="after",
                note="reason",
            ),
            (Kind.PLAN, Kind.REDATE, Kind.RETIREMENT),
        ),
        "person": (
            _columns(
                PersonChange.objects.filter(partnership_id=p),
                source="person",
                at="at",
                kind=Kind.PEOPLE,
                who="actor_id",
                group=None,
                target="person_id",
                subject="what",
                before="before",
                after="after",
            ).filter(post_id=None),
            (Kind.PEOPLE,),
        ),
        "post": (
            _columns(
                PersonChange.objects.filter(partnership_id=p).exclude(post_id=None),
                source="post",
                at="at",
                kind=Kind.POST,
                who="actor_id",
                group=None,
                target="post_id",
                subject="what",
                before="before",
                after="after",
            ),
            (Kind.POST,),
        ),
        "decision": (
            _columns(
                Decision.objects.filter(meeting__board__partnership_id=p),
                source="decision",
                at="recorded_at",
                kind=Kind.MEETING,
                who="recorded_by_id",
                group=None,
                target="meeting_id",
                subject=Concat(_text("Decision of "), F("meeting__board__name"), output_field=CharField()),
                note="text",
            ),
            (Kind.MEETING,),
        ),
        "arising": (
            _columns(
                ActionArising.objects.filter(meeting__board__partnership_id=p),
                source="arising",
                at="recorded_at",
                kind=Kind.MEETING,
                who="recorded_by_id",
                group="action__group_id",
                target="meeting_id",
                subject=Concat(
                    _text("Action arising "), F("action__ref"), _text(" from "), F("meeting__board__name"), output_field=CharField()
                ),
                note="action__text",
            ),
            (Kind.MEETING,),
        ),
        "sign_off": (
            _columns(
                SignOffEvent.objects.filter(sign_off__meeting__board__partnership_id=p),
                source="sign_off",
                at="at",
                kind=Kind.SIGN_OFF,
                who="by_id",
                group=None,
                target="sign_off__meeting_id",
                subject="sign_off__organisation__name",
                after="status",
                note="reason",
            ),
            (Kind.SIGN_OFF,),
        ),
        "publication": (
            _columns(
                Publication.objects.filter(page__strategy__partnership_id=p),
                source="publication",
                at="published_at",
                kind=Kind.PUBLICATION,
                who="published_by_id",
                group=None,
                target="page__strategy_id",
                subject="page__strategy__name",
                note="note",
            ),
            (Kind.PUBLICATION,),
        ),
        # Every applied upload, whatever its source: they share one upload record (intake.models.Upload).
        **{
            source: (
                _columns(
                    model.objects.filter(strategy__partnership_id=p, status=model.Status.APPLIED),
                    source=source,
                    at="uploaded_at",
                    kind=Kind.IMPORT,
                    who="uploaded_by_id",
                    group=None,
                    target=target,
                    subject="filename",
                    after=_text(label),
                ),
                (Kind.IMPORT,),
            )
            for source, model, target, label in (
                ("plan_import", PlanImport, "pk", "Plan"),
                ("kpi_import", KpiValueImport, "strategy_id", "KPI values"),
                ("benchmark_import", BenchmarkImport, "strategy_id", "Benchmarks"),
            )
        },
        "snapshot": (
            _columns(
                Snapshot.objects.filter(strategy__partnership_id=p),
                source="snapshot",
                at="taken_at",
                kind=Kind.SNAPSHOT,
                who="taken_by_id",
                group=None,
                target="strategy_id",
                subject="strategy__name",
                after="as_at",
            ),
            (Kind.SNAPSHOT,),
        ),
        # Every scoring of a risk, the first and each re-score with its reason: the register's own history.
        "risk_score": (
            _columns(
                RiskScore.objects.filter(risk__strategy__partnership_id=p),
                source="risk_score",
                at="at",
                kind=Kind.RISK,
                who="by_id",
                group=None,
                target="risk_id",
                subject=Concat(F("risk__ref"), _text(": "), F("risk__title"), output_field=CharField()),
                before=_score_before(),
                after=_score_text(),
                note="reason",
            ),
            (Kind.RISK,),
        ),
        "mitigation": (
            _columns(
                apps.get_model("finance", "MitigationEvent").objects.filter(plan__strategy__partnership_id=p),
                source="mitigation",
                at="pgh_created_at",
                kind=Kind.FINANCE,
                who=Cast(KeyTextTransform("user", "pgh_context__metadata"), IntegerField()),
                group=None,
                target="plan__strategy_id",
                subject=Concat(_text("Mitigation "), F("ref"), _text(": "), F("title"), output_field=CharField()),
                after="pgh_label",
                note="description",
            ),
            (Kind.FINANCE,),
        ),
        "finance_actual": (
            _columns(
                FinanceActual.objects.filter(mitigation__plan__strategy__partnership_id=p),
                source="finance_actual",
                at="entered_at",
                kind=Kind.FINANCE,
                who="entered_by_id",
                group=None,
                target="mitigation__plan__strategy_id",
                subject=Concat(F("mitigation__ref"), _text(" achieved in "), _year_text("year"), output_field=CharField()),
                after="achieved",
                note="note",
            ),
            (Kind.FINANCE,),
        ),
        # Edits made through the admin write no ActionChange: pghistory's events are their only record.
        "admin": (
            _columns(
                action_event.objects.filter(strategy__partnership_id=p, pgh_context__metadata__url__startswith=reverse("admin:index")),
                source="admin",
                at="pgh_created_at",
                kind=Kind.ADMIN,
                who=Cast(KeyTextTransform("user", "pgh_context__metadata"), IntegerField()),
                group="group_id",
                target="pgh_obj_id",
                subject="ref",
                after="pgh_label",
                note="text",
            ),
            (Kind.ADMIN,),
        ),
    }


_SOURCES = (
    "update",
    "change",
    "person",
    "post",
    "decision",
    "arising",
    "sign_off",
    "publication",
    "plan_import",
    "kpi_import",
    "benchmark_import",
    "snapshot",
    "risk_score",
    "mitigation",
    "finance_actual",
    "admin",
)


def _filtered(qs: QuerySet, source: str, filters: ChangeFilters, kinds: set[str], group_ids: list[int] | None) -> QuerySet:
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
        group_ids = list(
            DeliveryGroup.objects.filter(Q(pk=filters.group) | Q(parent_id=filters.group), strategy__partnership=partnership).values_list(
                "pk", flat=True
            )
        )
    parts = [
        _filtered(qs, source, filters, kinds, group_ids).order_by("-log_at", "-log_id")[: limit + 1]
        for source, (qs, holds) in _sources(partnership).items()
        if kinds.intersection(holds)
    ]
    rows: list[tuple] = []
    if parts and group_ids != []:
        if len(parts) == 1:
            rows = list(parts[0])
        else:
            rows = list(parts[0].union(*parts[1:], all=True).order_by("-log_at", "-log_source", "-log_id")[: limit + 1])
    more = len(rows) > limit
    entries = [Change(*row) for row in rows[:limit]]
    _describe(partnership, entries)
    return ChangeLog(entries=entries, next_cursor=cursor_of(entries[-1]) if more else None, filters=filters)


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
        if entry.source == "finance_actual" and entry.after:
            entry.after = money_full(Decimal(entry.after))
        if entry.source == "mitigation":
            entry.after = {"insert": "Added", "update": "Changed", "delete": "Removed"}.get(entry.after, entry.after)
        if entry.source == "change":
            ref, _, field_name = entry.subject.rpartition(": ")
            entry.subject = f"{ref}: {ActionChange.Field(field_name).label}" if field_name in ActionChange.Field.values else entry.subject


def _url_of(entry: Change, members: dict[int, int]) -> str:
    target = entry.target_id
    if target is None:
        return ""
    match entry.source:
        case "update" | "change" | "admin":
            return action_url(target)
        case "person":
            return reverse("people:person_detail", args=[members[target]]) if target in members else ""
        case "post":
            return reverse("people:post_detail", args=[target])
        case "decision" | "arising":
            return reverse("governance:meeting_detail", args=[target])
        case "sign_off":
            return reverse("governance:sign_off_board", args=[target])
        case "publication":
            return reverse("coproduction:public_history", args=[target])
        case "plan_import":
            return reverse("actions:plan_import_preview", args=[target])
        case "kpi_import" | "benchmark_import":
            return reverse("kpis:scorecard", args=[target])
        case "snapshot":
            return reverse("reporting:snapshot_list", args=[target])
        case "risk_score":
            return reverse("risks:risk_detail", args=[target])
        case "mitigation" | "finance_actual":
            return reverse("finance:plan", args=[target])
    return ""


def change_log_table(partnership: Partnership, filters: ChangeFilters) -> tuple[list[list[str]], bool]:
    """The filtered log as a table to export (newest first), and whether it was cut at EXPORT_LIMIT rows."""
    log = change_log_for(partnership, filters, limit=EXPORT_LIMIT)
    table = [["When", "Who", "What", "Delivery group", "Subject", "Before", "After", "Note"]]
    for e in log.entries:
        when = timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M")
        table.append([cell_escape(cell) for cell in (when, e.who, e.kind_label, e.group, e.subject, e.before, e.after, e.note)])
    return table, log.next_cursor is not None
