"""Rating schemes: the ones real partnerships use, shipped with the product (see migration 0002), and a partnership's own.

A shipped scheme is shared by every partnership and never changes in the
browser; a partnership makes its own (or copies a shipped one) and sees only
its own. Every level has exactly one class (actions/rules.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from actions.models import Action, ActionChange, Progress, RatingLevel, RatingScheme, Strategy
from actions.signals import actions_updated
from people.models import Partnership

# Each level: code, label, colour, meaning, position (worst to best), its class (and whether it is the default), aliases.
NOT_STARTED_DEFAULT = {"progress": "not_started", "is_default": True}

# The levels RAG and BRAG share; they differ only in how they say complete.
_RED_AMBER_GREEN = [
    (
        "red",
        "Red",
        "red",
        "Not on track: significant risk to delivery",
        0,
        {"progress": "at_risk"},
        ["Off track", "Not on track", "Delayed"],
    ),
    (
        "not-started",
        "Not started",
        "grey",
        "Not started yet",
        1,
        {"progress": "not_started", "is_default": True},
        ["Not yet started", "Grey"],
    ),
    ("amber", "Amber", "amber", "Some risk to delivery, being managed", 2, {"progress": "at_risk"}, ["At risk", "Some slippage"]),
    ("green", "Green", "green", "On track", 3, {"progress": "on_track"}, ["On track"]),
]

SCHEMES = [
    {
        "code": "cheshire-east",
        "name": "Cheshire East five-level rating",
        "description": "Grey, Red, Amber, Amber E and Green, as in section 10 of the SEND and AP One Plan.",
        "levels": [
            ("red", "Red", "red", "Action not on track", 0, {"progress": "at_risk"}, ["Delayed", "Not on track", "Off track"]),
            (
                "grey",
                "Grey",
                "grey",
                "Action not started yet, no risk to implementation anticipated",
                1,
                {"progress": "not_started", "is_default": True},
                ["Not yet started; no risk anticipated", "Not yet started", "Not started"],
            ),
            (
                "amber",
                "Amber",
                "amber",
                "Action not yet completed, but on track to be completed within timescales",
                2,
                {"progress": "on_track"},
                ["On track", "In progress"],
            ),
            (
                "amber-e",
                "Amber E",
                "amber-e",
                "Action completed but we need to embed and evidence impact",
                3,
                {"progress": "complete"},
                ["Complete but need to evidence impact", "AmberE", "Amber-E", "Complete - impact to be evidenced"],
            ),
            (
                "green",
                "Green",
                "green",
                "Action completed and embedded with evidence of impact",
                4,
                {"progress": "complete"},
                ["Complete", "Completed", "Complete and embedded"],
            ),
        ],
    },
    {
        "code": "rag",
        "name": "RAG",
        "description": "Red, Amber, Green, with Not started and Complete.",
        "levels": [
            *_RED_AMBER_GREEN,
            ("complete", "Complete", "green", "Complete", 4, {"progress": "complete"}, ["Completed", "Done"]),
        ],
    },
    {
        "code": "brag",
        "name": "BRAG",
        "description": "Blue (complete), Red, Amber, Green, with Not started.",
        "levels": [
            *_RED_AMBER_GREEN,
            ("blue", "Blue", "blue", "Complete", 4, {"progress": "complete"}, ["Complete", "Completed", "Done"]),
        ],
    },
]


def install_schemes(RatingScheme, RatingLevel) -> None:  # noqa: N803 - model classes from a migration
    """Create or refresh the shipped schemes, as the models stand at the migration that calls this.

    Before the classification was stored (migration 0002) a level carried three
    flags instead; they are written from the class where the model still has them.
    """
    writable = {f.name for f in RatingLevel._meta.concrete_fields if not f.generated}
    for scheme in SCHEMES:
        obj, _ = RatingScheme.objects.update_or_create(
            code=scheme["code"], defaults={"name": scheme["name"], "description": scheme["description"]}
        )
        for code, label, colour, meaning, position, fields, aliases in scheme["levels"]:
            progress = fields["progress"]
            values = {
                "label": label,
                "colour": colour,
                "meaning": meaning,
                "position": position,
                "aliases": aliases,
                "is_default": fields.get("is_default", False),
                "progress": progress,
                "is_complete": progress == "complete",
                "is_risk": progress == "at_risk",
                "is_on_track": progress == "on_track",
            }
            RatingLevel.objects.update_or_create(scheme=obj, code=code, defaults={k: v for k, v in values.items() if k in writable})


def shipped_progress() -> dict[tuple[str, str], str]:
    """The class of each shipped level, by (scheme code, level code)."""
    return {(scheme["code"], level[0]): level[5]["progress"] for scheme in SCHEMES for level in scheme["levels"]}


# A partnership's own schemes ---------------------------------------------------------------------


class SchemeRuleError(ValueError):
    """A scheme or a change of scheme the product refuses, with the form field it is about (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LevelDraft:
    """A level as an officer writes it: `order` puts the levels from worst to best."""

    label: str
    meaning: str
    progress: str
    colour: str
    order: int
    field: str = ""  # the form's prefix for this level's fields, to put an error beside them


def _unique_code(wanted: str, taken: set[str], limit: int) -> str:
    base = (slugify(wanted) or "level")[:limit].strip("-") or "level"
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base[: limit - len(str(n)) - 1]}-{n}"
    taken.add(code)
    return code


def levels_checked(levels: list[LevelDraft]) -> list[LevelDraft]:
    """The levels worst to best, or SchemeRuleError naming what is wrong: every scheme needs each of these to work."""
    if len(levels) < 2:
        raise SchemeRuleError("Give the scheme at least two levels", levels[0].field + "label" if levels else None)
    seen: dict[str, LevelDraft] = {}
    orders: set[int] = set()
    for level in levels:
        if level.progress not in Progress.values:
            raise SchemeRuleError(f"Choose what “{level.label}” means", level.field + "progress")
        if level.colour not in RatingLevel.Colour.values:
            raise SchemeRuleError(f"Choose a colour for “{level.label}” from the list", level.field + "colour")
        if level.label.casefold() in seen:
            raise SchemeRuleError(f"Two levels are called “{level.label}”: give each its own label", level.field + "label")
        if level.order in orders:
            raise SchemeRuleError(f"Two levels have the order {level.order}: give each its own place", level.field + "order")
        seen[level.label.casefold()] = level
        orders.add(level.order)
    classes = {level.progress for level in levels}
    if Progress.NOT_STARTED not in classes:
        raise SchemeRuleError("Make one level mean “not started”: it is the level of an action nobody has rated yet")
    if Progress.COMPLETE not in classes:
        raise SchemeRuleError("Make one level mean “complete”: without it no action could ever be finished")
    return sorted(levels, key=lambda level: level.order)


@transaction.atomic
def scheme_create(*, partnership: Partnership, user: User | None, name: str, description: str, levels: list[LevelDraft]) -> RatingScheme:
    """A partnership's own scheme: each level with its class, colour and meaning; the first "not started" level is the default."""
    name = name.strip()
    if RatingScheme.objects.available_to(partnership).filter(name__iexact=name).exists():
        raise SchemeRuleError(f"There is already a rating scheme called “{name}”: choose another name", "name")
    ordered = levels_checked(levels)
    taken = set(RatingScheme.objects.values_list("code", flat=True))
    scheme = RatingScheme.objects.create(
        code=_unique_code(f"{partnership.slug}-{name}", taken, 50),
        name=name,
        description=description.strip(),
        partnership=partnership,
        created_at=timezone.now(),
        created_by=user,
    )
    default = next(level for level in ordered if level.progress == Progress.NOT_STARTED)
    codes: set[str] = set()
    RatingLevel.objects.bulk_create(
        RatingLevel(
            scheme=scheme,
            code=_unique_code(level.label, codes, 30),
            label=level.label,
            meaning=level.meaning,
            colour=level.colour,
            position=position,
            progress=level.progress,
            is_default=level is default,
        )
        for position, level in enumerate(ordered)
    )
    return scheme


@dataclass(frozen=True)
class LevelInUse:
    """A level of a strategy's current scheme and how many of its actions (retired ones too) are at it."""

    level: RatingLevel
    actions: int


def levels_in_use(strategy: Strategy) -> list[LevelInUse]:
    """Every level any action of the strategy is at, worst first: each must be mapped before the scheme changes."""
    in_use = Action.everything.filter(strategy=strategy).order_by().values("rating_id").annotate(n=Count("id"))
    counts = {row["rating_id"]: row["n"] for row in in_use}
    levels = RatingLevel.objects.filter(pk__in=counts).order_by("position")
    return [LevelInUse(level, counts[level.pk]) for level in levels]


@transaction.atomic
def strategy_scheme_change(*, strategy: Strategy, user: User, scheme: RatingScheme, mapping: dict[int, int], reason: str) -> int:
    """Move a strategy to another scheme, every action's rating to the level the officer chose for it.

    Every level in use must be mapped (an action added or re-rated since the
    preview is refused here, not guessed). Each action's move is an immutable
    change in its history, with the officer's reason; its version goes up, so
    a form loaded before the change is refused as stale. Returns the actions moved.
    """
    locked = Strategy.objects.select_for_update().select_related("scheme").get(pk=strategy.pk)
    if scheme.pk == locked.scheme_id:
        raise SchemeRuleError("The strategy already uses this scheme", "scheme")
    if not RatingScheme.objects.available_to(locked.partnership_id).filter(pk=scheme.pk).exists():
        raise SchemeRuleError("Choose one of the rating schemes listed", "scheme")
    targets = {level.pk: level for level in scheme.levels.all()}
    if any(target not in targets for target in mapping.values()):
        raise SchemeRuleError(f"Choose levels of {scheme.name}")
    actions = list(Action.everything.select_for_update().filter(strategy=locked).select_related("rating").order_by("position", "id"))
    unmapped = sorted({a.rating.label for a in actions if a.rating_id not in mapping})
    if unmapped:
        raise SchemeRuleError(
            f"Actions have been rated {', '.join(unmapped)} since you previewed the change: choose a level for every rating in use"
        )
    now = timezone.now()
    Strategy.objects.filter(pk=locked.pk).update(scheme=scheme)
    for old_id, new_id in mapping.items():
        Action.everything.filter(strategy=locked, rating_id=old_id).update(rating_id=new_id, version=F("version") + 1, updated_at=now)
    ActionChange.objects.bulk_create(
        ActionChange(
            action=action,
            author=user,
            created_at=now,
            field=ActionChange.Field.RATING_SCHEME,
            before=f"{action.rating.label} ({locked.scheme.name})",
            after=f"{targets[mapping[action.rating_id]].label} ({scheme.name})",
            reason=reason,
        )
        for action in actions
    )
    actions_updated.send(sender=Action, action_ids=[a.pk for a in actions], user=user, at=now)
    return len(actions)
