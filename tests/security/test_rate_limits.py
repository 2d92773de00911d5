"""Expensive requests are limited per person per hour: the next one gets a 429 page and queues nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reporting.models import BoardReport


@pytest.fixture
def limits(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "board_report": 3, "export": 2}
    return settings.RATE_LIMITS


def request_pack(client, strategy, snapshot):
    return client.post(reverse("reporting:report_request", args=[strategy.pk]), {"snapshot": snapshot.pk})


def test_board_pack_requests_are_limited_and_the_refused_one_queues_nothing(client, officer, strategy, snapshot, limits, monkeypatch):
    queued = []
    monkeypatch.setattr("reporting.tasks.render_board_report.delay_on_commit", lambda *args, **kw: queued.append(args))
    client.force_login(officer)
    for _ in range(limits["board_report"]):
        BoardReport.objects.update(status=BoardReport.Status.READY)  # so that each request makes a new pack
        assert request_pack(client, strategy, snapshot).status_code == 302
    made, sent = BoardReport.objects.count(), len(queued)
    BoardReport.objects.update(status=BoardReport.Status.READY)
    response = request_pack(client, strategy, snapshot)
    assert response.status_code == 429
    assert "You have asked for too many board packs" in response.content.decode()
    assert BoardReport.objects.count() == made and len(queued) == sent


def test_retrying_a_pack_counts_towards_the_same_limit(client, officer, failed_report, limits, strategy, snapshot):
    client.force_login(officer)
    for _ in range(limits["board_report"]):
        BoardReport.objects.update(status=BoardReport.Status.READY)
        request_pack(client, strategy, snapshot)
    before = BoardReport.objects.count()
    BoardReport.objects.filter(pk=failed_report.pk).update(status=BoardReport.Status.FAILED)
    assert client.post(reverse("reporting:report_retry", args=[failed_report.pk])).status_code == 429
    assert BoardReport.objects.count() == before


def test_exports_are_limited_per_person_not_per_partnership(client, board, officer, strategy, action, limits):
    url = reverse("reporting:dashboard_export", args=[strategy.pk, "csv"])
    client.force_login(board)
    for _ in range(limits["export"]):
        assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429 and "too many exports" in refused.content.decode()
    client.force_login(officer)
    assert client.get(url).status_code == 200


def test_the_limit_lifts_when_the_hour_is_up(client, board, strategy, action, limits):
    from django.core.cache import cache

    url = reverse("reporting:dashboard_export", args=[strategy.pk, "xlsx"])
    client.force_login(board)
    for _ in range(limits["export"]):
        client.get(url)
    assert client.get(url).status_code == 429
    cache.delete(f"rate-limit:export:{board.pk}")  # the counter's hour has passed
    assert client.get(url).status_code == 200


def test_a_refusal_is_logged(client, board, strategy, action, limits, caplog):
    url = reverse("reporting:dashboard_export", args=[strategy.pk, "csv"])
    client.force_login(board)
    for _ in range(limits["export"] + 1):
        client.get(url)
    assert '"event": "rate_limited"' in caplog.text and '"bucket": "export"' in caplog.text


def test_evidence_pack_requests_are_limited_and_the_refused_one_queues_nothing(client, officer, strategy, finding, settings, monkeypatch):
    from reporting.models import EvidencePack

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "evidence_pack": 2}
    monkeypatch.setattr("reporting.tasks.produce_evidence_pack.delay_on_commit", lambda *args, **kw: None)
    client.force_login(officer)
    url = reverse("reporting:evidence_pack_request", args=[strategy.pk])
    for _ in range(2):
        EvidencePack.objects.update(status=EvidencePack.Status.READY)
        assert client.post(url, {"finding": finding.pk}).status_code == 302
    EvidencePack.objects.update(status=EvidencePack.Status.READY)
    refused = client.post(url, {"finding": finding.pk})
    assert refused.status_code == 429 and "too many evidence packs" in refused.content.decode()
    assert EvidencePack.objects.count() == 2
