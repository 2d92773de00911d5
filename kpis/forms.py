from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings

from actions.models import DeliveryGroup
from intake.forms import SpreadsheetForm
from kpis.importers import parse_decimal
from kpis.library import measure_named
from kpis.models import Indicator, KpiValue, PeriodError, period_words
from people.models import Post


class NumberField(forms.DecimalField):
    """A figure typed as a spreadsheet upload reads one ("4,854", "72%"); refused in the same words, naming the field."""

    def to_python(self, value) -> Decimal | None:
        try:
            return parse_decimal("" if value is None else str(value))
        except ValueError as problem:
            raise forms.ValidationError(f"{self.label} {problem}", code="invalid") from None


def _number(label: str, *, required: bool = False, help_text: str = "") -> forms.DecimalField:
    return NumberField(
        label=label,
        max_digits=14,
        decimal_places=4,
        required=required,
        error_messages={"required": f"Enter the {label.lower()}"},
        widget=forms.TextInput(),
        help_text=help_text,
    )


def range_problem(unit: str, label: str, number: Decimal) -> str:
    """Why `number` is out of range for a figure in `unit` ("" when it is not): a value, a target and a baseline alike."""
    if number < 0 and unit != Indicator.Unit.SCORE:
        return f"{label} must be 0 or more"
    if unit == Indicator.Unit.PERCENTAGE and number > 100:
        return f"{label} is a percentage: it must be between 0 and 100"
    return ""


class KpiValueForm(forms.Form):
    """A period's value, checked against the KPI's frequency (period style) and unit."""

    period = forms.CharField(max_length=20, error_messages={"required": "Enter the period"})
    value = _number("Value", required=True)
    # Entering and correcting a value ask for these in the same words.
    england = _number("England", help_text="The figure for England for the same period, if published")
    region = _number("Region", help_text="Your region's figure for the same period")
    statistical_neighbours = _number("Statistical neighbours", help_text="The average of statistical neighbours")
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Where the figure comes from, or anything a reader should know",
    )

    def __init__(self, *args, indicator: Indicator, correcting: KpiValue | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.correcting = correcting
        if correcting is not None:
            del self.fields["period"]
            self.fields["reason"] = forms.CharField(
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": "Enter why the value is being corrected"},
            )

    def clean_period(self) -> str:
        period = self.cleaned_data["period"].strip()
        try:
            self.period_start = self.indicator.period_start(period)
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from None
        standing = KpiValue.objects.current().filter(indicator=self.indicator, period=period).first()
        if standing is not None:
            raise forms.ValidationError(
                f"There is already a value for {period_words(period)} ({standing.formatted()}). "
                "To change it, correct that value and give a reason"
            )
        return period

    def _check_unit(self, name: str) -> Decimal | None:
        number = self.cleaned_data.get(name)
        if number is None:
            return number
        unit = self.indicator.unit
        if problem := range_problem(unit, self.fields[name].label, number):
            raise forms.ValidationError(problem)
        if unit == Indicator.Unit.COUNT and number != number.to_integral_value():
            raise forms.ValidationError(f"{self.fields[name].label} is a count: enter a whole number")
        return number

    def clean_value(self) -> Decimal | None:
        return self._check_unit("value")

    def clean_england(self) -> Decimal | None:
        return self._check_unit("england")

    def clean_region(self) -> Decimal | None:
        return self._check_unit("region")

    def clean_statistical_neighbours(self) -> Decimal | None:
        return self._check_unit("statistical_neighbours")


class BenchmarkFileForm(forms.Form):
    """An Explore Education Statistics open-data file, as downloaded (CSV)."""

    file = forms.FileField(
        label="Upload the open-data file",
        help_text="The CSV downloaded from Explore Education Statistics, unchanged.",
        error_messages={"required": "Select the CSV file to upload", "empty": "The selected file is empty"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The file must be the CSV that Explore Education Statistics downloads")
        if upload.size > settings.BENCHMARK_IMPORT_MAX_BYTES:
            raise forms.ValidationError(f"The file must be smaller than {settings.BENCHMARK_IMPORT_MAX_BYTES // (1024 * 1024)} MB")
        return upload


class BenchmarkingSettingsForm(forms.Form):
    """The partnership's own local authority and its statistical neighbours, chosen from an open-data file's names."""

    la_code = forms.ChoiceField(label="Your local authority", error_messages={"required": "Choose your local authority"})
    statistical_neighbours = forms.MultipleChoiceField(
        label="Statistical neighbours",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The local authorities whose average is shown beside yours (DfE's statistical neighbours are usually 10).",
    )

    def __init__(self, *args, authorities: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(code, f"{name} ({code})") for code, name in authorities.items()]
        self.fields["la_code"].choices = [("", "Choose")] + choices
        self.fields["statistical_neighbours"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("la_code") and data.get("la_code") in (data.get("statistical_neighbours") or []):
            self.add_error("statistical_neighbours", "Your own local authority cannot be one of its neighbours")
        return data


class LibraryMeasureForm(forms.Form):
    """A library measure to add to the scorecard, with its target."""

    measure = forms.CharField(widget=forms.HiddenInput)
    target = _number("Target", required=True)
    tolerance = _number("Tolerance", required=False)

    def clean_measure(self) -> str:
        measure = measure_named(self.cleaned_data["measure"])
        if measure is None:
            raise forms.ValidationError("Choose a measure from the library")
        self.measure = measure
        return measure.code

    def clean(self):
        data = super().clean()
        measure = getattr(self, "measure", None)
        target = data.get("target")
        if measure and target is not None and (problem := range_problem(measure.unit, "Target", target)):
            self.add_error("target", problem)
        if data.get("tolerance") is not None and data["tolerance"] < 0:
            self.add_error("tolerance", "Tolerance must be 0 or more")
        return data


class IndicatorForm(forms.ModelForm):
    """A KPI's definition, as officers set it up: everything the scorecard and its RAG need."""

    baseline_value = _number("Baseline")
    target = _number("Target")
    tolerance = _number("Tolerance")

    class Meta:
        model = Indicator
        fields = [
            "code", "name", "description", "unit", "direction", "frequency", "source", "source_detail",
            "baseline_value", "baseline_period", "target", "tolerance", "owners", "delivery_groups",
        ]  # fmt: skip
        widgets = {
            "owners": forms.CheckboxSelectMultiple,
            "delivery_groups": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"owners": "Owner posts", "source_detail": "Source detail"}
        error_messages = {
            "code": {"required": "Enter the KPI's code, such as K12"},
            "name": {"required": "Enter the KPI's name"},
            "unit": {"required": "Choose the unit"},
            "direction": {"required": "Choose whether higher or lower is better"},
            "frequency": {"required": "Choose how often it is measured"},
        }

    def __init__(self, *args, strategy, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.strategy = strategy
        self.fields["owners"].queryset = Post.objects.filter(partnership_id=strategy.partnership_id).order_by("title")
        self.fields["delivery_groups"].queryset = (
            DeliveryGroup.objects.filter(strategy=strategy).select_related("parent").order_by("position", "id")
        )
        self.fields["owners"].help_text = "Their holders may enter the KPI's values."
        for name, prompt in [("unit", "Select a unit"), ("direction", "Select a direction"), ("frequency", "Select how often")]:
            self.fields[name].choices = [("", prompt), *Indicator._meta.get_field(name).choices]
        self.fields["tolerance"].help_text = Indicator._meta.get_field("tolerance").help_text

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        clash = Indicator.objects.filter(strategy=self.strategy, code__iexact=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"Another KPI of this strategy has the code {code}")
        return code

    def clean_tolerance(self):
        tolerance = self.cleaned_data["tolerance"]
        if tolerance is not None and tolerance < 0:
            raise forms.ValidationError("The tolerance cannot be negative")
        return tolerance

    def clean(self) -> dict:
        data = super().clean()
        for name in ("baseline_value", "target"):  # in the KPI's unit, as its values are
            if (
                data.get("unit")
                and data.get(name) is not None
                and (problem := range_problem(data["unit"], self.fields[name].label, data[name]))
            ):
                self.add_error(name, problem)
        return data


class KpiUploadForm(SpreadsheetForm):
    file = forms.FileField(
        label="File of KPI values",
        help_text=(
            "CSV or Excel with the columns indicator (the KPI's code), period and value; "
            "optionally england, region, statistical_neighbours and note."
        ),
        error_messages={"required": "Choose a CSV or Excel file"},
    )
