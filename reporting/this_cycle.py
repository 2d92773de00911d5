"""This cycle: what the reporting cycle before the next board meeting asks of a person, built from the existing reads.

The cycle runs from the strategy's latest snapshot to its next scheduled
meeting. Officers see what needs chasing, the sign-offs, the meeting's
deadlines and the imports and packs still in progress; a co-production
partner sees the families' views still to record; a signatory sees the
sign-offs waiting for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from actions.models import BOARD_ACTIONS_GROUP, DeliveryGroup, PlanImport, Snapshot, Strategy
from actions.round import RoundProgress, round_by_organisation
from coproduction.models import FamiliesView
from coproduction.services import families_views_current
from governance.calendar import meeting_next
from governance.models import Meeting, SignOff
from governance.signoff import deadline_of, sign_offs_due_for, sign_offs_for
from kpis.models import BenchmarkImport, KpiValueImport
from people.access import is_coproduction_partner, is_officer
from people.models import Membership
from reporting.models import BoardReport, EvidencePack


@dataclass
class GroupToRecord:
    group: DeliveryGroup
    latest: FamiliesView | None
    recorded_this_cycle: bool
    sub_group_views: list[tuple[DeliveryGroup, FamiliesView]] = field(default_factory=list)  # its sub-groups' views this cycle

    @property
    def done_this_cycle(self) -> bool:
        """A view of the group, or of one of its sub-groups, recorded this cycle: the forum has spoken on it."""
        return self.recorded_this_cycle or bool(self.sub_group_views)


@dataclass
class InProgress:
    """An import or a pack not finished: what it is, where it stands and where to go on with it."""

    label: str
    status: str
    url: str


@dataclass
class ThisCycle:
    strategy: Strategy
    meeting: Meeting | None
    deadline: dt.date | None
    since: Snapshot | None
    update_round: RoundProgress | None = None  # for officers: the update round by organisation
    sign_offs: list[SignOff] = field(default_factory=list)
    my_sign_offs: list[SignOff] = field(default_factory=list)
    to_record: list[GroupToRecord] = field(default_factory=list)
    in_progress: list[InProgress] = field(default_factory=list)

    @property
    def still_to_record(self) -> int:
        return sum(1 for row in self.to_record if not row.done_this_cycle)


def _in_progress(strategy: Strategy) -> list[InProgress]:
    found = [
        InProgress(
            f"Plan import {plan.filename}",
            plan.get_status_display(),
            reverse(
                "actions:plan_import_mapping" if plan.status == PlanImport.Status.MAPPING else "actions:plan_import_preview", args=[plan.pk]
            ),
        )
        for plan in PlanImport.objects.filter(strategy=strategy, status__in=[PlanImport.Status.MAPPING, PlanImport.Status.PREVIEWED])
    ]
    found += [
        InProgress(f"KPI values {upload.filename}", upload.get_status_display(), reverse("kpis:kpi_upload_preview", args=[upload.pk]))
        for upload in KpiValueImport.objects.filter(strategy=strategy, status=KpiValueImport.Status.PREVIEWED)
    ]
    found += [
        InProgress(f"Benchmarks {upload.filename}", upload.get_status_display(), reverse("kpis:benchmarks_preview", args=[upload.pk]))
        for upload in BenchmarkImport.objects.filter(strategy=strategy, status=BenchmarkImport.Status.PREVIEWED)
    ]
    unfinished = Q(status__in=[*BoardReport.PENDING, BoardReport.Status.FAILED])
    found += [
        InProgress(
            f"Board pack as at {report.snapshot.as_at:%-d %B %Y}",
            report.get_status_display(),
            reverse("reporting:report_detail", args=[report.pk]),
        )
        for report in BoardReport.objects.filter(unfinished, strategy=strategy).select_related("snapshot")
    ]
    found += [
        InProgress("Evidence pack", pack.get_status_display(), reverse("reporting:evidence_pack_detail", args=[pack.pk]))
        for pack in EvidencePack.objects.filter(strategy=strategy).exclude(status=EvidencePack.Status.READY)
    ]
    return found


def this_cycle_for(strategy: Strategy, user: User, membership: Membership, today: dt.date) -> ThisCycle:
    meeting = meeting_next(strategy, today)
    cycle = ThisCycle(
        strategy=strategy,
        meeting=meeting,
        deadline=deadline_of(meeting) if meeting else None,
        since=Snapshot.objects.last_board_for(strategy.pk, today=today),
    )
    cycle.my_sign_offs = sign_offs_due_for(user, today, strategy)
    if is_officer(membership):
        cycle.update_round = round_by_organisation(strategy, today)
        cycle.sign_offs = sign_offs_for(meeting) if meeting else []
        cycle.in_progress = _in_progress(strategy)
    if is_coproduction_partner(membership):
        cycle.to_record = groups_to_record(strategy, cycle.since)
    return cycle


def groups_to_record(strategy: Strategy, since: Snapshot | None) -> list[GroupToRecord]:
    """The delivery groups the families' view is asked of, each with its latest view and whether the forum spoke on it
    this cycle (of the group itself, or of a sub-group: a view of 3.A is a view within group 3). Not the board's own
    "Board actions arising", which gathers the board's actions rather than delivering a part of the strategy."""
    current = families_views_current(strategy)
    this_cycle = {group_id for group_id, view in current.items() if view.recorded_in(since)}
    groups = (
        DeliveryGroup.objects.filter(strategy=strategy, parent__isnull=True)
        .exclude(BOARD_ACTIONS_GROUP)
        .select_related("priority")
        .prefetch_related("children")
        .order_by("priority__position", "position", "id")
    )
    return [
        GroupToRecord(
            group,
            current.get(group.pk),
            group.pk in this_cycle,
            [
                (sub, current[sub.pk])
                for sub in sorted(group.children.all(), key=lambda sub: (sub.position, sub.pk))
                if sub.pk in this_cycle
            ],
        )
        for group in groups
    ]
