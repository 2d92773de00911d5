from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from intake.readers import Reader


class UploadForm(forms.Form):
    """One file for a reader: of a kind it reads and within its size."""

    file = forms.FileField(error_messages={"required": "Select a file to upload", "empty": "The selected file is empty"})

    def __init__(self, *args, reader: Reader, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reader = reader
        self.fields["file"].label = reader.form_label
        self.fields["file"].help_text = reader.form_hint

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        kinds = self.reader.accept
        if not upload.name.lower().endswith(kinds):
            raise forms.ValidationError(f"The file must be a {' or '.join(kinds)} file")
        if upload.size > self.reader.max_bytes:
            raise forms.ValidationError(f"The file must be smaller than {filesizeformat(self.reader.max_bytes)}")
        return upload


def upload_form(reader: Reader, data=None, files=None) -> forms.Form:
    """The reader's own form where it has one (its messages are its own), else the generic one."""
    if reader.form_class is not None:
        return reader.form_class(data, files)
    return UploadForm(data, files, reader=reader)
