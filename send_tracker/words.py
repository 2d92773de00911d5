"""Words the product writes for people: the small rules of how its sentences end."""

from __future__ import annotations


def as_sentence(text: object) -> str:
    """Words that end as a sentence: a full stop added unless they already end with one (or ?, ! or the … of a cut)."""
    words = str(text).rstrip()
    return words if not words or words[-1] in ".?!…" else f"{words}."
