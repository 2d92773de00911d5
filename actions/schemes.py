"""The rating schemes real partnerships use, shipped with the product (see migration 0002)."""

from __future__ import annotations

# Each level: code, label, colour, meaning, position (worst to best), its class (and whether it is the default), aliases.
NOT_STARTED_DEFAULT = {"progress": "not_started", "is_default": True}

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
            ("complete", "Complete", "green", "Complete", 4, {"progress": "complete"}, ["Completed", "Done"]),
        ],
    },
    {
        "code": "brag",
        "name": "BRAG",
        "description": "Blue (complete), Red, Amber, Green, with Not started.",
        "levels": [
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
