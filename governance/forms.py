from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from actions.models import Snapshot, Strategy


def as_at_problem(strategy: Strategy, as_at: dt.date, today: dt.date) -> str | None:
    """Why a snapshot cannot be taken as at this date, or None when it can."""
    if as_at > today:
        return "The date must be today or in the past"
    if Snapshot.objects.filter(strategy=strategy, as_at=as_at).exists():
        return f"There is already a snapshot as at {as_at:%-d %B %Y}: choose another date"
    return None


class SnapshotForm(forms.Form):
    """The "as at" date in three boxes, as in the GOV.UK date input pattern."""

    day = forms.CharField(max_length=2, required=False)
    month = forms.CharField(max_length=2, required=False)
    year = forms.CharField(max_length=4, required=False)
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")

    def __init__(self, *args, strategy: Strategy, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.strategy = strategy

    def clean(self) -> dict:
        data = super().clean()
        parts = [str(data.get(name) or "").strip() for name in ("day", "month", "year")]
        if not all(parts):
            self.add_error("day", "Enter the date the snapshot is as at, including a day, month and year")
            return data
        try:
            day, month, year = (int(p) for p in parts)
            as_at = dt.date(year, month, day)
            if year < 2000:
                raise ValueError
        except ValueError:
            self.add_error("day", "The date must be a real date, for example 14 5 2025")
            return data
        problem = as_at_problem(self.strategy, as_at, timezone.localdate())
        if problem:
            self.add_error("day", problem)
            return data
        data["as_at"] = as_at
        return data
