"""Reads with real logic behind the plan's pages: views check access, call one of these, and render."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import StringAgg
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, TextField, When
from django.db.models.functions import MD5, Cast, Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from actions import rules
from actions.access import can_update_action, owners_of, posts_held
from actions.models import (
    Action,
    ActionChange,
    ActionUpdate,
    ChaseStep,
    DeliveryGroup,
    EmailDigest,
    EmailPreference,
    Evidence,
    Milestone,
    Notification,
    RatingLevel,
    Snapshot,
    Strategy,
    StrategyRevision,
)
from actions.rows import rows_from_actions
from people.access import is_officer, memberships_read
from people.models import Membership
from send_tracker.cache import page_key
from send_tracker.statements import kept_objects, kept_objects_together, prefetched

MY_ACTIONS_SHOW = {
    "overdue": "Overdue",
    "due_this_month": "Due this month",
    "needs_update": "Needs an update",
}
# After a count of more than one (or none): "7 need an update".
MY_ACTIONS_SHOW_PLURAL = {"needs_update": "need an update"}


@dataclass
class GroupRows:
    group: DeliveryGroup
    actions: list[Action] = field(default_factory=list)


@dataclass
class StrategyRows:
    strategy: Strategy
    groups: dict[int, GroupRows] = field(default_factory=dict)


@dataclass
class RatingFilter:
    level: RatingLevel
    count: int = 0


@dataclass
class MyActions:
    holds_posts: bool
    total: int
    shown_count: int
    strategies: list[StrategyRows]
    rating_filters: list[dict]  # as the show filters: key, label and count
    show_filters: list[dict]
    rating_code: str
    show: str

    in_round: int = 0  # in this cycle's update round (`rules.in_round`): not complete, or completed during the cycle
    updated_in_round: int = 0  # of those, updated since the cycle's start (`rules.cycle_start`; a completed one is)
    since: str = "since the last board"  # where the round counts from, in words (`round_since`)

    @property
    def filtered(self) -> bool:
        return bool(self.rating_code or self.show)


def _partnership_ids(user: User) -> tuple[int, ...]:
    """The person's partnerships, in order: what My actions' key and reads are made for."""
    return tuple(sorted(m.partnership_id for m in memberships_read(user)))


def my_actions_revisions_read(user: User) -> list[tuple[int, int, int]]:
    """Hand the person their posts, as `user.posts.all()` gives them, and return their strategies' revisions.

    Each as (strategy, revision, revision beyond the actions' own tables), read
    afresh with the posts in one round trip, with SQL compiled once a process:
    the first part of My actions' key (`my_actions_cache_key`).
    """
    partnership_ids = _partnership_ids(user)
    posts, revisions = kept_objects_together((posts_held, (user.pk,)), (_revisions_of, (partnership_ids,)))
    prefetched(user, "posts", posts)
    return [(found.strategy_id, found.revision, found.beyond_actions) for found in revisions]


def my_actions_shown_read(user: User, revisions: list[tuple[int, int, int]]) -> tuple:
    """What My actions' key holds once its strategies have changed: what the page shows, rather than every change.

    That is the strategies' revisions beyond the actions' own tables, and a
    digest of what the page shows from those tables of the person's own
    actions (`_mine_shown`): so an update to someone else's action leaves the
    person's list cached, and one to theirs builds it again.
    """
    partnership_ids = _partnership_ids(user)
    return ([(strategy_id, beyond) for strategy_id, _, beyond in revisions], kept_objects(_mine_shown, partnership_ids, user.pk))


def my_actions_cache_key(user: User, params: QueryDict, state: object | None) -> str:
    """A cache key of a person's My actions page, for the `state` of the data it was built from.

    Everything the page shows comes from the person's posts and memberships
    (in the key) and from their partnerships' strategies, judged on today's
    date. Of the strategies, the `state` is either their revisions
    (`my_actions_revisions_read`), which any change raises, or what the page
    shows of them (`my_actions_shown_read`), which only a change to the page
    changes; each read before the data, as the dashboard's. With no state, the
    key of the copy last built whatever the data, served while the current
    one is being built.
    """
    post_ids = sorted(post.pk for post in user.posts.all())
    state = (_partnership_ids(user), post_ids, "latest" if state is None else state)
    return page_key("my-actions", user.pk, timezone.localdate().isoformat(), params=params, state=state)


def _revisions_of(partnership_ids: tuple[int, ...]) -> QuerySet[StrategyRevision]:
    return StrategyRevision.objects.filter(strategy__partnership_id__in=partnership_ids).order_by("strategy_id")


def milestone_progress() -> dict[str, Coalesce]:
    """Annotations of an action queryset: how many milestones it has and how many are done ("3 of 5"), one subquery each."""

    def count(milestones: QuerySet[Milestone]) -> Coalesce:
        counted = milestones.filter(action=OuterRef("pk")).order_by().values("action").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return {"milestones_total": count(Milestone.objects.all()), "milestones_done": count(Milestone.objects.exclude(done_at=None))}


def rows_with_milestones(rows: list) -> list:
    """The rows with each action's milestones done and in all ("3 of 5"), in one query."""
    progress = {
        found["action_id"]: (found["done"], found["total"])
        for found in Milestone.objects.filter(action_id__in=[row.action_id for row in rows])
        .values("action_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)))
    }
    return [dataclasses.replace(row, milestones=progress[row.action_id]) if row.action_id in progress else row for row in rows]


def _mine(partnership_ids: tuple[int, ...], user_id: int) -> QuerySet[Action]:
    """The actions the person's posts own or whose delivery group (or its parent) they lead."""
    held = posts_held(user_id).values("pk")
    owned = Action.owners.through.objects.filter(post_id__in=held).values("action_id")
    led = DeliveryGroup.objects.filter(Q(lead_id__in=held) | Q(parent__lead_id__in=held)).values("pk")
    return Action.objects.filter(strategy__partnership_id__in=partnership_ids).filter(Q(pk__in=owned) | Q(group_id__in=led))


def _latest_update_id() -> Subquery:
    latest_update = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-id")
    return Subquery(latest_update.values("pk")[:1])


def _mine_of(partnership_ids: tuple[int, ...], user_id: int, today: dt.date) -> QuerySet[Action]:
    """The person's actions (`_mine`), with what My actions judges each by.

    `today` is the day the cycle's start is judged on (`rules.cycle_started_at`), which is in the SQL.
    """
    return (
        _mine(partnership_ids, user_id)
        .select_related("strategy", "rating", "group__parent", "group__priority")
        .annotate(
            last_update_id=_latest_update_id(),
            cycle_started_at=rules.cycle_started_at(),
            first_updated_at=rules.first_updated_at(),
            completed_at=rules.last_completed_at(),
            has_owner=Exists(Action.owners.through.objects.filter(action_id=OuterRef("pk"))),
            **milestone_progress(),
        )
        .order_by("strategy__name", "strategy_id", "group__priority__position", "group__position", "group_id", "position", "id")
    )


def _mine_shown(partnership_ids: tuple[int, ...], user_id: int) -> QuerySet[Action]:
    """A digest, a strategy, of what My actions shows of the person's actions from the actions' own tables.

    That is every column of each action, its latest update, and its
    milestones done and in all, as `_mine_of` reads them: the page reads
    nothing else from those tables (an update is never changed, so its id
    stands for it), so the digest in the key tells when the page must be built
    again. What else the page reads of the actions (their owners, their
    strategy's boards) is in tables beyond them, whose changes raise the
    strategy's `beyond_actions` revision. Digested in the order of the actions'
    ids (the page's own order follows from these columns and the other
    tables'), by the database, so the key holds a few bytes however many the
    actions.
    """
    shown = Func(
        *(F(field.attname) for field in Action._meta.concrete_fields), _latest_update_id(), *milestone_progress().values(), function="ROW"
    )
    digest = MD5(StringAgg(Cast(shown, TextField()), delimiter="\n", order_by="id"))
    return _mine(partnership_ids, user_id).order_by().values("strategy_id").annotate(shown=digest).order_by("strategy_id")


def my_actions_for(user: User, *, rating_code: str = "", show: str = "", today: dt.date | None = None) -> MyActions:
    """The actions a person's posts own or whose delivery group they lead, with the rule book's status of each.

    A fixed number of queries whatever the number of actions.
    """
    today = today or timezone.localdate()
    partnership_ids = _partnership_ids(user)
    post_ids = tuple(post.pk for post in user.posts.all())
    rows: list[Action] = []
    if post_ids:
        # Its SQL depends on the partnerships, the person and the day (the cycle's start), and is compiled once a process for each.
        rows = kept_objects(_mine_of, partnership_ids, user.pk, timezone.localdate())
    # Each action's latest update, read once: when it was made and by whom.
    # (Compiled each time: its ids change with every update, and a kept statement per set of them would only fill the cache.)
    latest = ActionUpdate.objects.filter(pk__in=[a.last_update_id for a in rows if a.last_update_id]).select_related("author")
    latest_by_id = {update.pk: update for update in latest}
    for action in rows:
        update = latest_by_id.get(action.last_update_id)
        action.last_updated_at = update.created_at if update else None
        action.last_updated_by = update.author if update else None
        # Judged by the rule book in Python, from the inputs read with the row (cheaper than six columns more to build).
        action.status = rules.status(
            due_date=action.due_date,
            rating=action.rating,
            today=today,
            owner_count=int(action.has_owner),
            last_updated_at=action.last_updated_at,
            cycle_started_at=action.cycle_started_at,
            first_updated_at=action.first_updated_at,
        )
        for name in rules.STATUS_FIELDS:
            setattr(action, name, getattr(action.status, name))
        action.in_round = rules.in_round(action.rating, action.completed_at, action.cycle_started_at, action.first_updated_at)
        action.due_this_month = action.due_date is not None and (action.due_date.year, action.due_date.month) == (today.year, today.month)

    if show not in MY_ACTIONS_SHOW:
        show = ""
    levels: dict[str, RatingFilter] = {}
    for action in rows:
        levels.setdefault(action.rating.code, RatingFilter(action.rating)).count += 1
    if rating_code not in levels:
        rating_code = ""
    show_counts = {key: sum(1 for a in rows if getattr(a, key)) for key in MY_ACTIONS_SHOW}

    shown = [a for a in rows if (not rating_code or a.rating.code == rating_code) and (not show or getattr(a, show))]
    strategies: dict[int, StrategyRows] = {}
    for action in shown:
        by_strategy = strategies.setdefault(action.strategy_id, StrategyRows(action.strategy))
        by_strategy.groups.setdefault(action.group_id, GroupRows(action.group)).actions.append(action)
    return MyActions(
        holds_posts=bool(post_ids),
        total=len(rows),
        shown_count=len(shown),
        strategies=list(strategies.values()),
        rating_filters=[
            {"key": e.level.code, "label": e.level.label, "count": e.count}
            for e in sorted(levels.values(), key=lambda e: (e.level.scheme_id, e.level.position))
        ],
        show_filters=[
            {
                "key": key,
                "label": label,
                "count": show_counts[key],
                "counted": label.lower() if show_counts[key] == 1 else MY_ACTIONS_SHOW_PLURAL.get(key, label.lower()),
            }
            for key, label in MY_ACTIONS_SHOW.items()
        ],
        rating_code=rating_code,
        in_round=sum(1 for a in rows if a.in_round),
        updated_in_round=sum(1 for a in rows if a.in_round and not a.needs_update),
        since=round_since({a.cycle_started_at is not None for a in rows if a.in_round}),
        show=show,
    )


def round_since(had_board: set[bool]) -> str:
    """Where a round counts from, in words, given whether each of its actions' plans has had a board: "7 of 19 updated
    since the last board"; before a plan's first board, since each action's starting rating, as the plan came in."""
    if had_board == {False}:
        return "since the plan came in"
    return "since the last board (or, for a plan with no board yet, since it came in)" if len(had_board) > 1 else "since the last board"


def has_own_actions(user: User) -> bool:
    """Whether the person holds a post (owning actions, or leading a delivery group): whether My actions is theirs."""
    return user.posts.exists()


# The strategy page: the plan's outline with counts, each group's actions on request --------------

# A plan (or a filtered part of one) this small is shown whole; a larger one opens group by group,
# so the page stays a page (the One Plan in full is over 30,000 px tall).
STRATEGY_OPEN_UP_TO = 20


@dataclass
class GroupOutline:
    group: DeliveryGroup
    count: int  # actions shown, after the filters, its sub-groups' included
    own: int  # ... of them in the group itself (the rest are in its sub-groups)
    ratings: list[tuple[RatingLevel, int]]  # levels with at least one action (sub-groups' included), worst first
    open: bool
    rows: list = field(default_factory=list)  # actions.rows.ActionRow, when open
    open_query: str = ""  # the page's query with this group opened
    close_query: str = ""  # ... and with it closed


@dataclass
class PriorityOutline:
    priority: object
    groups: list[GroupOutline]

    @property
    def count(self) -> int:
        return sum(g.own for g in self.groups)


@dataclass
class StrategyOutline:
    priorities: list[PriorityOutline]
    levels: list[RatingLevel]
    search: str
    rating: RatingLevel | None
    show_all: bool
    total: int
    all_query: str  # the page's query with everything shown

    @property
    def is_filtered(self) -> bool:
        return bool(self.search or self.rating)


def _query_with(params: QueryDict, **changes: list[str]) -> str:
    query = params.copy()
    for name, values in changes.items():
        query.setlist(name, values)
    return query.urlencode()


def strategy_actions_filtered(strategy: Strategy, params: QueryDict, levels: list[RatingLevel]):
    """The strategy's actions the page's search (`q`: ref or words of the action) and rating filters allow."""
    actions = Action.objects.filter(strategy=strategy)
    search = params.get("q", "").strip()[:200]
    if search:
        actions = actions.filter(Q(ref__icontains=search) | Q(text__icontains=search))
    rating = next((level for level in levels if level.code == params.get("rating")), None)
    if rating is not None:
        actions = actions.filter(rating=rating)
    return actions, search, rating


def strategy_outline(strategy: Strategy, params: QueryDict) -> StrategyOutline:
    """Priorities and delivery groups with how many actions each has at each rating (counted by the
    database), and the actions of the groups asked for (`open`, repeatable; `show=all` for every one)."""
    levels = list(strategy.scheme.levels.all())
    by_pk = {level.pk: level for level in levels}
    actions, search, rating = strategy_actions_filtered(strategy, params, levels)
    counted: dict[int, dict[int, int]] = {}
    for group_id, rating_id, n in actions.order_by().values_list("group_id", "rating_id").annotate(n=Count("pk")):
        counted.setdefault(group_id, {})[rating_id] = n
    total = sum(sum(found.values()) for found in counted.values())
    show_all = params.get("show") == "all" or total <= STRATEGY_OPEN_UP_TO
    asked = {int(value) for value in params.getlist("open") if value.isdigit()}
    groups = list(DeliveryGroup.objects.filter(strategy=strategy).select_related("lead", "parent").order_by("position", "id"))
    filtered = bool(search or rating)
    with_subgroups = {group.pk: Counter(counted.get(group.pk, {})) for group in groups}
    for group in groups:
        if group.parent_id in with_subgroups:
            with_subgroups[group.parent_id].update(counted.get(group.pk, {}))
    outlines: dict[int, list[GroupOutline]] = {}
    for group in groups:
        found = with_subgroups[group.pk]
        count = sum(found.values())
        if filtered and not count:
            continue
        others = sorted(asked - {group.pk})
        outlines.setdefault(group.priority_id, []).append(
            GroupOutline(
                group=group,
                count=count,
                own=sum(counted.get(group.pk, {}).values()),
                ratings=[(by_pk[pk], found[pk]) for pk in sorted(found, key=lambda pk: by_pk[pk].position) if pk in by_pk],
                open=show_all or group.pk in asked,
                open_query=_query_with(params, open=[str(pk) for pk in sorted(asked | {group.pk})]),
                close_query=_query_with(params, open=[str(pk) for pk in others]),
            )
        )
    opened = {o.group.pk: o for found in outlines.values() for o in found if o.open and o.own}
    if opened:
        for row in rows_with_milestones(rows_from_actions(actions.filter(group_id__in=list(opened)))):
            opened[row.group_id].rows.append(row)
    priorities = [PriorityOutline(p, outlines.get(p.pk, [])) for p in strategy.priorities.all()]
    if filtered:
        priorities = [p for p in priorities if p.groups]
    return StrategyOutline(
        priorities=priorities,
        levels=levels,
        search=search,
        rating=rating,
        show_all=params.get("show") == "all",
        total=total,
        all_query=_query_with(params, show=["all"], open=[]),
    )


def _updates_of(action_id: int) -> QuerySet[ActionUpdate]:
    return ActionUpdate.objects.filter(action_id=action_id).select_related("author", "rating_before", "rating_after")


def _evidence_of(action_id: int) -> QuerySet[Evidence]:
    return Evidence.objects.filter(update__action_id=action_id)


def _related_of(action_id: int) -> QuerySet[Action]:
    """The live actions related to it (the relation is symmetrical: stored both ways)."""
    return Action.objects.filter(related=action_id).select_related("rating").order_by("position", "id")


def _changes_of(action_id: int) -> QuerySet[ActionChange]:
    return ActionChange.objects.filter(action_id=action_id).select_related("author")


def _chase_steps_of(action_id: int) -> QuerySet[ChaseStep]:
    return ChaseStep.objects.filter(action_id=action_id)


def _milestones_of(action_id: int) -> QuerySet[Milestone]:
    # One action's, in its own order: the model's ordering starts with the action's, which joins up to its partnership.
    return Milestone.objects.filter(action_id=action_id).order_by("position", "id")


def _levels_of(scheme_id: int) -> QuerySet[RatingLevel]:
    return RatingLevel.objects.filter(scheme_id=scheme_id)


def scheme_levels(scheme_id: int) -> list[RatingLevel]:
    """The scheme's rating levels in order, read afresh (their SQL compiled once a process)."""
    return kept_objects(_levels_of, scheme_id)


def _last_board_of(strategy_id: int, today: dt.date) -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(strategy_id=strategy_id).last_board_first(today)[:1]


def _findings_of(action_id: int) -> QuerySet:
    """The inspection findings the action answers (a model of a later app, reached through the relation)."""
    return Action._meta.get_field("findings").related_model.objects.filter(actions=action_id)


def _strand_links_of(action_id: int) -> QuerySet:
    # All of one strategy's (the action's), so by strand: the model's ordering starts with the strategy's, a join.
    return Action._meta.get_field("strand_links").related_model.objects.filter(action_id=action_id).order_by("strand", "id")


def _of_action(items: list, action: Action) -> list:
    """The rows read for the action, each knowing its action (as its related manager would have set it)."""
    for item in items:
        item.action = action
    return items


def action_page_read(user: User, action: Action, membership: Membership, *, whole: bool = True) -> dict:
    """What the action page shows of the action: owners, its whole history, its status as at today and its milestones.

    Each of its reads depends only on the action (its strategy, its scheme, the day), so their SQL is compiled once a
    process, and they are sent together, in one round trip. The findings and evaluation strands are read with them for
    the `whole` page, and only if shown for a section that htmx asks for.
    """
    today = timezone.localdate()
    reads = [
        (owners_of, (action.pk,)),
        (_updates_of, (action.pk,)),
        (_evidence_of, (action.pk,)),
        (_changes_of, (action.pk,)),
        (_chase_steps_of, (action.pk,)),
        (_last_board_of, (action.strategy_id, today)),
        (_milestones_of, (action.pk,)),
        (_related_of, (action.pk,)),
        (_levels_of, (action.strategy.scheme_id,)),
    ]
    if whole:
        reads += [(_findings_of, (action.pk,)), (_strand_links_of, (action.pk,))]
    owners, updates, evidence_items, changes, chase_steps, boards, milestones, related, levels, *linked = kept_objects_together(*reads)
    findings, strand_links = linked or (
        SimpleLazyObject(lambda: kept_objects(_findings_of, action.pk)),
        SimpleLazyObject(lambda: kept_objects(_strand_links_of, action.pk)),
    )
    prefetched(action, "owners", owners)
    updates = _of_action(updates, action)
    by_update = {update.pk: update for update in updates}
    evidence: dict[int, list[Evidence]] = {}
    for item in evidence_items:
        item.update = by_update[item.update_id]
        evidence.setdefault(item.update_id, []).append(item)
    for update in updates:
        prefetched(update, "evidence", evidence.get(update.pk, []))
    changes = _of_action(changes, action)
    # The whole history in time order, newest first: ratings and narratives, every change to the plan's entry,
    # and every repeat reminder and escalation while it was overdue.
    history = sorted(
        [{"kind": "update", "at": u.created_at, "item": u} for u in updates]
        + [{"kind": "change", "at": c.created_at, "item": c} for c in changes]
        + [{"kind": "chase", "at": step.created_at, "item": step} for step in _of_action(chase_steps, action)],
        key=lambda entry: (entry["at"], entry["kind"] == "change"),
        reverse=True,
    )
    cycle = next(iter(boards), None)
    action_status = rules.status(
        due_date=action.due_date,
        rating=action.rating,
        today=today,
        owner_count=len(owners),
        last_updated_at=updates[0].created_at if updates else None,
        cycle_started_at=cycle.taken_at if cycle else None,
        first_updated_at=updates[-1].created_at if updates else None,
    )
    milestones = _of_action(milestones, action)
    for milestone in milestones:
        milestone.overdue = rules.is_milestone_overdue(milestone.due_date, milestone.done_at, bool(action.retired_at), today)
    return {
        "action": action,
        "strategy": action.strategy,
        "membership": membership,
        "owners": owners,
        "related": related,
        "findings": findings,
        "strand_links": strand_links,
        "what_we_will_see": action.group.what_we_will_see or (action.group.parent.what_we_will_see if action.group.parent_id else []),
        "updates": updates,
        "history": history,
        "due_change": next((c for c in changes if c.field == ActionChange.Field.DUE), None),
        "is_officer": is_officer(membership),
        "latest": updates[0] if updates else None,
        "may_update": can_update_action(user, membership, action),
        "levels": levels,
        "today": today,
        "action_status": action_status,
        "milestones": milestones,
        "milestones_done": sum(1 for m in milestones if m.done_at),
    }


NOTIFICATIONS_PER_PAGE = 25
NOTIFICATIONS_PER_KIND = 5  # on the overview, each kind shows its newest few and links to the rest


def notifications_scope(user: User, params: QueryDict) -> tuple[QuerySet, str]:
    """The person's notifications the page shows: unread ones, or all with ?show=all; one kind with ?kind=."""
    items = Notification.objects.visible_to(user)
    if params.get("show") != "all":
        items = items.filter(read_at__isnull=True)
    kind = params.get("kind", "")
    if kind in Notification.Kind.values:
        items = items.filter(kind=kind)
    else:
        kind = ""
    return items, kind


def _notifications_yours(user, *, officer: bool) -> list[str]:
    """What the person is told about, in words that fit them: "actions you own" only to someone who owns one."""
    yours = []
    if Action.objects.filter(owners__holders=user).exists():
        yours.append("actions you own that became overdue, are due soon or need an update before the board, and their milestones")
    if officer:
        yours.append("every action of the partnerships you are a programme officer for")
    if user.notifications.filter(kind=Notification.Kind.SIGN_OFF).exists():
        yours.append("the sign-offs your organisation gives before each board")
    return yours


def notifications_page(user: User, params: QueryDict) -> dict:
    """The notifications page: each kind's newest few, or one kind paged, and for officers the emails that could not be sent."""
    items, kind = notifications_scope(user, params)
    counts = dict(items.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    # A notification asking for an update says when one was recorded since: it stays unread until the person marks it,
    # but there is nothing more to do for it.
    update_since = ActionUpdate.objects.filter(action=OuterRef("action"), created_at__gt=OuterRef("created_at")).order_by("-created_at")
    listed = (
        items.select_related("action__strategy", "action__rating")
        .annotate(
            updated_since=Case(
                When(kind__in=Notification.ANSWERED_BY_AN_UPDATE, then=Subquery(update_since.values("created_at")[:1])), default=None
            )
        )
        .order_by("-created_at", "-id")
    )
    groups, page = [], None
    if kind:
        page = Paginator(listed, NOTIFICATIONS_PER_PAGE).get_page(params.get("page"))
        groups = [(Notification.Kind(kind), counts.get(kind, 0), list(page))]
    else:
        groups = [
            (each, counts[each.value], list(listed.filter(kind=each)[:NOTIFICATIONS_PER_KIND]))
            for each in Notification.Kind
            if counts.get(each.value)
        ]
    officer_of = [m.partnership_id for m in memberships_read(user) if is_officer(m)]
    failed = []
    if officer_of:
        failed = (
            EmailDigest.objects.filter(status=EmailDigest.Status.FAILED, recipient__memberships__partnership_id__in=officer_of)
            .select_related("recipient")
            .distinct()
            .order_by("-day", "recipient__email")[:100]
        )
    return {
        "groups": groups,
        "page": page,
        "kind": kind,
        "show_all": params.get("show") == "all",
        "total": sum(counts.values()),
        "yours": _notifications_yours(user, officer=bool(officer_of)),
        "failed_digests": failed,
        "is_officer": bool(officer_of),
        # How often they chose to be emailed, said beside the link to change it (daily until they choose).
        "email_frequency": EmailPreference.objects.filter(user=user).values_list("frequency", flat=True).first()
        or EmailPreference.Frequency.DAILY,
    }
