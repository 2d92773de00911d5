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
