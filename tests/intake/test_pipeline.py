"""Every source goes through one pipeline: upload, preview, confirm in the browser, or one command; a new source is one reader.

The test reader below is all a new source needs: it reads "period,count" rows
and writes each as a milestone-free note in the strategy's description.
"""

from __future__ import annotations

import os
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from actions.models import Strategy, StrategyUpload
from coproduction.models import Deliverable
from intake.readers import Applied, Found, Reader, register, unregister
from intake.tables import RowProblem, missing_columns, read_table
from kpis.models import Indicator

pytestmark = pytest.mark.django_db


class HeadcountReader(Reader):
    """A new source: one row per period with the count of children on the strategy's caseload."""

    name = "headcount"
    title = "Upload headcounts"

    def read(self, content, filename, strategy, *, upload=None) -> Found:
        table = read_table(content, filename)
        found = Found(problems=missing_columns(table, ["period", "count"]))
        rows = [(n, r["period"], r["count"]) for n, r in table[1:]] if found.ok else []
        found.problems += [RowProblem(n, "count", count, "must be a whole number") for n, _, count in rows if not count.isdigit()]
        found.plan = [f"{period}: {count}" for _, period, count in rows]
        found.shown = {"Periods": len(rows)}
        return found

    def apply(self, changes, *, user, strategy, upload, choices) -> Applied:
        Strategy.objects.filter(pk=strategy.pk).update(name=f"{strategy.name} ({'; '.join(changes.plan)})")
        return Applied(f"Added {len(changes.plan)} headcounts from {upload.filename}.", changes.summary())


@pytest.fixture
def headcounts():
    register(HeadcountReader)
    yield
    unregister("headcount")


def upload(client, strategy, source: str, name: str, content: bytes):
    return client.post(reverse("actions:upload", args=[strategy.pk, source]), {"file": SimpleUploadedFile(name, content)})


def test_a_new_source_is_one_reader_uploaded_previewed_and_confirmed_in_the_browser(client, officer, strategy, headcounts):
    client.force_login(officer)
    page = client.get(reverse("actions:upload", args=[strategy.pk, "headcount"])).content.decode()
    assert '<h1 class="govuk-heading-xl">Upload headcounts</h1>' in page
    response = upload(client, strategy, "headcount", "counts.csv", b"period,count\n2025-09,412\n2025-10,430\n")
    kept = StrategyUpload.objects.get(source="headcount")
    assert response.url == reverse("actions:upload_preview", args=["headcount", kept.pk])
    preview = client.get(response.url).content.decode()
    assert "Check what will change" in preview and "Periods" in preview and "Import these changes" in preview
    assert Strategy.objects.get().name == strategy.name  # nothing written before the confirmation
    done = client.post(reverse("actions:upload_confirm", args=["headcount", kept.pk]), follow=True)
    assert "Added 2 headcounts from counts.csv." in done.content.decode()
    assert Strategy.objects.get().name.endswith("(2025-09: 412; 2025-10: 430)")
    kept.refresh_from_db()
    assert kept.status == StrategyUpload.Status.APPLIED
    again = client.post(reverse("actions:upload_confirm", args=["headcount", kept.pk]), follow=True)
    assert "This file has already been imported, or had problems: upload it again." in again.content.decode()


def test_a_new_sources_problems_are_shown_by_row_and_nothing_is_written(client, officer, strategy, headcounts):
    client.force_login(officer)
    response = upload(client, strategy, "headcount", "counts.csv", b"period,count\n2025-09,many\n")
    page = client.get(response.url).content.decode()
    assert "Nothing was imported: 1 problem in counts.csv" in page and "Must be a whole number" in page
    assert "Import these changes" not in page


def test_another_partnerships_officer_cannot_see_or_confirm_an_upload(client, officer, outsider, strategy, headcounts):
    client.force_login(officer)
    response = upload(client, strategy, "headcount", "counts.csv", b"period,count\n2025-09,412\n")
    kept = StrategyUpload.objects.get()
    client.force_login(outsider)
    assert client.get(response.url).status_code == 404
    assert client.post(reverse("actions:upload_confirm", args=["headcount", kept.pk])).status_code == 404
    assert client.get(reverse("actions:upload", args=[strategy.pk, "no-such-source"])).status_code == 404


def test_a_new_source_also_imports_from_the_command_line(tmp_path, strategy, headcounts):
    path = tmp_path / "counts.csv"
    path.write_text("period,count\n2025-09,412\n")
    out = StringIO()
    call_command("import_file", "headcount", str(path), strategy=strategy.name, stdout=out)
    assert out.getvalue().strip() == "Added 1 headcounts from counts.csv."
    assert not StrategyUpload.objects.exists()  # the command line keeps no upload record


def test_kpi_definitions_load_in_the_browser_with_a_preview(client, officer, strategy, group):
    client.force_login(officer)
    content = b"code,name,unit,direction,frequency,delivery_groups\nEHC-20WK,EHC plans in 20 weeks,percentage,higher,monthly,1. Oversight\n"
    response = upload(client, strategy, "kpi-definitions", "kpis.csv", content)
    preview = client.get(response.url).content.decode()
    assert "EHC plans in 20 weeks" in preview and "Load these KPIs" in preview
    assert not Indicator.objects.exists()
    kept = StrategyUpload.objects.get()
    done = client.post(reverse("actions:upload_confirm", args=["kpi-definitions", kept.pk]), follow=True)
    assert "Loaded KPIs from kpis.csv: 1 new, 0 changed, 0 unchanged." in done.content.decode()
    assert [g.name for g in Indicator.objects.get(code="EHC-20WK").delivery_groups.all()] == ["1. Oversight"]


def test_deliverables_import_in_the_browser_with_a_preview(client, officer, strategy, group, action):
    client.force_login(officer)
    content = b"due,delivery_group,deliverable,actions\nSeptember 2025,1. Oversight,Fewer complaints,SP1\n"
    response = upload(client, strategy, "deliverables", "deliverables.csv", content)
    preview = client.get(response.url).content.decode()
    assert "Fewer complaints" in preview and "Import these deliverables" in preview
    kept = StrategyUpload.objects.get()
    done = client.post(reverse("actions:upload_confirm", args=["deliverables", kept.pk]), follow=True)
    assert "1 deliverables added, 0 already there, 1 links to actions." in done.content.decode()
    assert [a.ref for a in Deliverable.objects.get().actions.all()] == ["SP1"]


def test_the_deliverables_command_names_an_unreadable_file(tmp_path, strategy):
    bad = tmp_path / "deliverables.pdf"
    bad.write_bytes(b"%PDF")
    with pytest.raises(Exception, match="nothing was imported"):
        call_command("import_deliverables", str(bad), strategy=strategy.name, stderr=open(os.devnull, "w"))
