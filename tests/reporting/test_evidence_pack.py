"""The evidence pack: a tagged PDF of what was done for each finding, and a ZIP of the evidence, produced in the background."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import threading
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from actions.models import Action, DeliveryGroup, Priority, Strategy
from actions.services import action_update_record
from governance.models import Finding, Inspection
from people.models import Membership
from reporting.evidence import WINDOWS_RESERVED, safe_component
from reporting.models import EvidencePack
from reporting.services import EVIDENCE_PACK_LOCK, evidence_pack_produce, evidence_pack_request
from reporting.tasks import produce_evidence_pack
from tests.actions.conftest import PDF_BYTES, _private_media  # noqa: F401  (autouse fixture: files in a throwaway folder)
from tests.kpis.conftest import add_value

pytestmark = pytest.mark.django_db


def attach(action: Action, user, *, narrative: str = "Progress recorded.", files=(), links=()):
    return action_update_record(
        action=action,
        user=user,
        rating=action.rating,
        narrative=narrative,
        links=list(links),
        files=[SimpleUploadedFile(name, content, content_type="application/pdf") for name, content in files],
        expected_version=action.version,
    )


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "evidence.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def produced(pack: EvidencePack, settings) -> tuple[bytes, zipfile.ZipFile]:
    """Run the queued job as a worker would, and open what it produced."""
    produce_evidence_pack.apply(args=[pack.pk])
    pack.refresh_from_db()
    assert pack.status == EvidencePack.Status.READY, pack.error
    folder = settings.PRIVATE_MEDIA_ROOT / "evidence-packs"
    return (folder / pack.pdf_name).read_bytes(), zipfile.ZipFile(folder / pack.zip_name)


def test_an_officer_produces_a_pack_whose_pdf_and_zip_hold_what_was_done(
    client, officer, owner, finding, action, indicator, settings, tmp_path, caplog
):
    attach(
        action,
        owner,
        narrative="Timeliness audit completed.",
        files=[("Audit report.pdf", PDF_BYTES)],
        links=["https://example.org/minutes"],
    )
    add_value(indicator, "2025-01", "61")
    add_value(indicator, "2025-04", "70")
    finding.indicators.add(indicator)
    client.force_login(officer)
    response = client.post(reverse("reporting:evidence_pack_request", args=[action.strategy_id]), {"finding": finding.pk})
    pack = EvidencePack.objects.get()
    assert response.status_code == 302 and response.url == reverse("reporting:evidence_pack_detail", args=[pack.pk])
    content, archive = produced(pack, settings)

    day = action.updates.get().created_at.date().isoformat()
    assert sorted(archive.namelist()) == [f"SP1/SP1_{day}_Audit-report.pdf", "index-of-evidence.csv"]
    assert archive.read(f"SP1/SP1_{day}_Audit-report.pdf") == PDF_BYTES
    index = archive.read("index-of-evidence.csv").decode("utf-8-sig")
    assert "https://example.org/minutes" in index and f"SP1/SP1_{day}_Audit-report.pdf" in index

    text = pdf_text(content, tmp_path)
    for expected in ("Area for priority action 1", "Improve the timeliness of EHC needs assessments.", "SP1: Strengthen oversight",
                     "Timeliness audit completed.", "owner@example.org", "Index of evidence", "https://example.org/minutes",
                     "EHC needs assessments completed within 20 weeks", "Since the inspection: Better"):  # fmt: skip
        assert expected in " ".join(text.split()), expected
    root = PdfReader(io.BytesIO(content)).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]

    detail = client.get(response.url).content.decode()
    assert "The evidence pack is ready" in detail
    download = client.get(reverse("reporting:evidence_pack_download", args=[pack.pk, "zip"]))
    assert download.streaming and download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"] == f'attachment; filename="{pack.download_name("zip")}"'
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist() == archive.namelist()
    assert any('"event": "evidence_pack_download"' in r.getMessage() and f'"pack_id": {pack.pk}' in r.getMessage() for r in caplog.records)
    findings_page = client.get(reverse("reporting:findings", args=[action.strategy_id])).content.decode()
    assert pack.finished_at.strftime("%-d %B %Y") in findings_page  # archived with the date it was produced


def test_hostile_text_is_escaped_in_the_pdf_and_made_safe_in_zip_names(officer, owner, inspection, action, settings, tmp_path):
    Action.objects.filter(pk=action.pk).update(ref="..\\CON:1")
    action.refresh_from_db()
    finding = Finding.objects.create(
        inspection=inspection, kind="priority", number=1, text='<img src="file:///etc/passwd"> & <script>x</script>'
    )
    finding.actions.add(action)
    attach(
        action,
        owner,
        narrative='<a href="https://evil.example/">click</a> <link rel=stylesheet href=file:///etc/passwd>',
        files=[("../../nul.pdf", PDF_BYTES), ("Ré<sumé>: *?.pdf", PDF_BYTES), ("AUX.pdf", PDF_BYTES)],
    )
    pack, _ = evidence_pack_request(strategy=action.strategy, user=officer, finding=finding)
    content, archive = produced(pack, settings)
    text = " ".join(pdf_text(content, tmp_path).split())
    assert '<img src="file:///etc/passwd"> & <script>x</script>' in text
    assert '<a href="https://evil.example/">click</a>' in text
    names = [n for n in archive.namelist() if n != "index-of-evidence.csv"]
    assert len(names) == 3 and len(set(n.casefold() for n in names)) == 3
    for name in names:
        folder, _, file_name = name.partition("/")
        for part in (folder, file_name):
            assert part and not set(part) & set('<>:"\\|?*') and part == part.strip(". ")
            assert part.split(".")[0].upper() not in WINDOWS_RESERVED and part.isascii()
        assert ".." not in name.split("/")


def test_a_pack_holds_only_the_inspections_of_its_findings(officer, inspection, finding, action, settings, tmp_path):
    """A pack for one finding set out every other inspection's details too, each a page with nothing else on it."""
    later = Inspection.objects.create(
        strategy=inspection.strategy, kind=Inspection.Kind.MONITORING, started_on=dt.date(2026, 6, 8), ended_on=dt.date(2026, 6, 10)
    )
    Inspection.objects.create(  # no findings recorded yet: in no pack
        strategy=inspection.strategy, kind=Inspection.Kind.MONITORING, started_on=dt.date(2026, 9, 7), ended_on=dt.date(2026, 9, 9)
    )
    later.findings.create(kind="priority", number=1, text="Progress is too slow.").actions.add(action)
    pack, _ = evidence_pack_request(strategy=action.strategy, user=officer, finding=finding)
    text = " ".join(pdf_text(produced(pack, settings)[0], tmp_path).split())
    assert "Full inspection, 13 January to 24 January 2025" in text and "Monitoring inspection" not in text
    every, _ = evidence_pack_request(strategy=action.strategy, user=officer, finding=None)
    text = " ".join(pdf_text(produced(every, settings)[0], tmp_path).split())
    assert "Monitoring inspection, 8 June to 10 June 2026" in text and "September 2026" not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CON", "_CON"),
        ("lpt1.txt", "_lpt1.txt"),
        ("report.  ", "report"),
        ("Évaluation finale.docx", "Evaluation-finale.docx"),
        ("a/b\\c:d", "a-b-c-d"),
        ("", "file"),
        ("x" * 300 + ".pdf", "x" * 76 + ".pdf"),
    ],
)
def test_a_name_component_is_safe_on_windows_and_macos(text, expected):
    assert safe_component(text) == expected


def test_the_archive_stays_within_its_size_limit_and_the_index_says_what_was_left_out(officer, owner, finding, action, settings):
    settings.EVIDENCE_PACK_MAX_BYTES = len(PDF_BYTES) + 10
    attach(action, owner, files=[("first.pdf", PDF_BYTES)])
    attach(action, owner, files=[("second.pdf", PDF_BYTES)])
    pack, _ = evidence_pack_request(strategy=action.strategy, user=officer, finding=finding)
    _, archive = produced(pack, settings)
    assert [n for n in archive.namelist() if n.endswith(".pdf")] == [n for n in archive.namelist() if "first" in n]
    assert "Left out: the archive would be over its size limit" in archive.read("index-of-evidence.csv").decode("utf-8-sig")
    pack.refresh_from_db()
    assert (pack.file_count, pack.left_out_count) == (1, 1)


def test_only_the_strategys_own_evidence_goes_in_and_files_are_read_from_private_storage(
    officer, owner, finding, action, other_partnership, scheme, level, settings
):
    attach(action, owner, files=[("ours.pdf", PDF_BYTES)])
    elsewhere = Strategy.objects.create(partnership=other_partnership, name="Their plan", scheme=scheme)
    group = DeliveryGroup.objects.create(strategy=elsewhere, priority=Priority.objects.create(strategy=elsewhere, name="P"), name="G")
    theirs = Action.objects.create(strategy=elsewhere, group=group, ref="THEIRS", text="Not ours", rating=level("amber"))
    attach(theirs, None, files=[("theirs.pdf", PDF_BYTES)])
    finding.actions.add(theirs)  # a link made behind the forms' back must still not leak their files
    pack, _ = evidence_pack_request(strategy=action.strategy, user=officer, finding=finding)
    _, archive = produced(pack, settings)
    assert [n for n in archive.namelist() if n.endswith(".pdf")] == [n for n in archive.namelist() if "ours" in n and "theirs" not in n]
    assert "THEIRS" not in archive.read("index-of-evidence.csv").decode("utf-8-sig")


def test_a_pack_for_someone_who_has_left_the_partnership_fails_and_holds_nothing(officer, owner, finding, action, settings):
    attach(action, owner, files=[("ours.pdf", PDF_BYTES)])
    settings.CELERY_TASK_ALWAYS_EAGER = False  # queue only: the person leaves before a worker picks it up
    pack, _ = evidence_pack_request(strategy=action.strategy, user=officer, finding=finding)
    Membership.objects.filter(user=officer).delete()
    assert produce_evidence_pack.apply(args=[pack.pk]).result == "failed"
    pack.refresh_from_db()
    assert pack.status == EvidencePack.Status.FAILED and "no longer belongs to the partnership" in pack.error
    folder = settings.PRIVATE_MEDIA_ROOT / "evidence-packs"
    assert not folder.exists() or not list(folder.iterdir())


def test_asking_twice_while_pending_queues_one_pack(client, officer, finding, action, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client.force_login(officer)
    url = reverse("reporting:evidence_pack_request", args=[action.strategy_id])
    first = client.post(url, {"finding": finding.pk})
    second = client.post(url, {"finding": finding.pk}, follow=True)
    assert EvidencePack.objects.count() == 1 and first.url == second.redirect_chain[-1][0]
    assert "That evidence pack is already being produced." in second.content.decode()


def test_a_job_killed_mid_way_and_run_again_leaves_one_pack(officer, owner, finding, action, settings):
    attach(action, owner, files=[("ours.pdf", PDF_BYTES)])
    settings.CELERY_TASK_ALWAYS_EAGER = False
    pack, _ = evidence_pack_request(strategy=action.strategy, user=officer, finding=finding)
    # What a worker killed mid-way leaves: the row claimed, a partial file, no lock (it died with its connection).
    folder = settings.PRIVATE_MEDIA_ROOT / "evidence-packs"
    folder.mkdir(parents=True)
    (folder / f".evidence-pack-{pack.pk}.zip.99999.part").write_bytes(b"PK half")
    EvidencePack.objects.filter(pk=pack.pk).update(status=EvidencePack.Status.RUNNING, attempts=1)
    assert produce_evidence_pack.apply(args=[pack.pk]).result == "ready"  # the redelivered task
    assert produce_evidence_pack.apply(args=[pack.pk]).result == "nothing to do"  # and a duplicate delivery
    pack.refresh_from_db()
    assert pack.status == EvidencePack.Status.READY and pack.attempts == 2
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(".part")) == [pack.pdf_name, pack.zip_name]
    assert EvidencePack.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_while_another_worker_holds_the_job_a_second_one_does_nothing(officer, finding, action):
    pack = EvidencePack.objects.create(strategy=action.strategy, finding=finding, requested_by=officer)  # queued, no task sent
    held, release = threading.Event(), threading.Event()

    def hold():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [EVIDENCE_PACK_LOCK, pack.pk])
            held.set()
            release.wait(30)
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [EVIDENCE_PACK_LOCK, pack.pk])
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(30)
        evidence_pack_produce(pack)
        pack.refresh_from_db()
        assert pack.status == EvidencePack.Status.QUEUED and pack.attempts == 0
    finally:
        release.set()
        holder.join()
    evidence_pack_produce(pack)
    pack.refresh_from_db()
    assert pack.status == EvidencePack.Status.READY and pack.attempts == 1


def test_only_officers_download_and_the_pack_must_be_ready(client, board, officer, finding, action, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    pack, _ = evidence_pack_request(strategy=action.strategy, user=officer, finding=finding)
    client.force_login(officer)
    assert client.get(reverse("reporting:evidence_pack_download", args=[pack.pk, "pdf"])).status_code == 404
    client.force_login(board)
    assert client.get(reverse("reporting:evidence_pack_detail", args=[pack.pk])).status_code == 403


@pytest.mark.parametrize("size", [5, 80])
def test_the_packs_contents_are_read_in_a_bounded_number_of_queries(inspection, group, level, owner, size, django_assert_max_num_queries):
    from actions.models import ActionUpdate
    from reporting.evidence import evidence_pack_context

    strategy = inspection.strategy
    actions = Action.objects.bulk_create(
        Action(strategy=strategy, group=group, ref=f"G{i}", text="Action", rating=level("amber"), position=i) for i in range(size)
    )
    ActionUpdate.objects.bulk_create(ActionUpdate(action=a, author=owner, rating_after=a.rating, narrative="Done.") for a in actions)
    for n, chunk in enumerate((actions[: size // 2], actions[size // 2 :]), start=1):
        finding = Finding.objects.create(inspection=inspection, kind="improvement", number=n, text=f"Finding {n}")
        finding.actions.set(chunk)
    with django_assert_max_num_queries(10):
        context = evidence_pack_context(strategy, None)
    assert sum(len(fp.work) for item in context["inspections"] for fp in item.findings) == size


def test_no_action_s_heading_or_caption_is_left_at_a_page_s_foot_without_its_rows(demo_seeded, tmp_path):
    """The demo's whole evidence pack: an action's heading and the caption of what was done on it stood at the foot of a
    page with its table's rows on the next. Each page has as many table headers as captions (more where a long table
    runs on and repeats its header), never a caption without one."""
    from reporting.evidence import evidence_pack_context, evidence_pack_html
    from reporting.pdf import render_pdf

    pdf = tmp_path / "evidence.pdf"
    rendered = render_pdf(evidence_pack_html(evidence_pack_context(demo_seeded, None)))
    pdf.write_bytes(rendered.content)
    stranded = []
    for page in range(1, rendered.page_count + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True).stdout
        if text.count("What was done on ") > text.count("Narrative and evidence"):
            stranded.append(page)
    assert rendered.page_count >= 5 and stranded == []


def test_a_pack_whose_worker_has_gone_silent_says_so_instead_of_only_being_produced(client, officer, finding, action, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    pack = EvidencePack.objects.create(strategy=action.strategy, finding=finding, requested_by=officer, status=EvidencePack.Status.RUNNING)
    started = timezone.now() - dt.timedelta(minutes=2)
    client.force_login(officer)
    url = reverse("reporting:evidence_pack_detail", args=[pack.pk])
    EvidencePack.objects.filter(pk=pack.pk).update(started_at=started, heartbeat_at=timezone.now())
    assert "taking longer than it should" not in client.get(url).content.decode()
    EvidencePack.objects.filter(pk=pack.pk).update(heartbeat_at=started)
    html = client.get(url).content.decode()
    assert "is being produced" in html and "taking longer than it should" in html and "It will be queued again by itself." in html
