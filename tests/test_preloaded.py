"""The data sets loaded once a run (tests/preloaded.py): one process loads each, the others copy in what it wrote."""

from __future__ import annotations

import fcntl

import pytest

from people.models import Partnership
from tests.preloaded import Preload

pytestmark = pytest.mark.django_db


def data_set(loads: list) -> Preload:
    def loader() -> None:
        loads.append("loaded")
        Partnership.objects.create(name="Northshire SEND Partnership")

    return Preload(loader, lambda: Partnership.objects.get(name="Northshire SEND Partnership"))


def test_one_process_loads_a_data_set_and_another_copies_in_what_it_wrote(tmp_path):
    loads: list = []
    first, second = data_set(loads), data_set(loads)
    first.take_once(tmp_path, "partnership")
    second.take_once(tmp_path, "partnership")
    assert loads == ["loaded"], "the second process loaded the data set again"
    assert not Partnership.objects.filter(name="Northshire SEND Partnership").exists(), "taking it left its rows behind"

    assert second.load().name == "Northshire SEND Partnership"
    assert loads == ["loaded"], "the rows were not copied in from the first process's file"


def test_a_process_that_finds_the_data_set_being_taken_carries_on_and_loads_it_itself_if_the_taker_wrote_nothing(tmp_path):
    loads: list = []
    waiting = data_set(loads)
    with open(tmp_path / "partnership.lock", "ab") as taker:
        fcntl.flock(taker, fcntl.LOCK_EX)  # another process is taking it
        waiting.take_once(tmp_path, "partnership")
        assert loads == [], "the process waited for the taker, or took it too"
    # The taker stopped without writing its file: the test still gets the data set, loaded for real.
    assert waiting.load().name == "Northshire SEND Partnership"
    assert loads == ["loaded"]


def test_a_test_that_made_a_row_with_an_id_the_data_set_holds_gets_the_data_set_loaded_for_real(tmp_path):
    """A process that copies in another's rows has not moved its id sequences past them: a row its test made first can
    hold one of their ids. The copy then fails on that id, and the data set is loaded for real instead, not an error."""
    loads: list = []
    first, second = data_set(loads), data_set(loads)
    first.take_once(tmp_path, "partnership")
    second.take_once(tmp_path, "partnership")
    taken_id = int(second_rows(second)["people_partnership"].split(b"\t", 1)[0])
    Partnership.objects.create(pk=taken_id, name="A partnership the test made first", slug="made-first")
    assert second.load().name == "Northshire SEND Partnership"
    assert loads == ["loaded", "loaded"]
    assert Partnership.objects.get(pk=taken_id).name == "A partnership the test made first"


def second_rows(preload: Preload) -> dict:
    preload._read_shared()
    return preload.rows
