"""Closing a risk that no longer applies and reopening it: it leaves the live register, the heat map, the board's papers
and the rules' flags, stays readable on record with when, who and why, and is not re-scored or changed while closed."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from governance.services import snapshot_take
from risks import reads, rules
from risks.models import Risk, RiskScore, SnapshotRisk
from risks.services import RiskClosedError, risk_close, risk_rescore
from tests.conftest import date_boxes
from tests.markup import shown
from tests.risks.conftest import make_risk

pytestmark = pytest.mark.django_db
WHY = "The new special school opened in September: the cause has gone."


def close(client, risk, reason=WHY, version=None):
    return client.post(
        reverse("risks:risk_close", args=[risk.pk]), {"reason": reason, "version": str(risk.version if version is None else version)}
    )


def register(client, strategy) -> str:
    return client.get(reverse("risks:register", args=[strategy.pk])).content.decode()


def live_refs(page: str) -> list[str]:
    live = page.split('data-testid="risk-table"')[1].split("</table>")[0] if 'data-testid="risk-table"' in page else ""
    return re.findall(r'class="govuk-link" href="/risks/\d+/">(R\d+) ', live)


def test_the_owner_closes_a_risk_with_why_and_it_leaves_the_live_register_and_heat_map_for_the_closed_section(
    client, owner, risk, strategy, owner_post
):
    make_risk(strategy, owner_post, ref="R2", title="Workforce", residual=(3, 3))
    client.force_login(owner)
    before = register(client, strategy)
    assert live_refs(before) == ["R1", "R2"] and "1 risk: R1" in before and "Closed risks" not in before

    response = close(client, risk)
    assert response.status_code == 302 and response.url == risk.get_absolute_url()
    after = register(client, strategy)
    assert live_refs(after) == ["R2"] and "1 risk: R1" not in after and "1 risk: R2" in after
    closed = after.split('data-testid="closed-risk-table"')[1]
    assert "R1 Sufficiency of specialist places" in closed and WHY in closed
    assert f"{timezone.localdate():%-d %b %Y}" in closed and (owner.get_full_name() or owner.email) in closed


def test_a_closed_risks_page_says_when_who_and_why_and_offers_only_reopening(client, owner, risk):
    client.force_login(owner)
    close(client, risk)
    page = client.get(risk.get_absolute_url()).content.decode()
    assert 'data-testid="risk-closings"' not in page  # its one closing is said above, not listed again
    assert "Risk R1 is closed. It has left the live register" in page  # the banner after closing
    said = page.split('data-testid="risk-closed"')[1].split("</div>")[0]
    assert f"Closed on {timezone.localdate():%-d %B %Y} by" in said and WHY in said
    assert "Reopen the risk" in page
    assert "Re-score the risk" not in page and "Change the risk" not in page and "Close the risk" not in page
    assert "16 Extreme" in page  # its scores and history stay readable
    risk.refresh_from_db()
    assert risk.closed_by == owner and risk.closed_reason == WHY


def test_closing_without_a_reason_shows_the_error_summary_and_closes_nothing(client, owner, risk):
    client.force_login(owner)
    response = close(client, risk, reason="   ")
    page = shown(response.content.decode())
    assert response.status_code == 422
    assert "There is a problem" in page and "Enter why the risk is being closed" in page and "<title>Error: " in page
    risk.refresh_from_db()
    assert risk.closed_at is None


def test_closing_over_someone_elses_change_is_refused(client, owner, officer, risk):
    client.force_login(owner)
    opened_at = risk.version
    risk_rescore(risk=risk, version=None, scores={"residual_likelihood": 3}, reason="Reviewed.", by=officer)
    response = close(client, risk, version=opened_at)
    assert response.status_code == 422 and "Someone else changed this risk" in response.content.decode()
    risk.refresh_from_db()
    assert risk.closed_at is None


def test_a_closed_risk_is_not_re_scored_or_changed_and_says_so(client, owner, risk):
    client.force_login(owner)
    close(client, risk)
    scores = {"inherent_likelihood": "5", "inherent_impact": "4", "residual_likelihood": "2", "residual_impact": "2"}
    data = scores | {"reason": "Places opened.", "version": str(Risk.objects.get(pk=risk.pk).version)}
    data |= date_boxes("review_date", timezone.localdate() + dt.timedelta(days=30))
    for name in ("risks:risk_rescore", "risks:risk_edit", "risks:risk_close"):
        url = reverse(name, args=[risk.pk])
        assert client.get(url).url == risk.get_absolute_url()
        page = client.post(url, data, follow=True).content.decode()
        assert "Risk R1 is closed, so it cannot be changed, re-scored or closed again" in page
    risk.refresh_from_db()
    assert risk.residual_score == 16 and RiskScore.objects.filter(risk=risk).count() == 1
    # The service refuses it too, in the same words as the page.
    with pytest.raises(RiskClosedError, match="^This risk is closed, so it cannot be changed, re-scored or closed again"):
        risk_rescore(risk=risk, version=None, scores={"residual_likelihood": 1}, reason="x", by=owner)


def test_reopening_puts_the_risk_back_as_it_was_and_the_history_keeps_its_closing(client, owner, risk, strategy):
    client.force_login(owner)
    close(client, risk)
    closed = Risk.objects.get(pk=risk.pk)
    response = client.post(reverse("risks:risk_reopen", args=[risk.pk]), {"version": str(closed.version)}, follow=True)
    assert "Risk R1 is reopened and back on the live register." in response.content.decode()
    assert live_refs(register(client, strategy)) == ["R1"] and "1 risk: R1" in register(client, strategy)
    risk.refresh_from_db()
    assert (risk.closed_at, risk.closed_by, risk.closed_reason, risk.residual_score) == (None, None, "", 16)
    assert list(risk.events.order_by("pgh_id").values_list("closed_reason", flat=True))[-2:] == [WHY, ""]
    page = client.get(risk.get_absolute_url()).content.decode()
    assert "Re-score the risk" in page
    # The page keeps the closing it came back from: when, by whom and why, and who reopened it.
    closings = page.split('data-testid="risk-closings"')[1].split("</ul>")[0]
    name = owner.get_full_name() or owner.email
    assert f"Reopened on {timezone.localdate():%-d %b %Y}</strong> by {name}" in closings
    assert f"Closed on {timezone.localdate():%-d %b %Y}</strong> by {name}: {WHY}" in closings
    assert closings.index("Reopened") < closings.index("Closed")


def test_reopening_is_a_post_from_the_page_and_refused_over_a_stale_page(client, owner, risk):
    client.force_login(owner)
    url = reverse("risks:risk_reopen", args=[risk.pk])
    assert client.get(url).status_code == 405
    close(client, risk)
    page = client.post(url, {"version": str(risk.version)}, follow=True).content.decode()  # the version before the close
    assert "Someone else changed this risk" in page
    assert Risk.objects.get(pk=risk.pk).closed_at is not None


def test_a_board_member_cannot_close_or_reopen_and_another_partnership_is_told_it_does_not_exist(client, board, outsider, officer, risk):
    client.force_login(board)
    assert client.get(reverse("risks:risk_close", args=[risk.pk])).status_code == 403
    assert close(client, risk).status_code == 403
    assert "Close the risk" not in client.get(risk.get_absolute_url()).content.decode()
    risk_close(risk=risk, version=None, reason=WHY, by=officer)
    assert client.post(reverse("risks:risk_reopen", args=[risk.pk]), {"version": "3"}).status_code == 403
    assert "Reopen the risk" not in client.get(risk.get_absolute_url()).content.decode()
    client.force_login(outsider)
    for name in ("risks:risk_close", "risks:risk_reopen"):
        assert client.post(reverse(name, args=[risk.pk]), {"reason": WHY}).status_code == 404
    assert Risk.objects.get(pk=risk.pk).closed_by == officer


def test_a_closed_risk_leaves_the_top_risks_the_items_for_decision_and_the_review_overdue_flag(
    client, board, officer, strategy, owner_post, action, level
):
    action.rating = level("red")
    action.save()
    late = make_risk(strategy, owner_post, ref="R3", title="Late review", actions=[action], review_date=dt.date(2020, 1, 1))
    today = timezone.localdate()
    assert [row.risk.ref for row in reads.for_decision(strategy, today)] == ["R3"]
    risk_close(risk=late, version=None, reason="Became an issue: managed on the issue log.", by=officer)
    late.refresh_from_db()
    assert reads.for_decision(strategy, today) == [] and reads.top_risks(strategy, today=today) == []
    assert rules.status(late, today).flags == [] and not rules.is_review_overdue(late.review_date, today, late.closed_at)
    client.force_login(board)
    headline = client.get(reverse("risks:headline", args=[strategy.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "R3" not in shown(headline)
    assert "Review overdue" not in client.get(late.get_absolute_url()).content.decode()


def test_a_new_snapshot_and_its_pack_leave_a_closed_risk_out(strategy, risk, owner_post, officer):
    make_risk(strategy, owner_post, ref="R2", title="Workforce", residual=(3, 3))
    risk_close(risk=risk, version=None, reason=WHY, by=officer)
    snapshot = snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14), taken_by=officer)
    assert list(SnapshotRisk.objects.filter(snapshot=snapshot).values_list("ref", flat=True)) == ["R2"]
    pack = reads.pack_risks(snapshot)
    assert [row.ref for row in pack.top] == ["R2"] and pack.heat.total == 1


def test_the_spreadsheet_lists_a_closed_risk_after_the_open_ones_with_when_and_why(client, officer, risk, strategy, owner_post):
    make_risk(strategy, owner_post, ref="R2", title="Workforce", residual=(3, 3))
    risk_close(risk=risk, version=None, reason=WHY, by=officer)
    client.force_login(officer)
    sheet = load_workbook(io.BytesIO(client.get(reverse("risks:register_export", args=[strategy.pk])).content))["Risks"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("Closed", "Why closed")
    assert [(row[0], row[-1]) for row in rows[1:]] == [("R2", None), ("R1", WHY)]
    assert rows[2][-2].date() == timezone.localdate()


def test_the_next_packs_movement_says_a_risk_was_closed_since_the_last_board(strategy, risk, owner_post, officer):
    make_risk(strategy, owner_post, ref="R2", title="Workforce", residual=(3, 3))
    snapshot_take(strategy=strategy, as_at=dt.date(2025, 5, 14), taken_by=officer)
    risk_close(risk=risk, version=None, reason=WHY, by=officer)
    second = snapshot_take(strategy=strategy, as_at=dt.date(2025, 7, 14), taken_by=officer)
    moved = reads.risks_moved(second)
    assert [(m.ref, m.before, m.after, m.words) for m in moved] == [("R1", 16, None, "Closed")]
