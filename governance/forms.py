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


class BoardForm(forms.Form):
    name = forms.CharField(label="Board name", max_length=200, error_messages={"required": "Enter the board's name"})
    chair_role = forms.CharField(label="Chair (optional)", max_length=200, required=False)
    cadence = forms.CharField(
        label="How often it meets (optional)", max_length=200, required=False, help_text="For example, every two months."
    )


DATE_HINT = "For example, 12/3/2026"


class MeetingSeriesForm(forms.Form):
    board = forms.ModelChoiceField(
        label="Board",
        queryset=None,
        empty_label=None,
        error_messages={"required": "Choose the board", "invalid_choice": "Choose one of the boards listed"},
    )
    first = forms.DateField(
        label="First meeting",
        help_text=DATE_HINT,
        error_messages={"required": "Enter the date of the first meeting", "invalid": "Enter the first meeting as a date, like 12/3/2026"},
    )
    every = forms.IntegerField(
        label="Every",
        min_value=1,
        max_value=52,
        initial=2,
        error_messages={
            "required": "Enter how often it meets",
            "invalid": "Enter a whole number",
            "min_value": "Enter 1 or more",
            "max_value": "Enter 52 or fewer",
        },
    )
    unit = forms.ChoiceField(label="Weeks or months", choices=[("months", "Months"), ("weeks", "Weeks")], initial="months")
    count = forms.IntegerField(
        label="Number of meetings",
        min_value=1,
        max_value=60,
        initial=6,
        error_messages={
            "required": "Enter how many meetings",
            "invalid": "Enter a whole number",
            "min_value": "Enter 1 or more",
            "max_value": "Enter 60 or fewer",
        },
    )
    papers_days = forms.IntegerField(
        label="Papers deadline: days before each meeting",
        min_value=0,
        max_value=60,
        required=False,
        initial=7,
        error_messages={"invalid": "Enter a whole number of days", "min_value": "Enter 0 or more", "max_value": "Enter 60 or fewer"},
    )

    def __init__(self, *args, boards, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = boards


class MeetingMoveForm(forms.Form):
    date = forms.DateField(
        label="New date",
        help_text=DATE_HINT,
        error_messages={"required": "Enter the new date", "invalid": "Enter the new date as a date, like 12/3/2026"},
    )
    papers_deadline = forms.DateField(
        label="Papers deadline (optional)",
        required=False,
        help_text=DATE_HINT,
        error_messages={"invalid": "Enter the deadline as a date, like 5/3/2026"},
    )
