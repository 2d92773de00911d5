"""Words the product writes for people: the small rules of how its sentences end."""

from __future__ import annotations


def as_sentence(text: object) -> str:
    """Words that end as a sentence: a full stop added unless they already end with one (or ?, ! or the … of a cut)."""
    words = str(text).rstrip()
    return words if not words or words[-1] in ".?!…" else f"{words}."


def of_them_overdue(count: int) -> str:
    """How many of the actions just counted by class are overdue, in words that say they are among those counted:
    overdue is a flag beside an action's class, never a class of its own. Empty when none is."""
    if not count:
        return ""
    return f"{count} of them {'is' if count == 1 else 'are'} overdue"
