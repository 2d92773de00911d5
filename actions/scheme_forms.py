"""Forms for a partnership's own rating schemes, and for moving a strategy to another scheme."""

from __future__ import annotations

from django import forms

from actions.models import Progress, RatingLevel, RatingScheme
from actions.schemes import LevelDraft, LevelInUse
from send_tracker.forms import WholeNumberInput

LEVEL_ROWS = 8  # the most levels a scheme may have; empty rows are left out
COLOUR_CHOICES = [("", "Choose a colour")] + [(value, label) for value, label in RatingLevel.Colour.choices]
PROGRESS_CHOICES = [("", "Choose what it means")] + [(value, label) for value, label in Progress.choices]


class SchemeForm(forms.Form):
    """A scheme's name and up to LEVEL_ROWS levels, each a row of label, meaning, class, colour and order."""

    name = forms.CharField(label="Name", max_length=100, error_messages={"required": "Enter the scheme's name"})
    description = forms.CharField(label="Description", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, copy_of: RatingScheme | None = None, **kwargs) -> None:
        if copy_of is not None and (args[0] if args else kwargs.get("data")) is None:
            kwargs["initial"] = self.initial_from(copy_of)
        super().__init__(*args, **kwargs)
        for i in range(LEVEL_ROWS):
            n = i + 1
            self.fields[f"level_{i}_label"] = forms.CharField(label=f"Level {n} label", max_length=60, required=False)
            self.fields[f"level_{i}_meaning"] = forms.CharField(label=f"Level {n} meaning", max_length=300, required=False)
            self.fields[f"level_{i}_progress"] = forms.ChoiceField(label=f"Level {n} class", choices=PROGRESS_CHOICES, required=False)
            self.fields[f"level_{i}_colour"] = forms.ChoiceField(label=f"Level {n} colour", choices=COLOUR_CHOICES, required=False)
            self.fields[f"level_{i}_order"] = forms.IntegerField(
                label=f"Level {n} order",
                min_value=1,
                max_value=99,
                required=False,
                widget=WholeNumberInput,
                error_messages={
                    "invalid": f"Enter level {n}'s order as a whole number, like 1",
                    "min_value": f"Enter level {n}'s order as 1 or more",
                    "max_value": f"Enter level {n}'s order as 99 or less",
                },
            )

    @staticmethod
    def initial_from(scheme: RatingScheme) -> dict:
        initial = {"name": f"Copy of {scheme.name}", "description": scheme.description}
        for i, level in enumerate(scheme.levels.order_by("position")[:LEVEL_ROWS]):
            initial.update(
                {
                    f"level_{i}_label": level.label,
                    f"level_{i}_meaning": level.meaning,
                    f"level_{i}_progress": level.progress,
                    f"level_{i}_colour": level.colour,
                    f"level_{i}_order": i + 1,
                }
            )
        return initial

    @staticmethod
    def palette() -> list[dict]:
        """The colours a level may have, as rating tags show them (static/src/components/_rating.scss)."""
        return [{"colour": value, "code": value, "label": label} for value, label in RatingLevel.Colour.choices]

    def rows(self) -> list[dict]:
        """The level rows as bound fields, for the template's table."""
        return [
            {name: self[f"level_{i}_{name}"] for name in ("label", "meaning", "progress", "colour", "order")} | {"number": i + 1}
            for i in range(LEVEL_ROWS)
        ]

    def clean(self) -> dict:
        data = super().clean()
        levels = []
        for i in range(LEVEL_ROWS):
            label = (data.get(f"level_{i}_label") or "").strip()
            others = [data.get(f"level_{i}_{name}") for name in ("meaning", "progress", "colour")]
            if not label:
                if any(others):
                    self.add_error(f"level_{i}_label", f"Enter level {i + 1}'s label, or clear its row")
                continue
            for name, message in (
                ("meaning", f"Enter what “{label}” means"),
                ("progress", f"Choose whether “{label}” is not started, on track, at risk or complete"),
                ("colour", f"Choose a colour for “{label}”"),
            ):
                if not data.get(f"level_{i}_{name}"):
                    self.add_error(f"level_{i}_{name}", message)
            order = data.get(f"level_{i}_order")
            levels.append(
                LevelDraft(
                    label=label,
                    meaning=(data.get(f"level_{i}_meaning") or "").strip(),
                    progress=data.get(f"level_{i}_progress") or "",
                    colour=data.get(f"level_{i}_colour") or "",
                    order=order if order is not None else i + 1,
                    field=f"level_{i}_",
                )
            )
        data["levels"] = levels
        return data


class SchemeChoiceForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label="New rating scheme",
        queryset=RatingScheme.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the scheme to move to", "invalid_choice": "Choose one of the rating schemes listed"},
    )

    def __init__(self, *args, schemes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes


def _level_choice(level: RatingLevel) -> str:
    return f"{level.label}: {level.get_progress_display().lower()}"


class SchemeMappingForm(forms.Form):
    """For each level in use, the new scheme's level its actions move to: none is chosen for the officer."""

    reason = forms.CharField(
        label="Why the scheme is changing",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in every action's history, beside the move.",
        error_messages={"required": "Say why the scheme is changing: it is kept in every action's history"},
    )

    def __init__(self, *args, in_use: list[LevelInUse], scheme: RatingScheme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.in_use, self.scheme = in_use, scheme
        levels = scheme.levels.order_by("position")
        for used in in_use:
            count = f"{used.actions} action{'s' if used.actions != 1 else ''}"
            self.fields[f"map_{used.level.pk}"] = forms.ModelChoiceField(
                label=f"{used.level.label} ({count})",
                queryset=levels,
                empty_label="Choose a level",
                help_text=f"Means: {used.level.meaning} ({used.level.get_progress_display().lower()})",
                error_messages={
                    "required": f"Choose the level for the {count} now at {used.level.label}",
                    "invalid_choice": f"Choose a level of {scheme.name} for {used.level.label}",
                },
            )
            self.fields[f"map_{used.level.pk}"].label_from_instance = _level_choice
        self.order_fields([f"map_{used.level.pk}" for used in in_use] + ["reason"])

    def remapped(self, in_use: list[LevelInUse], problem: Exception) -> SchemeMappingForm:
        """The form again, as sent, over the levels now in use, with the problem that stopped the change."""
        form = type(self)(self.data, in_use=in_use, scheme=self.scheme)
        form.is_valid()
        form.add_error(None, str(problem))
        return form

    def mapping(self) -> dict[int, int]:
        return {used.level.pk: self.cleaned_data[f"map_{used.level.pk}"].pk for used in self.in_use}

    def moves(self) -> list[tuple[LevelInUse, RatingLevel]]:
        """Each level in use beside the level it moves to, for the preview."""
        return [(used, self.cleaned_data[f"map_{used.level.pk}"]) for used in self.in_use]
