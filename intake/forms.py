from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from intake.readers import Reader


class UploadForm(forms.Form):
    """One file for a reader: of a kind it reads and within its size.

    A reader with a form of its own (`Reader.form_class`) keeps its own label,
    messages and checks: this form takes its file field and its `clean_file`.
    """

    file = forms.FileField(error_messages={"required": "Select a file to upload", "empty": "The selected file is empty"})

    def __init__(self, data=None, files=None, *, reader: Reader, **kwargs) -> None:
        super().__init__(data, files, **kwargs)
        self.reader = reader
        self.own = reader.form_class(data, files) if reader.form_class is not None else None
        if self.own is not None:
            self.fields["file"] = self.own.fields["file"]
        else:
            self.fields["file"].label = reader.form_label
            self.fields["file"].help_text = reader.form_hint

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if self.own is not None and hasattr(self.own, "clean_file"):
            self.own.cleaned_data = {"file": upload}
            return self.own.clean_file()
        kinds = self.reader.accept
        if not upload.name.lower().endswith(kinds):
            raise forms.ValidationError(f"The file must be a {' or '.join(kinds)} file")
        if upload.size > self.reader.max_bytes:
            raise forms.ValidationError(f"The file must be smaller than {filesizeformat(self.reader.max_bytes)}")
        return upload


class SpreadsheetForm(forms.Form):
    """A CSV or Excel file of at most 5 MB: a subclass declares the `file` field, with its label and hint."""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The file must be a CSV or an Excel (.xlsx) file")
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file must be smaller than 5 MB")
        return upload
