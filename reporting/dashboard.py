"""The dashboard's read: everything a board member sees for one strategy and one set of filters.

`dashboard_for` makes a fixed number of queries whatever the plan's size; the
figures come from the same row functions as the board pack (reporting.summaries).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.http import QueryDict
from django.utils import timezone

from actions.models import Action, DeliveryGroup, RatingLevel, Snapshot, SnapshotAction, Strategy, last_board_among
from actions.revisions import revision_of
from actions.rows import ActionRow, rows_from_actions, rows_from_snapshot
from coproduction.services import Disagreement, disagreements, families_views_current, families_views_frozen
from kpis.alerts import Crossing, crossing_of, kpi_crossings_between
from kpis.models import Indicator, Rag
from kpis.scorecard import ScorecardRow, indicators_with_values, scorecard_rows
from people.models import Post
from reporting.report import MatrixSection, delivery_matrix, matrix_with_families, overdue_by_group
from reporting.summaries import (
    EXCEPTION_KINDS,
    Exceptions,
    Headline,
    Move,
    Movement,
    RatingCounts,
    by_urgency,
    exceptions,
    headline_counts,
    headlines,
    movement,
    movement_once,
    overlap,
    rating_counts,
    rows_filter,
)
from send_tracker.cache import cache_get, cache_set, page_key

EXCEPTIONS_PER_PAGE = 10
ACTIONS_PER_PAGE = 50
KPI_HEADLINES = 5
TREND_SNAPSHOTS = 6  # a year of bi-monthly boards


class DashboardFilterForm(forms.Form):
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
    page: Page
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
    rows: list[ActionRow]
    counts: RatingCounts
    exceptions: Exceptions
    movement: Movement | None
    headlines: list[Headline] = field(default_factory=list)
    headline_overlap: str = ""  # the headline figures' overlap in words (overdue is counted under a rating too)
    matrix: list[MatrixSection] = field(default_factory=list)
    trend_points: list[TrendPoint] = field(default_factory=list)
    trend: list[TrendLine] = field(default_factory=list)
    trend_highest: int = 0
    kpis: KpiHeadlines | None = None
    exception_lists: list[ExceptionList] = field(default_factory=list)
    moves: list[tuple[str, str, list[Move]]] = field(default_factory=list)
    actions_page: Page | None = None
    families_views: dict = field(default_factory=dict)  # group id -> its families' view (live or as frozen)
    disagreements: list[Disagreement] = field(default_factory=list)
    kpi_crossings: list[Crossing] = field(default_factory=list)  # KPIs that crossed their target since the last board

    def is_filtered(self) -> bool:
        return any(self.form.value_of(name) for name in ("organisation", "owner", "group", "rating", "exception"))


def _frozen(name: str, snapshots: list[Snapshot], levels: list[RatingLevel], build):
    """What `build` reads from the strategy's snapshots, kept until a snapshot is taken or removed, or a level changes.

    A snapshot's items never change once taken, so an update to the live plan
    (which raises the strategy's revision and rebuilds the dashboard) reads them
    from the cache instead of the database. The key holds every snapshot of the
    strategy (a row's cycle starts at the snapshot before it) and the levels as
    they read now.
    """
    state = (
        [(s.pk, s.as_at, s.taken_at) for s in snapshots],
        [(lv.pk, lv.code, lv.label, lv.colour, lv.meaning, lv.position, lv.progress) for lv in levels],
    )
    key = page_key("dashboard-frozen", name, state=state)
    found = cache_get(key)
    if found is None:
        found = build()
        cache_set(key, found, settings.DASHBOARD_CACHE_SECONDS)
    return found


def snapshot_rows(snapshot: Snapshot, snapshots: list[Snapshot], levels: list[RatingLevel]) -> list[ActionRow]:
    """The rows frozen in one of the strategy's `snapshots`, from the cache when they have been read before."""

    def build() -> list[ActionRow]:
        rows = rows_from_snapshot(snapshot)
        for row in rows:
            row.status  # noqa: B018 - judged once, on the snapshot's date, and kept with the row
        return rows

    return _frozen(f"rows-{snapshot.pk}", snapshots, levels, build)


def _page(items: list, number: str | None, per_page: int) -> Page:
    return Paginator(items, per_page).get_page(number)


def rating_trend(strategy: Strategy, snapshots: list[Snapshot], levels: list[RatingLevel], now: list[ActionRow] | None) -> list[TrendPoint]:
    """Actions at each level in the strategy's recent snapshots (oldest first), and now when the live plan is shown."""

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
        live: dict[int, int] = defaultdict(int)
        for row in now:
            live[row.rating.pk] += 1
        points.append(TrendPoint("Now", dict(live)))
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


def dashboard_for(strategy: Strategy, params: QueryDict) -> Dashboard:
    """The dashboard of a strategy as the filters in `params` ask (bad values are reported by the form and ignored)."""
    levels = list(strategy.scheme.levels.all())
    snapshots = list(Snapshot.objects.filter(strategy=strategy).with_first_board().latest_first())
    posts = list(Post.objects.filter(actions__strategy=strategy).select_related("organisation").distinct().order_by("title"))
    groups = {
        g.pk: g for g in DeliveryGroup.objects.filter(strategy=strategy).select_related("priority", "parent").order_by("position", "id")
    }
    form = DashboardFilterForm(params, posts=posts, levels=levels, snapshots=snapshots, groups=list(groups.values()))
    form.is_valid()

    viewing = next((s for s in snapshots if s.pk == form.value_of("snapshot")), None)
    if viewing is None:
        today = timezone.localdate()
        rows = rows_from_actions(Action.objects.filter(strategy=strategy))
        earlier = snapshots
    else:
        today = viewing.as_at
        rows = snapshot_rows(viewing, snapshots, levels)
        earlier = [s for s in snapshots if s.as_at < viewing.as_at]
    # The last board among the earlier snapshots (the rule book's; the newest when no board has met on one).
    previous = last_board_among(earlier, today)
    if rows and rows[0].rating.scheme_id != strategy.scheme_id:
        # A snapshot from before the strategy moved to another scheme: its matrix is in the scheme it was rated in.
        levels = list(rows[0].rating.scheme.levels.all())

    owner_titles = None
    if organisation_id := form.value_of("organisation"):
        owner_titles = {p.title for p in posts if p.organisation_id == organisation_id}
    if owner_id := form.value_of("owner"):
        chosen = {p.title for p in posts if p.pk == owner_id}
        owner_titles = chosen if owner_titles is None else owner_titles & chosen
    rating = next((level for level in levels if level.code == form.value_of("rating")), None)
    action_ids = None
    if kind := form.value_of("exception"):
        action_ids = {row.action_id for row in getattr(exceptions(rows), kind)}
    shown = rows_filter(rows, owner_titles=owner_titles, rating_id=rating.pk if rating else None, action_ids=action_ids)
    if group_id := form.value_of("group"):
        shown = [row for row in shown if row.group_id == group_id or getattr(groups.get(row.group_id), "parent_id", None) == group_id]

    previous_rows = snapshot_rows(previous, snapshots, levels) if previous else []
    shown_ids = {row.action_id for row in shown}
    previous_shown = [row for row in previous_rows if row.action_id in shown_ids] if len(shown) != len(rows) else previous_rows
    counts = rating_counts(shown, levels)
    found = exceptions(shown)
    if viewing is None:
        retired_ids = set(Action.everything.filter(strategy=strategy, retired_at__isnull=False).values_list("pk", flat=True))
    else:  # what the snapshot before had and this one has not was retired in between
        retired_ids = {row.action_id for row in previous_rows} - {row.action_id for row in rows}
    moved = movement(previous_shown, shown, retired_ids) if previous else None

    board = Dashboard(
        strategy=strategy,
        form=form,
        levels=levels,
        groups=groups,
        viewing=viewing,
        previous=previous,
        today=today,
        total=len(rows),
        rows=shown,
        counts=counts,
        exceptions=found,
        movement=moved,
    )
    now = headline_counts(shown)
    board.headlines = headlines(now, headline_counts(previous_shown) if previous else None)
    board.headline_overlap = overlap(now)
    board.matrix = delivery_matrix(list(groups.values()), counts.by_group, overdue_by_group(shown))
    board.trend_points = rating_trend(strategy, snapshots, levels, rows if viewing is None else None)
    board.trend = [TrendLine(level, [point.counts.get(level.pk, 0) for point in board.trend_points]) for level in levels]
    board.trend_highest = max((line.highest for line in board.trend), default=0)
    board.kpis = kpi_headlines(strategy)
    if previous is not None and viewing is None:  # the values entered since the last board that crossed, from the rows just read
        board.kpi_crossings = [c for c in board.kpis.crossings if c.value.entered_at > previous.taken_at]
    elif previous is not None:
        board.kpi_crossings = kpi_crossings_between(strategy.pk, previous.taken_at, viewing.taken_at)
    board.exception_lists = [
        ExceptionList(
            key,
            label,
            len(found_rows),
            _page(by_urgency(found_rows), params.get(f"{key}_page"), EXCEPTIONS_PER_PAGE),
            open=key == "risk" or f"{key}_page" in params,
        )
        for key, label, found_rows in found.kinds()
    ]
    board.moves = movement_once(moved) if moved else []
    board.families_views = families_views_frozen(viewing) if viewing else families_views_current(strategy)
    # Judged on all the group's actions, whatever the filters show.
    board.disagreements = disagreements(rows, board.families_views, groups)
    board.matrix = matrix_with_families(board.matrix, board.families_views, {d.group.pk for d in board.disagreements})
    if board.is_filtered():
        board.actions_page = _page(by_urgency(shown), params.get("page"), ACTIONS_PER_PAGE)
    return board


def dashboard_cache_key(strategy: Strategy, params: QueryDict, *, part: str, officer: bool, latest: bool = False) -> str:
    """The cache key of a dashboard page as `params` ask, valid until the strategy next changes.

    The live plan also changes with the date (due soon, overdue), so the key
    has today in it. (A page as at a snapshot shows the live KPIs and findings
    beside the frozen actions, so it is keyed the same way.) With `latest`, the
    key of the copy last built whatever the revision, served while the current
    one is being built.
    """
    revision = "latest" if latest else revision_of(strategy.pk)
    return page_key("dashboard", strategy.pk, revision, timezone.localdate().isoformat(), part, int(officer), params=params)
