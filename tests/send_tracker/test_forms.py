"""A change that a rule refuses shows on the form the person filled in, where they can see why."""

from __future__ import annotations

import pytest
from django import forms

from send_tracker.forms import form_written


class RefusedError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class BoardForm(forms.Form):
    name = forms.CharField()
    purpose = forms.CharField(required=False)


def refuse(message: str, field: str | None = None):
    def write(data: dict):
        raise RefusedError(message, field)

    return write


def test_a_valid_form_is_written_and_gives_back_what_the_write_returned():
    form = BoardForm({"name": "SEND board"})
    assert form_written(form, lambda data: data["name"].upper(), RefusedError) == (True, "SEND BOARD")


def test_an_invalid_form_is_not_written():
    written = []
    form = BoardForm({"name": ""})
    assert form_written(form, written.append, RefusedError) == (False, None)
    assert written == [] and "name" in form.errors


def test_a_refusal_shows_on_the_field_it_names():
    form = BoardForm({"name": "SEND board"})
    assert form_written(form, refuse("There is already a board of that name", "name"), RefusedError) == (False, None)
    assert form.errors["name"] == ["There is already a board of that name"]


def test_a_refusal_naming_no_field_of_the_form_shows_on_the_field_given_else_above_the_form():
    form = BoardForm({"name": "SEND board"})
    form_written(form, refuse("Choose another purpose", "not_on_this_form"), RefusedError, "purpose")
    assert form.errors["purpose"] == ["Choose another purpose"]
    form = BoardForm({"name": "SEND board"})
    form_written(form, refuse("The calendar has changed"), RefusedError)
    assert form.non_field_errors() == ["The calendar has changed"]


def test_other_errors_are_not_caught():
    form = BoardForm({"name": "SEND board"})

    def broken(data: dict):
        raise KeyError("name")

    with pytest.raises(KeyError):
        form_written(form, broken, RefusedError)
