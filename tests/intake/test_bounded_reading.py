"""A workbook is refused before it is inflated when its parts, its shared strings or its reading time pass the limits.

The bombs are built here: a 300 KB workbook whose shared strings unpack to
300 MB, one that declares 3 million shared strings in 48 MB, and one that
lies about its size. Each answers in seconds with a message naming the limit,
from the reader and from the upload page.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from actions.models import PlanImport
from intake import tables
from intake.tables import ImportFileError, Limits, read_sheets, read_table

MEGABYTE = 1024 * 1024
HEADER = ["priority", "delivery_group", "ref", "action", "owner", "due", "rating"]
ROW = ["Right Support", "1. Oversight", "SP1", "Strengthen oversight", "", "September 2025", "Amber"]


def workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(ROW)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_shared_strings(content: bytes, chunks, *, declared_size: int | None = None) -> bytes:
    """The workbook with its shared-strings part replaced by `chunks`, streamed in so that the test never holds them all."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            if info.filename != "xl/sharedStrings.xml":
                bomb.writestr(info, source.read(info.filename))
        with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            for chunk in chunks:
                part.write(chunk)
    data = out.getvalue()
    if declared_size is not None:
        data = _declared_size_changed(data, "xl/sharedStrings.xml", declared_size)
    return data


def _declared_size_changed(data: bytes, name: str, size: int) -> bytes:
    """Make the ZIP's central directory claim `size` for the part: a bomb that lies about what it unpacks to."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(name)
    entry = data.rfind(b"PK\x01\x02", 0, data.find(name.encode(), data.rfind(b"PK\x05\x06") - 10_000))
    assert entry >= 0 and info.file_size < 2**32
    return data[: entry + 24] + size.to_bytes(4, "little") + data[entry + 28 :]


def strings_bomb(megabytes: int = 300) -> bytes:
    header = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    return with_shared_strings(workbook(), [header, *([b"A" * MEGABYTE] * megabytes), b"</t></si></sst>"])


def many_strings(count: int) -> bytes:
    item = b"<si><t>a</t></si>"
    per_chunk = 50_000
    chunks = [b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    chunks += [item * per_chunk] * (count // per_chunk) + [b"</sst>"]
    return with_shared_strings(workbook(), chunks)


@contextmanager
def unpacked_at_most(megabytes: int):
    """Whatever runs inside holds at most `megabytes` in memory at once: a bomb refused before it is inflated.

    Memory, not a clock: a refusal that unpacked the part would hold hundreds of MB, and a busy machine
    makes a timing flaky (how long refusals take is measured in bench/).
    """
    tracemalloc.start()
    try:
        yield
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < megabytes * MEGABYTE, f"held {peak / MEGABYTE:.0f} MB"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return strings_bomb()


def test_shared_strings_that_unpack_to_300_mb_are_refused_before_they_unpack_naming_the_limit(bomb):
    assert len(bomb) < 1 * MEGABYTE  # about 300 KB on disk
    with unpacked_at_most(20), pytest.raises(ImportFileError) as refused:
        read_table(bomb, "plan.xlsx")
    message = str(refused.value)
    assert "unpacks to more than the limit of 100 MB" in message
    assert "shared strings" in message and "300 MB" in message


def test_a_tracker_is_read_within_the_same_limits(bomb):
    with unpacked_at_most(20), pytest.raises(ImportFileError, match="limit of 100 MB"):
        read_sheets(bomb, "tracker.xlsx")


def test_three_million_shared_strings_are_refused_before_they_are_loaded():
    content = many_strings(3_000_000)
    with (
        unpacked_at_most(20),
        pytest.raises(ImportFileError, match=r"more than the limit of 400,000 different texts \(its shared strings\)"),
    ):
        read_table(content, "values.xlsx")


def test_a_part_that_unpacks_to_more_than_it_declares_is_refused_as_damaged():
    # Declares 1 KB and holds 20 MB: the ZIP reader stops at the declared size, and the checksum fails.
    content = with_shared_strings(workbook(), [b"<sst>", *([b"B" * MEGABYTE] * 20), b"</sst>"], declared_size=1024)
    with unpacked_at_most(20), pytest.raises(ImportFileError, match="could not be read as an Excel workbook"):
        read_table(content, "plan.xlsx")


def test_a_file_past_its_byte_limit_is_refused_before_it_is_opened():
    with pytest.raises(ImportFileError, match="The file is 2 MB, past the limit of 1 MB for one upload"):
        read_table(b"x" * (2 * MEGABYTE), "plan.csv", limits=Limits(bytes=MEGABYTE))


def test_reading_that_takes_longer_than_the_limit_stops_with_a_message(monkeypatch):
    clock = iter(range(0, 1000, 1))  # each look at the clock is a second later
    monkeypatch.setattr(tables.time, "monotonic", lambda: next(clock))
    content = ("\n".join(",".join(HEADER if n == 0 else ROW) for n in range(50))).encode()
    with pytest.raises(ImportFileError, match="took longer than the limit of 10 seconds to read"):
        read_table(content, "plan.csv")


def test_an_ordinary_workbook_reads_as_before():
    assert read_table(workbook(), "plan.xlsx")[1] == (2, dict(zip(HEADER, ROW, strict=True)))


@pytest.mark.django_db
def test_the_bomb_uploaded_as_a_plan_is_refused_unpacked_with_the_limit_on_the_page(client, officer, strategy, bomb):
    client.force_login(officer)
    with unpacked_at_most(40):
        response = client.post(
            reverse("actions:plan_import_upload", args=[strategy.pk]), {"file": SimpleUploadedFile("plan.xlsx", bomb)}, follow=True
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported: 1 problem in plan.xlsx" in html and "unpacks to more than the limit of 100 MB" in html
    assert PlanImport.objects.get().status == PlanImport.Status.REJECTED
