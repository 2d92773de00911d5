"""The rating schemes real partnerships use, shipped with the product (see migration 0002)."""

from __future__ import annotations

# Each level: code, label, colour, meaning, position (worst to best), flags, aliases.
SCHEMES = [
    {
        "code": "cheshire-east",
        "name": "Cheshire East five-level rating",
        "description": "Grey, Red, Amber, Amber E and Green, as in section 10 of the SEND and AP One Plan.",
        "levels": [
            ("red", "Red", "red", "Action not on track", 0, {"is_risk": True}, ["Delayed", "Not on track", "Off track"]),
            (
                "grey",
                "Grey",
                "grey",
                "Action not started yet, no risk to implementation anticipated",
                1,
                {"is_default": True},
                ["Not yet started; no risk anticipated", "Not yet started", "Not started"],
            ),
            (
                "amber",
                "Amber",
                "amber",
                "Action not yet completed, but on track to be completed within timescales",
                2,
                {"is_on_track": True},
                ["On track", "In progress"],
            ),
            (
                "amber-e",
                "Amber E",
                "amber-e",
                "Action completed but we need to embed and evidence impact",
                3,
                {"is_complete": True},
                ["Complete but need to evidence impact", "AmberE", "Amber-E", "Complete - impact to be evidenced"],
            ),
            (
                "green",
                "Green",
                "green",
                "Action completed and embedded with evidence of impact",
                4,
                {"is_complete": True},
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
                {"is_risk": True},
                ["Off track", "Not on track", "Delayed"],
            ),
            ("not-started", "Not started", "grey", "Not started yet", 1, {"is_default": True}, ["Not yet started", "Grey"]),
            ("amber", "Amber", "amber", "Some risk to delivery, being managed", 2, {}, ["At risk", "Some slippage"]),
            ("green", "Green", "green", "On track", 3, {"is_on_track": True}, ["On track"]),
            ("complete", "Complete", "green", "Complete", 4, {"is_complete": True}, ["Completed", "Done"]),
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
                {"is_risk": True},
                ["Off track", "Not on track", "Delayed"],
            ),
            ("not-started", "Not started", "grey", "Not started yet", 1, {"is_default": True}, ["Not yet started", "Grey"]),
            ("amber", "Amber", "amber", "Some risk to delivery, being managed", 2, {}, ["At risk", "Some slippage"]),
            ("green", "Green", "green", "On track", 3, {"is_on_track": True}, ["On track"]),
            ("blue", "Blue", "blue", "Complete", 4, {"is_complete": True}, ["Complete", "Completed", "Done"]),
        ],
    },
]


def install_schemes(RatingScheme, RatingLevel) -> None:  # noqa: N803 - model classes from a migration
    for scheme in SCHEMES:
        obj, _ = RatingScheme.objects.update_or_create(
            code=scheme["code"], defaults={"name": scheme["name"], "description": scheme["description"]}
        )
        for code, label, colour, meaning, position, flags, aliases in scheme["levels"]:
            RatingLevel.objects.update_or_create(
                scheme=obj,
                code=code,
                defaults={
                    "label": label,
                    "colour": colour,
                    "meaning": meaning,
                    "position": position,
                    "aliases": aliases,
                    "is_complete": False,
                    "is_risk": False,
                    "is_on_track": False,
                    "is_default": False,
                    **flags,
                },
            )
