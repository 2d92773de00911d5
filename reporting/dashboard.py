"""The dashboard's read: everything a board member sees for one strategy and one set of filters.

`dashboard_for` makes a fixed number of queries whatever the plan's size; the
figures come from the same row functions as the board pack (reporting.summaries).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from actions import rules
from actions.models import Action, DeliveryGroup, RatingLevel, Snapshot, SnapshotAction, Strategy, last_board_among
from actions.revisions import revision_of
from actions.rows import ActionRow, rows_from_actions, rows_from_snapshot
from coproduction.services import Disagreement, disagreements_of, families_views_current, families_views_frozen
from governance.inspections import findings_unaddressed
from governance.models import Finding
from kpis.alerts import Crossing, crossing_of, kpi_crossings_between
from kpis.models import Indicator, Rag
from kpis.scorecard import ScorecardRow, indicators_with_values, scorecard_rows
from people.models import Post
from reporting.report import MatrixSection, delivery_matrix, matrix_with_families
from reporting.summaries import (
    EXCEPTION_KINDS,
    Alike,
    Headline,
    Move,
    RatingCounts,
    alike_counts,
    alike_counts_counted,
    alike_statement,
    by_urgency,
    exception_condition,
    exception_counts,
    exceptions,
    headline_counts_of,
    headlines,
    movement,
    movement_once,
    overdue_by_group_of,
    overlap,
    rating_counts_of,
    ratings_by_group,
    rows_filter,
)
from send_tracker.cache import cache_get, cache_set, page_key
from send_tracker.forms import FilterForm
from send_tracker.statements import kept_objects_together

EXCEPTIONS_PER_PAGE = 10
ACTIONS_PER_PAGE = 50
KPI_HEADLINES = 5
TREND_SNAPSHOTS = 6  # a year of bi-monthly boards
FILTERS = ("organisation", "owner", "group", "rating", "exception")  # the filters that choose some of the actions


class DashboardFilterForm(FilterForm):
    """The dashboard's filters: all optional, all in the URL so that a filtered view can be shared."""

    organisation = forms.TypedChoiceField(label="Owner organisation", required=False, coerce=int, empty_value=None)
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    group = forms.TypedChoiceField(label="Delivery group", required=False, coerce=int, empty_value=None)
    rating = forms.ChoiceField(label="Rating", required=False)
    exception = forms.ChoiceField(label="Exception", required=False)
    snapshot = forms.TypedChoiceField(label="Show the plan", required=False, coerce=int, empty_value=None)

    def __init__(
        self, data, *, posts: list[Post], levels: list[RatingLevel], snapshots: list[Snapshot], groups: list[DeliveryGroup]
    ) -> None:
        super().__init__(data)
        organisations = {p.organisation_id: p.organisation.name for p in posts if p.organisation_id}
        self.fields["organisation"].choices = [("", "Any organisation")] + sorted(organisations.items(), key=lambda item: item[1])
        self.fields["owner"].choices = [("", "Any owner")] + [(p.pk, p.title) for p in posts]
        self.fields["group"].choices = [("", "Any delivery group")] + [(g.pk, str(g)) for g in groups]
        self.fields["rating"].choices = [("", "Any rating")] + [(level.code, level.label) for level in levels]
        self.fields["exception"].choices = [("", "All actions")] + list(EXCEPTION_KINDS.items())
        self.fields["snapshot"].choices = [("", "As it stands now")] + [(s.pk, f"As at {s.as_at:%-d %B %Y}") for s in snapshots]

    def value_of(self, name: str):
        """The cleaned value of a filter, or None when it was not given or is not valid."""
        if not self.is_valid() and name in self.errors:
            return None
        return self.cleaned_data.get(name) or None


@dataclass(frozen=True)
class TrendPoint:
    label: str  # "14 May 2025" or "Now"
    counts: dict[int, int]  # level id -> actions


@dataclass(frozen=True)
class TrendLine:
    level: RatingLevel
    counts: list[int]  # one per trend point, oldest first

    @property
    def highest(self) -> int:
        return max(self.counts, default=0)


@dataclass
class ExceptionList:
    key: str
    label: str
    count: int
    # The page shown; None for a list read on request (htmx, or its link) when it is opened or scrolled to.
    page: Page | None = None
    # Shown open: the actions rated at risk always, and a list someone is paging through.
    # The others open on request, so the page stays a page (each is also a headline figure).
    open: bool = False


@dataclass
class KpiHeadlines:
    total: int
    counts: list[tuple[Rag, int]]
    off_target: list[ScorecardRow]
    crossings: list[Crossing] = field(default_factory=list)  # each KPI's latest value, when it crossed its target or tolerance


@dataclass
class Dashboard:
    strategy: Strategy
    form: DashboardFilterForm
    levels: list[RatingLevel]
    groups: dict[int, DeliveryGroup]
    viewing: Snapshot | None
    previous: Snapshot | None
    today: dt.date
    total: int
    shown: int  # the actions the filters show
    counts: RatingCounts
    exception_counts: dict[str, int] = field(default_factory=dict)
    headlines: list[Headline] = field(default_factory=list)
    headline_overlap: str = ""  # the headline figures' overlap in words (overdue is counted under a rating too)
    matrix: list[MatrixSection] = field(default_factory=list)
    trend_points: list[TrendPoint] = field(default_factory=list)
    trend: list[TrendLine] = field(default_factory=list)
    trend_highest: int = 0
    kpis: KpiHeadlines | None = None
    exception_lists: list[ExceptionList] = field(default_factory=list)
    # The movement since the previous snapshot, each action once; None until it is asked for (it loads on request).
    moves: list[tuple[str, str, list[Move]]] | None = None
    actions_page: Page | None = None
    families_views: dict = field(default_factory=dict)  # group id -> its families' view (live or as frozen)
    disagreements: list[Disagreement] = field(default_factory=list)
    kpi_crossings: list[Crossing] = field(default_factory=list)  # KPIs that crossed their target since the last board
    unaddressed_findings: list[Finding] = field(default_factory=list)  # inspection findings no action answers yet

    def is_filtered(self) -> bool:
        return any(self.form.value_of(name) for name in FILTERS)

    def families_shown(self) -> int:
        """The families' views beside the matrix's rows, each once (a parent's beside each of its sub-groups): not those
        of groups it shows no row for (a group with no action, or none the filters show), so the total agrees with the
        rows above it."""
        return len({row.families_view_group_id for section in self.matrix for row in section.rows if row.families_view is not None})


def _frozen(name: str, snapshots: list[Snapshot], levels: list[RatingLevel], build):
    """What `build` reads from the strategy's snapshots, kept until a snapshot is taken or removed, a board first
    meets on one (or no longer does), or a level changes.

    A snapshot's items never change once taken, so an update to the live plan
    (which raises the strategy's revision and rebuilds the dashboard) reads them
    from the cache instead of the database. The key holds every snapshot of the
    strategy with the day a board first met on it (a row's cycle starts at the
    last board before it: `snapshots` are read `with_first_board()`) and the
    levels as they read now.
    """
    state = (
        [(s.pk, s.as_at, s.taken_at, s.first_board_on) for s in snapshots],
        [(lv.pk, lv.code, lv.label, lv.colour, lv.meaning, lv.position, lv.progress) for lv in levels],
    )
    return _cached(page_key("dashboard-frozen", name, state=state), build)


def _beyond_actions(strategy: Strategy, revision: int, name: str, build):
    """What `build` reads of the strategy beyond its actions' own rows (its KPIs, findings, levels), kept while none of that changes.

    Keyed by the strategy's `beyond_actions` revision, read before the data:
    the database raises it with every change to what the strategy's pages show
    except the actions' own rows (an update saved, a rating, a milestone:
    actions.revisions.ACTION_TABLES), so those rebuild the dashboard without
    reading these again. Also keyed by today, as the dashboard is.
    """
    return _cached(page_key("dashboard-beyond", strategy.pk, revision, timezone.localdate().isoformat(), name), build)


def _cached(key: str, build):
    found = cache_get(key)
    if found is None:
        found = build()
        cache_set(key, found, settings.DASHBOARD_CACHE_SECONDS)
    return found


def snapshot_rows(snapshot: Snapshot, snapshots: list[Snapshot], levels: list[RatingLevel], *, beyond_actions: int) -> list[ActionRow]:
    """The rows frozen in one of the strategy's `snapshots`, from the cache when they have been read before.

    A row names who made the update it froze as that person is named now, so the
    rows are also keyed by the strategy's `beyond_actions` revision (a person's
    new name raises it; an update to the live plan does not).
    """

    def build() -> list[ActionRow]:
        rows = rows_from_snapshot(snapshot)
        for row in rows:
            row.status  # noqa: B018 - judged once, on the snapshot's date, and kept with the row
        return rows

    return _frozen(f"rows-{snapshot.pk}-{beyond_actions}", snapshots, levels, build)


class _Counted:
    """Items counted beforehand and read a window at a time: a Paginator reads only the page it shows."""

    def __init__(self, count: int, read: Callable[[slice], list]) -> None:
        self._count, self._read = count, read

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, window: slice) -> list:
        return self._read(window)


def _page(count: int, read: Callable[[slice], list], number: str | None, per_page: int) -> Page:
    return Paginator(_Counted(count, read), per_page).get_page(number)


@dataclass(frozen=True)
class Filters:
    """What the dashboard's filters choose, for rows in Python and for actions in SQL alike."""

    owner_titles: frozenset[str] | None = None
    rating_id: int | None = None
    group_id: int | None = None
    exception: str | None = None

    def rows(self, rows: list[ActionRow], groups: dict[int, DeliveryGroup]) -> list[ActionRow]:
        action_ids = {row.action_id for row in getattr(exceptions(rows), self.exception)} if self.exception else None
        shown = rows_filter(rows, owner_titles=self.owner_titles, rating_id=self.rating_id, action_ids=action_ids)
        if self.group_id:
            shown = [
                row
                for row in shown
                if row.group_id == self.group_id or getattr(groups.get(row.group_id), "parent_id", None) == self.group_id
            ]
        return shown

    def q(self, today: dt.date) -> Q:
        found = Q()
        if self.owner_titles is not None:
            found &= Q(pk__in=Action.owners.through.objects.filter(post__title__in=self.owner_titles).values("action_id"))
        if self.rating_id:
            found &= Q(rating_id=self.rating_id)
        if self.group_id:
            found &= Q(group_id=self.group_id) | Q(group__parent_id=self.group_id)
        if self.exception:
            found &= exception_condition(self.exception, today)
        return found


@functools.lru_cache(maxsize=256)
def _alike_statement(strategy_id: int, today: dt.date, filters: Filters) -> tuple[str, tuple]:
    """The live plan's grouped query, built once per process for each strategy, day and set of filters.

    Its SQL and parameters depend on nothing else (the rule book's conditions
    are the day's), and Django takes longer to build it than PostgreSQL to run it.
    """
    return alike_statement(Action.objects.filter(strategy_id=strategy_id), today, shown=filters.q(today))


class LivePlan:
    """The strategy's actions now, as the filters choose: counted in one grouped query, read a page at a time."""

    def __init__(self, strategy: Strategy, filters: Filters, today: dt.date) -> None:
        self.strategy, self.today = strategy, today
        self.actions = Action.objects.filter(strategy=strategy)
        self.filters = filters
        self.chosen = filters.q(today)

    def counted(self) -> tuple[dict[Alike, int], dict[Alike, int]]:
        return alike_counts_counted(*_alike_statement(self.strategy.pk, self.today, self.filters))

    def shown_ids(self) -> set[int]:
        return set(self.actions.filter(self.chosen).values_list("pk", flat=True))

    def count(self, kind: str) -> int:
        return self.actions.filter(self.chosen & exception_condition(kind, self.today)).count()

    def rows(self, kind: str | None = None, window: slice | None = None) -> list[ActionRow]:
        """The rows shown (of one exception `kind`), in plan order; with `window`, that slice of them most urgent first."""
        chosen = self.chosen & exception_condition(kind, self.today) if kind else self.chosen
        if window is None:
            return rows_from_actions(self.actions.filter(chosen), self.today)
        urgent = (F("rating__is_risk").desc(), rules.flag(rules.overdue(self.today)).desc(), F("due_date").asc(nulls_last=True))
        return rows_from_actions(self.actions.filter(chosen), self.today, order_by=(*urgent, "position", "id"), window=window)

    def retired_ids(self, previous_rows: list[ActionRow]) -> set[int]:
        return set(Action.everything.filter(strategy=self.strategy, retired_at__isnull=False).values_list("pk", flat=True))


class FrozenPlan:
    """The actions a snapshot froze, as the filters choose, judged in Python as at its date."""

    def __init__(self, rows: list[ActionRow], filters: Filters, groups: dict[int, DeliveryGroup]) -> None:
        self.all_rows = rows
        self.shown = filters.rows(rows, groups)

    def counted(self) -> tuple[dict[Alike, int], dict[Alike, int]]:
        return alike_counts(self.all_rows), alike_counts(self.shown)

    def shown_ids(self) -> set[int]:
        return {row.action_id for row in self.shown}

    def count(self, kind: str) -> int:
        return len(getattr(exceptions(self.shown), kind))

    def rows(self, kind: str | None = None, window: slice | None = None) -> list[ActionRow]:
        found = getattr(exceptions(self.shown), kind) if kind else self.shown
        return found if window is None else by_urgency(found)[window]

    def retired_ids(self, previous_rows: list[ActionRow]) -> set[int]:
        # What the snapshot before had and this one has not was retired in between.
        return {row.action_id for row in previous_rows} - {row.action_id for row in self.all_rows}


def rating_trend(strategy: Strategy, snapshots: list[Snapshot], levels: list[RatingLevel], now: dict[int, int] | None) -> list[TrendPoint]:
    """Actions at each level in the strategy's recent snapshots (oldest first), and `now` (level id -> actions) for the live plan."""

    def counted() -> dict[int, dict[int, int]]:
        found: dict[int, dict[int, int]] = defaultdict(dict)
        counts = SnapshotAction.objects.filter(snapshot__strategy=strategy).values_list("snapshot_id", "rating_id").annotate(n=Count("id"))
        for snapshot_id, rating_id, n in counts:
            found[snapshot_id][rating_id] = n
        return found

    found = _frozen(f"trend-{strategy.pk}", snapshots, levels, counted)
    recent = sorted(snapshots, key=lambda s: s.as_at)[-TREND_SNAPSHOTS:]
    points = [TrendPoint(f"{s.as_at:%-d %b %Y}", found.get(s.pk, {})) for s in recent]
    if now is not None:
        points.append(TrendPoint("Now", now))
    return points


def kpi_headlines(strategy: Strategy) -> KpiHeadlines:
    rows = scorecard_rows(indicators_with_values(Indicator.objects.filter(strategy=strategy).order_by("position", "id"), detail=False))
    counts = {rag: sum(1 for row in rows if row.rag == rag) for rag in Rag}
    return KpiHeadlines(
        crossings=[c for row in rows if row.latest and (c := crossing_of(row.indicator, row.latest, row.previous))],
        total=len(rows),
        counts=[(rag, counts[rag]) for rag in Rag if counts[rag]],
        off_target=[row for row in rows if row.rag == Rag.OFF_TARGET][:KPI_HEADLINES],
    )


@dataclass
class _Read:
    """What every part of the dashboard starts from: the filters, the plan they choose from and the snapshot compared with."""

    form: DashboardFilterForm
    levels: list[RatingLevel]
    snapshots: list[Snapshot]
    groups: dict[int, DeliveryGroup]
    viewing: Snapshot | None
    previous: Snapshot | None
    today: dt.date
    plan: LivePlan | FrozenPlan
    filtered: bool  # any filter but the snapshot: the plan shows only some of its actions
    beyond_actions: int  # the strategy's revision of all but its actions' own rows, as read before the data

    def previous_rows(self) -> list[ActionRow]:
        return snapshot_rows(self.previous, self.snapshots, self.levels, beyond_actions=self.beyond_actions) if self.previous else []


def _outline(strategy: Strategy) -> tuple[list[RatingLevel], dict[int, DeliveryGroup]]:
    """The strategy's rating levels and its delivery groups (by id, in plan order)."""
    levels = list(RatingLevel.objects.filter(scheme__strategies=strategy))
    groups = DeliveryGroup.objects.filter(strategy=strategy).select_related("priority", "parent").order_by("position", "id")
    return levels, {g.pk: g for g in groups}


def _snapshots_of(strategy_id: int) -> QuerySet[Snapshot]:
    """The strategy's snapshots, newest first, each with the date of its first board."""
    return Snapshot.objects.filter(strategy_id=strategy_id).with_first_board().latest_first()


def _owners_of(strategy_id: int) -> QuerySet[Post]:
    """The posts that own any of the strategy's actions, with their organisations, by title."""
    return Post.objects.filter(actions__strategy_id=strategy_id).select_related("organisation").distinct().order_by("title")


def _read(strategy: Strategy, params: QueryDict, *, beyond_actions: int | None = None) -> _Read:
    """`beyond_actions`: the strategy's revision of everything but its actions, when the caller has read it already (before the data)."""
    if beyond_actions is None:
        beyond_actions = revision_of(strategy.pk, beyond_actions=True)
    levels, groups = _beyond_actions(strategy, beyond_actions, "outline", lambda: _outline(strategy))
    # Read each time (their SQL compiled once a process): the snapshots' boards are meetings, and the owners those of the actions.
    snapshots, posts = kept_objects_together((_snapshots_of, (strategy.pk,)), (_owners_of, (strategy.pk,)))
    form = DashboardFilterForm(params, posts=posts, levels=levels, snapshots=snapshots, groups=list(groups.values()))
    form.is_valid()

    viewing = next((s for s in snapshots if s.pk == form.value_of("snapshot")), None)
    rows = snapshot_rows(viewing, snapshots, levels, beyond_actions=beyond_actions) if viewing else []
    if rows and rows[0].rating.scheme_id != strategy.scheme_id:
        # A snapshot from before the strategy moved to another scheme: its matrix is in the scheme it was rated in.
        levels = list(rows[0].rating.scheme.levels.all())
    owner_titles = None
    if organisation_id := form.value_of("organisation"):
        owner_titles = frozenset(p.title for p in posts if p.organisation_id == organisation_id)
    if owner_id := form.value_of("owner"):
        chosen = frozenset(p.title for p in posts if p.pk == owner_id)
        owner_titles = chosen if owner_titles is None else owner_titles & chosen
    rating = next((level for level in levels if level.code == form.value_of("rating")), None)
    filters = Filters(owner_titles, rating.pk if rating else None, form.value_of("group"), form.value_of("exception"))
    if viewing is None:
        today = timezone.localdate()
        plan: LivePlan | FrozenPlan = LivePlan(strategy, filters, today)
        earlier = snapshots
    else:
        today = viewing.as_at
        plan = FrozenPlan(rows, filters, groups)
        earlier = [s for s in snapshots if s.as_at < viewing.as_at]
    # The last board among the earlier snapshots (the rule book's; the newest when no board has met on one).
    previous = last_board_among(earlier, today)
    filtered = any(form.value_of(name) for name in FILTERS)
    return _Read(form, levels, snapshots, groups, viewing, previous, today, plan, filtered, beyond_actions)


def dashboard_for(strategy: Strategy, params: QueryDict, *, beyond_actions: int | None = None) -> Dashboard:
    """The dashboard of a strategy as the filters in `params` ask (bad values are reported by the form and ignored).

    The figures are counted, not read row by row: the live plan in one grouped
    query. Only the lists shown open are read, a page at a time; the others,
    and the movement, are read when asked for (`exception_list_for`, `movement_for`).
    """
    read = _read(strategy, params, beyond_actions=beyond_actions)
    everything, shown = read.plan.counted()
    previous_counts = None
    if read.previous and read.filtered:
        shown_ids = read.plan.shown_ids()
        previous_counts = alike_counts([row for row in read.previous_rows() if row.action_id in shown_ids])
    elif read.previous:
        previous_counts = _frozen(f"alike-{read.previous.pk}", read.snapshots, read.levels, lambda: alike_counts(read.previous_rows()))
    counts = rating_counts_of(shown, read.levels)
    board = Dashboard(
        strategy=strategy,
        form=read.form,
        levels=read.levels,
        groups=read.groups,
        viewing=read.viewing,
        previous=read.previous,
        today=read.today,
        total=sum(everything.values()),
        shown=sum(shown.values()),
        counts=counts,
        exception_counts=exception_counts(shown),
    )
    now = headline_counts_of(shown)
    board.headlines = headlines(now, headline_counts_of(previous_counts) if previous_counts is not None else None)
    board.headline_overlap = overlap(now)
    board.matrix = delivery_matrix(list(read.groups.values()), counts.by_group, overdue_by_group_of(shown))
    now_by_level = {
        segment.level.pk: segment.count for segment in rating_counts_of(everything, read.levels).overall.segments if segment.count
    }
    board.trend_points = rating_trend(strategy, read.snapshots, read.levels, now_by_level if read.viewing is None else None)
    board.trend = [TrendLine(level, [point.counts.get(level.pk, 0) for point in board.trend_points]) for level in read.levels]
    board.trend_highest = max((line.highest for line in board.trend), default=0)
    board.kpis = _beyond_actions(strategy, read.beyond_actions, "kpis", lambda: kpi_headlines(strategy))
    if read.previous is not None and read.viewing is None:  # the values entered since the last board that crossed, from the rows just read
        board.kpi_crossings = [c for c in board.kpis.crossings if c.value.entered_at > read.previous.taken_at]
    elif read.previous is not None:
        board.kpi_crossings = kpi_crossings_between(strategy.pk, read.previous.taken_at, read.viewing.taken_at)
    board.exception_lists = [
        _exception_list(read, params, key, board.exception_counts[key], read_now=f"{key}_page" in params) for key in EXCEPTION_KINDS
    ]
    if read.viewing:
        board.families_views = families_views_frozen(read.viewing)
    else:
        board.families_views = _beyond_actions(strategy, read.beyond_actions, "families-views", lambda: families_views_current(strategy))
    board.unaddressed_findings = _beyond_actions(strategy, read.beyond_actions, "findings", lambda: findings_unaddressed(strategy))
    # Judged on all the group's actions, whatever the filters show.
    levels_by_id = {level.pk: level for level in read.levels}
    board.disagreements = disagreements_of(ratings_by_group(everything, levels_by_id), board.families_views, read.groups)
    board.matrix = matrix_with_families(board.matrix, board.families_views, {d.group.pk for d in board.disagreements})
    if read.filtered:
        board.actions_page = _page(board.shown, lambda window: read.plan.rows(window=window), params.get("page"), ACTIONS_PER_PAGE)
    if "movement" in params:
        board.moves = _moves(read)
    return board


def _exception_list(read: _Read, params: QueryDict, key: str, count: int, *, read_now: bool) -> ExceptionList:
    """An exception list, its page read now when someone pages through it (else it is read when opened or scrolled to)."""
    page = None
    if read_now and count:
        page = _page(count, lambda window: read.plan.rows(key, window), params.get(f"{key}_page"), EXCEPTIONS_PER_PAGE)
    # Open: the actions rated at risk always, and a list someone is paging through.
    return ExceptionList(key, EXCEPTION_KINDS[key], count, page, open=key == "risk" or f"{key}_page" in params)


def exception_list_for(strategy: Strategy, params: QueryDict, kind: str, *, beyond_actions: int | None = None) -> ExceptionList:
    """One exception list of the dashboard as the filters in `params` ask, the page of it `<kind>_page` asks."""
    read = _read(strategy, params, beyond_actions=beyond_actions)
    return _exception_list(read, params, kind, read.plan.count(kind), read_now=True)


def _moves(read: _Read) -> list[tuple[str, str, list[Move]]]:
    if read.previous is None:
        return []
    shown = read.plan.rows()
    previous_rows = read.previous_rows()
    shown_ids = {row.action_id for row in shown}
    # Filtered, the actions shown before are those the filters show now; else all of them, the since retired included.
    previous_shown = [row for row in previous_rows if row.action_id in shown_ids] if read.filtered else previous_rows
    return movement_once(movement(previous_shown, shown, read.plan.retired_ids(previous_rows)))


def movement_for(
    strategy: Strategy, params: QueryDict, *, beyond_actions: int | None = None
) -> tuple[Snapshot | None, list[tuple[str, str, list[Move]]]]:
    """The movement the dashboard shows (each action once) as the filters in `params` ask, and the snapshot it is since."""
    read = _read(strategy, params, beyond_actions=beyond_actions)
    return read.previous, _moves(read)


def dashboard_rows(strategy: Strategy, params: QueryDict) -> tuple[list[ActionRow], dict[int, DeliveryGroup], dt.date]:
    """The actions the dashboard's filters show, in plan order, with the delivery groups and the date they are as at."""
    read = _read(strategy, params)
    return read.plan.rows(), read.groups, read.today


def dashboard_cache_key(strategy: Strategy, params: QueryDict, *, part: str, latest: bool = False, revision: int | None = None) -> str:
    """The cache key of a part of the dashboard as `params` ask, valid until the strategy next changes.

    The live plan also changes with the date (due soon, overdue), so the key
    has today in it. (A page as at a snapshot shows the live KPIs and findings
    beside the frozen actions, so it is keyed the same way.) Nothing in it
    depends on who is looking, so everyone shares it. With `latest`, the key of
    the copy last built whatever the revision, served while the current one is
    being built. `revision`: the strategy's revision, when the caller has read it already.
    """
    if latest:
        revision = "latest"
    elif revision is None:
        revision = revision_of(strategy.pk)
    return page_key("dashboard", strategy.pk, revision, timezone.localdate().isoformat(), part, params=params)
