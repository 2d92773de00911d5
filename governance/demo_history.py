"""The demo's history: the One Plan moved in time, then three board cycles of updates, views, sign-offs and decisions.

The plan's own dates (due months, the ratings date, the timeline) move by one
whole number of months so that its ratings date falls about seven months before
today. From there the partnership board meets every two months: before each
meeting owners update their actions (a few ratings move each time), the Parent
Carer Forum records what families say, organisations sign off, a snapshot is
frozen and the board records its decisions and actions arising. The cycle after
the last board is in progress. Computed from today's date, so the demo never
goes stale, and from a seeded random generator, so every start is the same.

Written only into a plan just loaded (it has no meeting yet); set-based inserts.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pgtrigger
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from actions.commands import month_shift
from actions.models import Action, ActionChange, ActionUpdate, DeliveryGroup, Evidence, Progress, Snapshot, Strategy
from coproduction.models import FamiliesLevel, FamiliesView
from governance.cycle import is_working_day, working_days_after
from governance.decisions import action_arising_record
from governance.models import ActionArising, Board, Decision, Meeting, Signatory, SignOff, SignOffEvent
from governance.services import snapshot_take
from governance.signoff import sign_offs_for
from kpis.alerts import kpi_crossings_notify
from kpis.models import Indicator, KpiValue
from people.models import Post

CYCLES = 3
MONTHS_BEFORE_TODAY = 7
MEETING_AFTER_SNAPSHOT = dt.timedelta(days=7)
LONDON = ZoneInfo(settings.TIME_ZONE)
_MONTH_NAMES = "|".join(sorted({*calendar.month_name[1:], *calendar.month_abbr[1:], "Sept"}, key=len, reverse=True))
# "September 2025", an academic year "2024/25" or "2025/2026", and a bare year of the plan's time (not an Act's, 2014).
_DATES = re.compile(rf"\b(?P<month>{_MONTH_NAMES})\s+(?P<year>20\d\d)\b|\b(?P<ay>20\d\d)/(?P<ay2>\d\d(?:\d\d)?)\b|\b(?P<y>20[2-9]\d)\b")


def on_a_weekday(day: dt.date) -> dt.date:
    """The day, or the Monday after it if it is a Saturday or Sunday: the demo's boards meet on weekdays."""
    return day if is_working_day(day) else working_days_after(day, 1)


def months_offset(stated: dt.date, today: dt.date) -> int:
    """How many months to move a plan rated as at `stated` so that its ratings date falls about seven months before today."""
    return (today.year * 12 + today.month - MONTHS_BEFORE_TODAY) - (stated.year * 12 + stated.month)


def text_shift(text: str, months: int) -> str:
    """Dates written in a plan's words moved by so many months: "September 2025", "2024/25", "2026"."""
    years = round(months / 12)

    def moved(match: re.Match) -> str:
        if match["month"]:
            name = match["month"]
            number = next(i for i in range(1, 13) if name[:3].casefold() == calendar.month_abbr[i].casefold())
            day = month_shift(dt.date(int(match["year"]), number, 1), months)
            spelled = calendar.month_name[day.month] if name in calendar.month_name[1:] else calendar.month_abbr[day.month]
            return f"{spelled} {day.year}"
        if match["ay"]:
            second = int(match["ay2"]) + years
            return f"{int(match['ay']) + years}/{second % 100:02d}" if len(match["ay2"]) == 2 else f"{int(match['ay']) + years}/{second}"
        return str(int(match["y"]) + years)

    return _DATES.sub(moved, text)


def fixture_shifted(folder: Path, into: Path, today: dt.date) -> tuple[Path, Path, int]:
    """Copies of a plan's actions.csv and plan.json with its dates moved; returns their paths and the months moved."""
    meta = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    months = months_offset(dt.date.fromisoformat(meta["ratings_as_at"]), today)
    meta["ratings_as_at"] = month_shift(dt.date.fromisoformat(meta["ratings_as_at"]), months).isoformat()
    meta["notes"] = [text_shift(note, months) for note in meta.get("notes", [])]
    meta["timeline"] = [
        {**entry, "heading": text_shift(entry["heading"], months), "items": [text_shift(item, months) for item in entry["items"]]}
        for entry in meta.get("timeline", [])
    ]
    actions, details = csv_shifted(folder / "actions.csv", into, months, ("due", "action", "notes")), into / "plan.json"
    details.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return actions, details, months


def csv_shifted(source: Path, into: Path, months: int, columns: tuple[str, ...]) -> Path:
    """A copy of a fixture's CSV, in the folder `into`, with the dates in these columns moved by so many months."""
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, **{key: text_shift(row[key], months) for key in columns if key in row}})
    moved = into / source.name
    moved.write_text(out.getvalue(), encoding="utf-8")
    return moved


def months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year * 12 + later.month) - (earlier.year * 12 + earlier.month)


# Narratives, put together from parts so that no two updates read alike.
_DONE = [
    "Completed in {month}: {what}.",
    "Delivered on time. {what_cap} and the outcome reported to the delivery group in {month}.",
    "This is now done: {what}. Sign-off was given at the {month} delivery group.",
    "Finished in {month}. {what_cap}; the delivery group agreed it can close.",
]
_EMBED = [
    "Now we need to show the impact: the first figures are expected next term.",
    "Impact will be evidenced through the next family survey and the quality audit.",
    "We will track the difference it makes through casework themes and the dashboard.",
    "Schools' feedback will be collected over the next half-term to evidence impact.",
]
_IMPACT = [
    "the spring survey shows more parents know where to find support.",
    "the audit found the new approach used in most of the plans sampled.",
    "casework themes show fewer complaints on this since the change.",
    "schools report the guidance is in use and SENCOs find it helpful.",
    "the dashboard shows the change sustained for two terms.",
]
_DANGLING = {"a", "an", "and", "between", "for", "from", "in", "of", "on", "or", "the", "to", "with", "within"}
_PROPER = {"Local", "Cheshire", "ICB", "SEND", "EHC", "EHCP", "NHS", "Parent", "Council", "Health", "CWP", "PCF", "Ofsted", "AP"}
_PROGRESS = [
    "Work is under way: {what}. {step}",
    "Good progress since the last board. {step}",
    "{step} The working group met twice in {month}.",
    "On course for the due date. {step}",
    "Steady progress in {month}. {step}",
    "{step} Partners agreed the next steps at the {month} delivery group.",
]
_STEPS = [
    "A draft has been shared with the Parent Carer Forum for comment.",
    "The project plan is agreed and the first milestones are met.",
    "Staff briefings have taken place across the three localities.",
    "Schools have been consulted through the head teachers' forum.",
    "The data set is built and the first report is being tested.",
    "Health colleagues have confirmed their leads for the work.",
    "The specification is written and waiting for procurement advice.",
    "Young people from the shadow board reviewed the draft materials.",
    "The pilot in two schools has started and early feedback is positive.",
    "Terms of reference are agreed and membership confirmed.",
    "Funding is confirmed for the year and the post has been advertised.",
    "The guidance has been redrafted after feedback from SENCOs.",
]
_START = [
    "Started in {month}: {what}. A lead has been named and the plan agreed.",
    "Work began in {month} after the delivery group agreed its scope.",
    "Now under way: the first meeting of the task and finish group was in {month}.",
]
_DELAYED = [
    "Delayed: {cause} The recovery plan is to report back to the next delivery group.",
    "Slipping behind: {cause} We are asking the board to note a revised date.",
    "Not on track: {cause} The lead is meeting partners to agree a way forward.",
]
_CAUSES = [
    "the lead post has been vacant since {month}.",
    "the consultation took longer than planned and closed late.",
    "we are waiting for the ICB's decision on funding.",
    "the system change needs the new case management module, now due next term.",
    "school capacity over the summer term meant fewer responses than needed.",
    "a dependency on the joint commissioning review has moved.",
]
_RECOVERED = [
    "Back on track: {step}",
    "Recovered since the last board: the revised plan is working. {step}",
]
_NOT_YET = [
    "Not due to start until later in the plan; scoping notes are being gathered.",
    "Planned for a later phase; no risk to its start at present.",
    "Not yet started: it follows on from earlier actions in this area.",
]
_FAMILIES = {
    FamiliesLevel.IMPROVEMENT: [
        "Families tell us the new {topic} is making a real difference.",
        "Parents at the {month} listening event were positive about the {topic}.",
    ],
    FamiliesLevel.SOME: [
        "Some families notice the {topic} improving, but experience is still mixed.",
        "Parents say the {topic} is better in some areas than others.",
    ],
    FamiliesLevel.NO_CHANGE: [
        "Families have not yet noticed any change in the {topic}.",
        "Parents say the {topic} feels the same as a year ago.",
    ],
    FamiliesLevel.WORSE: [
        "More families are contacting the Forum about the {topic}.",
    ],
}
_FAMILY_TOPICS = {
    "1.": "way the partnership explains its plans",
    "2.": "support in mainstream school",
    "3.": "EHC needs assessment process",
    "5.": "early help for young children",
    "8.": "training for parents and carers",
    "11.": "planning for moves between schools",
    "13.": "information on the Local Offer",
}
_SOURCES = ["Forum listening event, {month}.", "Forum casework themes, {month}.", "Parent carer survey pulse questions, {month}."]
_DECISIONS = [
    "The board noted the progress report and the actions at risk.",
    "The board agreed the revised due dates for the delayed actions, with the reasons recorded.",
    "The board agreed to ask the delivery group leads to present their recovery plans at the next meeting.",
    "The board approved the co-produced communication plan for families.",
    "The board agreed that the families' view will be the first item at every meeting.",
    "The board endorsed the refreshed self-evaluation for sharing with inspectors at the annual engagement meeting.",
    "The board agreed to fund two more SEN support advisers from the high needs block for the rest of the year.",
    "The board accepted the quality assurance report and asked for an audit of plans issued late.",
]
_ARISING = [
    "Bring a recovery plan for EHC needs assessment timeliness to the next board",
    "Write to all schools with the updated SEN support plan guidance",
    "Report the outcome of the transition pilot with the Parent Carer Forum",
    "Agree with the ICB how therapy waiting times will be reported to the board",
]


def demo_time(day: dt.date, hour: int = 14, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def update_dated_in_round(update: ActionUpdate) -> dt.datetime:
    """Date an update the demo records after its history as the round in progress has it: a day after the action's
    previous update (or the last board), and never later than now; its evidence and the action's last change with it.
    """
    action = update.action
    last_board = Snapshot.objects.last_board_for(action.strategy_id)
    earlier = [u.created_at for u in ActionUpdate.objects.filter(action=action).exclude(pk=update.pk)[:1]]
    after = max([*earlier, *([last_board.taken_at] if last_board else [])], default=update.created_at - dt.timedelta(days=1))
    at = min(after + dt.timedelta(days=1), update.created_at)
    with pgtrigger.ignore("actions.ActionUpdate:actionupdate_append_only", "actions.Evidence:evidence_append_only"):
        ActionUpdate.objects.filter(pk=update.pk).update(created_at=at)
        Evidence.objects.filter(update=update).update(created_at=at)
    Action.everything.filter(pk=action.pk, updated_at=update.created_at).update(updated_at=at)
    return at


@dataclass
class _State:
    """An action as the history moves it on: its rating's class and the level it is at."""

    action: Action
    rating_id: int
    version: int
    updated_at: dt.datetime | None = None


@dataclass
class DemoHistory:
    strategy: Strategy
    officer: User
    forum: User
    lead: User
    today: dt.date
    rng: random.Random = field(default_factory=lambda: random.Random(2025))

    def __post_init__(self) -> None:
        levels = list(self.strategy.scheme.levels.all())
        by = {level.progress: level for level in sorted(levels, key=lambda level: level.position)}
        self.not_started = self.strategy.scheme.not_started_level(levels)
        self.on_track = by[Progress.ON_TRACK]
        self.at_risk = by[Progress.AT_RISK]
        complete = sorted((level for level in levels if level.progress == Progress.COMPLETE), key=lambda level: level.position)
        self.embedding, self.done = complete[0], complete[-1]
        self.levels = {level.pk: level for level in levels}
        self.lead_posts = set(self.lead.posts.values_list("pk", flat=True))

    def load(self) -> list[Snapshot]:
        """The three cycles after the plan's own snapshot, and the one in progress; returns the snapshots taken."""
        stated = Snapshot.objects.filter(strategy=self.strategy, as_at=self.strategy.ratings_as_at).first()
        board = Board.objects.filter(partnership=self.strategy.partnership, name__icontains="Partnership Board").first()
        if stated is None or board is None:
            return []
        with transaction.atomic():
            self._backdate_import(stated)
            return self._load(stated, board)

    def _backdate_import(self, stated: Snapshot) -> None:
        """The plan as published was loaded before its ratings date: its import entries say so, not today."""
        at = stated.taken_at - dt.timedelta(hours=1)
        with pgtrigger.ignore("actions.ActionUpdate:actionupdate_append_only", "actions.ActionChange:actionchange_append_only"):
            ActionUpdate.objects.filter(action__strategy=self.strategy, created_at__gt=at).update(created_at=at)
            ActionChange.objects.filter(action__strategy=self.strategy, created_at__gt=at).update(created_at=at)
        Action.everything.filter(strategy=self.strategy).update(created_at=at, updated_at=at)

    def _load(self, stated: Snapshot, board: Board) -> list[Snapshot]:
        states = {
            a.pk: _State(a, a.rating_id, a.version)
            for a in Action.objects.filter(strategy=self.strategy).prefetch_related("owners").select_related("group")
        }
        snapshots, previous = [], stated
        meeting = self._meeting(board, stated.as_at, stated)
        self._decide(meeting, 0, states)
        for cycle in range(1, CYCLES + 1):
            as_at = month_shift(stated.as_at, 2 * cycle)
            self._updates(states, previous, as_at)
            self._families(previous, as_at, cycle)
            self._kpis(as_at)
            meeting = self._meeting(board, as_at, None)
            self._sign(meeting)
            snapshot = snapshot_take(
                strategy=self.strategy,
                as_at=as_at,
                taken_by=self.officer,
                note=f"For the board on {meeting.date:%-d %B %Y}.",
                taken_at=demo_time(as_at, 17, 30),
            )
            Meeting.objects.filter(pk=meeting.pk).update(snapshot=snapshot, status=Meeting.Status.HELD)
            self._decide(meeting, cycle, states)
            snapshots.append(snapshot)
            previous = snapshot
        self._updates(states, previous, self.today, share=0.45)
        self._kpis(self.today)
        return snapshots

    def _meeting(self, board: Board, as_at: dt.date, snapshot: Snapshot | None) -> Meeting:
        day = on_a_weekday(as_at + MEETING_AFTER_SNAPSHOT)
        status = Meeting.Status.HELD if snapshot else Meeting.Status.SCHEDULED
        meeting, _ = Meeting.objects.get_or_create(
            board=board,
            date=day,
            defaults={"strategy": self.strategy, "papers_deadline": as_at, "status": status, "snapshot": snapshot},
        )
        return meeting

    # Updates -----------------------------------------------------------------------------------------

    def _updates(self, states: dict[int, _State], since: Snapshot, until: dt.date, share: float = 0.8) -> None:
        """Owners update most actions still in the round between two boards; a few ratings move."""
        start = since.as_at + dt.timedelta(days=1)
        days = max((until - start).days - 2, 1)
        updates, changed = [], []
        for state in states.values():
            action, level = state.action, self.levels[state.rating_id]
            if level.pk == self.done.pk or self.rng.random() > share:
                continue
            far = level.progress == Progress.NOT_STARTED and (action.due_date is None or action.due_date > month_shift(until, 6))
            if far and self.rng.random() < 0.7:
                continue  # an action not due to start for months is rarely written about
            day = start + dt.timedelta(days=self.rng.randrange(days))
            after = self._move(state, level, until)
            created = demo_time(day, self.rng.randrange(9, 18), self.rng.randrange(60))
            updates.append(
                ActionUpdate(
                    action=action,
                    author=self.lead if self.lead_posts & {p.pk for p in action.owners.all()} else self.officer,
                    created_at=created,
                    rating_before_id=level.pk,
                    rating_after_id=after.pk,
                    narrative=self._narrative(action, level, after, day),
                    source=ActionUpdate.Source.BROWSER,
                )
            )
            state.rating_id, state.version, state.updated_at = after.pk, state.version + 1, created
            changed.append(state)
        ActionUpdate.objects.bulk_create(updates, batch_size=500)
        for state in changed:
            state.action.rating_id, state.action.version, state.action.updated_at = state.rating_id, state.version, state.updated_at
        Action.objects.bulk_update([s.action for s in changed], ["rating", "version", "updated_at"], batch_size=500)

    def _move(self, state: _State, level, until: dt.date):
        """Where an action stands at the next board: most due by then are done; a few start, slip or recover."""
        due, roll = state.action.due_date, self.rng.random()
        if level.progress == Progress.COMPLETE:
            return self.done if roll < 0.3 else level
        if due is not None and due < until:
            if roll < 0.8:
                return self.embedding if self.rng.random() < 0.6 else self.done
            return self.at_risk if roll < 0.9 else level
        if level.progress == Progress.AT_RISK:
            return self.on_track if roll < 0.4 else level
        if level.progress == Progress.NOT_STARTED:
            soon = due is not None and due < until + dt.timedelta(days=150)
            return self.on_track if (soon and roll < 0.7) or roll < 0.08 else level
        return self.at_risk if roll < 0.04 else level

    def _narrative(self, action: Action, before, after, day: dt.date) -> str:
        pick = self.rng.choice
        what = re.split(r",| \(| through | so that | in order to ", action.text)[0].strip().rstrip(".")
        if len(what) > 90:
            what = what[:90].rsplit(" ", 1)[0]
            while what.rsplit(" ", 1)[-1] in _DANGLING:
                what = what.rsplit(" ", 1)[0]
        what = what if what.split(" ")[0] in _PROPER or what[:2] == what[:2].upper() else what[0].lower() + what[1:]
        words = {"month": f"{day:%B}", "what": what, "what_cap": what[0].upper() + what[1:], "step": pick(_STEPS)}
        if after.progress == Progress.COMPLETE and before.progress != Progress.COMPLETE:
            text = pick(_DONE).format(**words)
            return f"{text} {pick(_EMBED)}" if after.pk == self.embedding.pk else text
        if after.pk == self.done.pk:
            return f"Impact now evidenced: {pick(_IMPACT)} The delivery group agreed to close it in {day:%B}."
        if after.progress == Progress.COMPLETE:
            return f"Still embedding. {pick(_EMBED)}"
        if after.progress == Progress.AT_RISK and before.progress != Progress.AT_RISK:
            return pick(_DELAYED).format(cause=pick(_CAUSES).format(**words))
        if after.progress == Progress.AT_RISK:
            return f"Still delayed. {pick(_CAUSES).format(**words).capitalize()} {pick(_STEPS)}"
        if before.progress == Progress.AT_RISK:
            return pick(_RECOVERED).format(**words)
        if before.progress == Progress.NOT_STARTED and after.progress == Progress.ON_TRACK:
            return pick(_START).format(**words)
        if after.progress == Progress.NOT_STARTED:
            return pick(_NOT_YET)
        return pick(_PROGRESS).format(**words)

    # Families' views, KPI values, sign-offs, decisions -------------------------------------------------

    def _families(self, cycle_from: Snapshot, until: dt.date, cycle: int) -> None:
        groups = [
            g for g in DeliveryGroup.objects.filter(strategy=self.strategy, parent__isnull=True) if g.name[:3].strip() in _FAMILY_TOPICS
        ]
        start = cycle_from.as_at
        rows = []
        for group in self.rng.sample(groups, k=min(3, len(groups))):
            level = self.rng.choice([FamiliesLevel.SOME, FamiliesLevel.NO_CHANGE, FamiliesLevel.IMPROVEMENT, FamiliesLevel.WORSE])
            day = start + dt.timedelta(days=self.rng.randrange(5, max((until - start).days - 3, 6)))
            words = {"topic": _FAMILY_TOPICS[group.name[:3].strip()], "month": f"{day:%B}"}
            rows.append(
                FamiliesView(
                    group=group,
                    cycle=cycle_from,
                    level=level,
                    narrative=self.rng.choice(_FAMILIES[level]).format(**words),
                    source=self.rng.choice(_SOURCES).format(**words),
                    publishable=cycle % 2 == 1,
                    recorded_by=self.forum,
                    recorded_at=demo_time(day, 11),
                )
            )
        FamiliesView.objects.bulk_create(rows)

    def _kpis(self, until: dt.date) -> None:
        """The monthly KPIs' figures entered each month, up to the month before `until`.

        Each moves towards its target. The average weeks to issue an EHC plan reaches
        its target in the last month: entered since the last board, it alerts its owners
        and the officers and shows in the movement since the last board.
        """
        if not hasattr(self, "_series"):
            self._series = self._kpi_series()
        last = month_shift(until.replace(day=1), -1)
        rows = []
        for indicator, series in self._series.items():
            while series and series[0][0] <= last:
                month, value = series.pop(0)
                entered = min(demo_time(month_shift(month, 1) + dt.timedelta(days=9), 10), timezone.now() - dt.timedelta(hours=2))
                rows.append(
                    KpiValue(
                        indicator=indicator,
                        period=f"{month:%Y-%m}",
                        period_start=month,
                        value=value,
                        entered_by=self.officer,
                        entered_at=entered,
                        note="Illustrative demo figure.",
                    )
                )
        created = KpiValue.objects.bulk_create(rows)
        if until == self.today:
            kpi_crossings_notify(created)

    def _kpi_series(self) -> dict[Indicator, list[tuple[dt.date, Decimal]]]:
        series = {}
        last = month_shift(self.today.replace(day=1), -1)
        for indicator in Indicator.objects.filter(strategy=self.strategy, frequency="monthly", target__isnull=False).order_by("code"):
            latest = KpiValue.objects.current().filter(indicator=indicator).order_by("-period_start").first()
            if latest is None:
                continue
            months = []
            month = month_shift(latest.period_start, 1)
            while month <= last:
                months.append(month)
                month = month_shift(month, 1)
            crosses = indicator.unit == Indicator.Unit.WEEKS
            if crosses and not indicator.owners.exists():
                indicator.owners.add(*self.lead.posts.filter(partnership=self.strategy.partnership))  # its owner is told when it crosses
            better = 1 if indicator.direction == Indicator.Direction.HIGHER else -1
            # Short of the target until the last month; the crossing one ends just beyond it.
            end = (
                indicator.target + better * Decimal("0.4") if crosses else latest.value + (indicator.target - latest.value) * Decimal("0.8")
            )
            near = indicator.target - better * Decimal("0.3")
            values = []
            for i, _month in enumerate(months, start=1):
                value = latest.value + (end - latest.value) * Decimal(i) / Decimal(len(months))
                if i < len(months):
                    value += Decimal(str(round(self.rng.uniform(-0.6, 0.6), 1)))
                    value = min(value, near) if better > 0 else max(value, near)
                values.append(value.quantize(Decimal("0.1")))
            series[indicator] = list(zip(months, values, strict=True))
        return series

    def _sign(self, meeting: Meeting) -> None:
        """Each organisation's signatory signed off a few days before the papers deadline."""
        sign_offs = sign_offs_for(meeting)
        signatories = dict(
            Signatory.objects.filter(organisation__in=[s.organisation_id for s in sign_offs]).values_list("organisation", "user")
        )
        events = []
        for sign_off in sign_offs:
            user = signatories.get(sign_off.organisation_id)
            if user is None:
                continue
            at = demo_time(meeting.papers_deadline - dt.timedelta(days=self.rng.randrange(1, 5)), self.rng.randrange(9, 17))
            sign_off.status, sign_off.decided_by_id, sign_off.decided_at = SignOff.Status.CONFIRMED, user, at
            events.append(SignOffEvent(sign_off=sign_off, status=SignOff.Status.CONFIRMED, by_id=user, at=at))
        SignOff.objects.bulk_update(sign_offs, ["status", "decided_by", "decided_at"])
        SignOffEvent.objects.bulk_create(events)

    def _decide(self, meeting: Meeting, cycle: int, states: dict[int, _State]) -> None:
        """Two decisions and one action arising, recorded on the day of the meeting."""
        at = demo_time(meeting.date, 15)
        texts = self.rng.sample(_DECISIONS, k=2)
        Decision.objects.bulk_create([Decision(meeting=meeting, text=t, recorded_by=self.officer, recorded_at=at) for t in texts])
        owner = (
            Post.objects.filter(partnership=self.strategy.partnership, holders=self.lead).first()
            or Post.objects.filter(partnership=self.strategy.partnership).first()
        )
        arising = action_arising_record(
            meeting=meeting,
            text=_ARISING[cycle % len(_ARISING)],
            owner=owner,
            due_date=month_shift(meeting.date, 2) - dt.timedelta(days=10),
            by=self.officer,
        )
        ActionArising.objects.filter(pk=arising.pk).update(recorded_at=at)
        Action.everything.filter(pk=arising.action_id).update(created_at=at, updated_at=at)
        with pgtrigger.ignore("actions.ActionChange:actionchange_append_only"):
            ActionChange.objects.filter(action_id=arising.action_id).update(created_at=at)
        action = Action.everything.get(pk=arising.action_id)
        states[action.pk] = _State(action, action.rating_id, action.version)
