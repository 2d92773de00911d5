from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from actions.commands import ONE_PLAN
from actions.models import Action, DeliveryGroup, Evidence, Snapshot, Strategy
from actions.plan import milestone_add, milestone_mark
from actions.services import action_update_record
from coproduction.models import Deliverable, FamiliesLevel, FamiliesView, PublicPage, SummaryDraft
from coproduction.services import families_view_record, page_publish
from governance.demo_history import (
    DemoHistory,
    csv_shifted,
    demo_time,
    fixture_shifted,
    month_shift,
    months_between,
    on_a_weekday,
    update_dated_in_round,
)
from governance.models import Board, Finding, Inspection, Meeting, SelfEvaluation, Signatory, SignOff, StrandLink
from governance.self_evaluation import self_evaluation_draft
from governance.services import snapshot_stated_take
from governance.signoff import deadline_of, sign_off_decide, sign_off_reminders_queue, sign_offs_for, signatory_nominate
from kpis.models import Indicator
from people.models import Membership, Organisation, Partnership, Post

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
PLANS = [
    ("cheshire-east-one-plan", "cheshire-east"),
    ("cheshire-west-strategy", "rag"),
]
KPIS = {"cheshire-east-one-plan": "cheshire-east", "cheshire-west-strategy": "cheshire-west"}
DEMO_PASSWORD = "demo-password-not-for-real-use"
# (delivery group, level, what families are saying, source, the forum agrees to publish it)
DEMO_FAMILIES_VIEWS = [
    (
        "2. Inclusion, SEN Support and our Graduated Approach",
        FamiliesLevel.NO_CHANGE,
        "Parents tell us support in school depends on which school their child goes to, and SEN support plans are not shared.",
        "2025 SEND Partnership Survey, parents' answers on SEN support; three Forum listening events in spring 2025.",
        True,
    ),
    (
        "13. Communication and Learning From Feedback, Complaints and Appeals",
        FamiliesLevel.SOME,
        "Families like the new newsletter, but many have still not heard of the Local Offer.",
        "2025 SEND Partnership Survey, questions on communication; Forum newsletter feedback.",
        True,
    ),
    (
        "3. Education, Health and Care (EHC) Needs Assessments and Plans – A. Decision making and panel processes",
        FamiliesLevel.WORSE,
        "More families are contacting the Forum about decisions not to assess, and say the reasons are not explained.",
        "Forum casework themes, April to May 2025.",
        False,
    ),
    (
        "8. Training",
        FamiliesLevel.IMPROVEMENT,
        "Parents who went to the co-produced training sessions rated them highly and want more.",
        "Feedback forms from the parent training sessions.",
        True,
    ),
    (
        "11. Transition Between Educational Phases",
        FamiliesLevel.SOME,
        "The new transition web pages help, but families of children moving to secondary school want earlier planning meetings.",
        "Listening event on transition, March 2025.",
        False,
    ),
]
DEMO_SIGNATORIES = [
    (Organisation.Kind.COUNCIL, "council.signatory@example.org", "Chris", "Director of Education, Strong Start and Integration"),
    (Organisation.Kind.ICB, "icb.signatory@example.org", "Imran", "Associate Director of Quality, ICB"),
    (Organisation.Kind.NHS_TRUST, "trust.signatory@example.org", "Tara", "Head of Operations, CWP"),
    (Organisation.Kind.PCF, "", "", ""),
]
DEMO_SUMMARIES = [
    (
        "1. SEND Partnership and Senior Leaders' Oversight",
        "You told us you could not find out what the partnership had promised or how it was going.",
        "We have published an easy read summary of the One Plan and this page, which we update after every Partnership Board.",
    ),
    (
        "2. Inclusion, SEN Support and our Graduated Approach",
        "You said support in school depends too much on which school your child attends.",
        "We are writing an Inclusion Strategy with schools and the Parent Carer Forum, and new SEN support plan guidance for every school.",
    ),
    (
        "8. Training",
        "You asked for training for parents, not just for professionals.",
        "We ran four co-produced training sessions for parents and carers this spring, with more planned in the autumn.",
    ),
    (
        "13. Communication and Learning From Feedback, Complaints and Appeals",
        "You said you only hear about changes when something has gone wrong.",
        "We relaunched the 'SENDing you the news' newsletter and will publish what we learn from complaints every year.",
    ),
]
DEMO_DRAFT = (
    "8. Training",
    "You asked for training for parents (draft, not yet agreed).",
    "Draft: autumn dates still to be confirmed with the Forum.",
)


class Command(BaseCommand):
    help = (
        "Load both real plans and one demo account per role, then run the daily sweep once. Only with DEBUG on. "
        "A plan already loaded is left exactly as people have changed it: only what is missing is added."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with a published password: it runs only with DEBUG=true.")
        fresh = [folder for folder, scheme in PLANS if self._load_plan(folder, scheme)]
        # Benchmarks from Explore Education Statistics (fixtures/benchmarks), after the KPIs they belong to.
        call_command("seed_benchmarks_demo", stdout=self.stdout)
        east = Partnership.objects.get(name=json.loads((FIXTURES / PLANS[0][0] / "plan.json").read_text())["partnership"])
        lead_post = Post.objects.filter(partnership=east, title="Head of Service: Inclusion").first()
        people = [
            ("lead@example.org", "Dana", "Lead", "Head of Service: Inclusion", Membership.Role.DELIVERY_LEAD),
            ("board@example.org", "Bilal", "Board", "Partnership Board member", Membership.Role.BOARD_MEMBER),
            ("officer@example.org", "Olu", "Officer", "SEND Programme Officer", Membership.Role.OFFICER),
            ("pcf@example.org", "Priya", "Forum", "Parent Carer Forum co-chair", Membership.Role.COPRODUCTION),
            ("finance@example.org", "Farah", "Finance", "Finance Manager: High Needs", Membership.Role.FINANCE_LEAD),
        ]
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
        for email, first, last, title, role in people:
            user, created = User.objects.get_or_create(
                username=email, defaults={"email": email, "first_name": first, "last_name": last, "job_title": title}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            Membership.objects.get_or_create(user=user, partnership=east, defaults={"role": role})
            if role == Membership.Role.DELIVERY_LEAD and lead_post:
                user.posts.add(lead_post)
            self.stdout.write(f"  {Membership.Role(role).label:<22} {email}")
        self._signatories(east)
        self.stdout.write(f"  {'Partner signatory':<22} trust.signatory@example.org")
        # The risk register and the DSG management plan, each only where the One Plan has none yet: before the
        # history, so that each past board's snapshot holds the register and the budget as they stood.
        call_command("seed_risks_demo", stdout=self.stdout)
        call_command("seed_finance_demo", stdout=self.stdout)
        if PLANS[0][0] in fresh:
            self._seed_history(east)
        self._seed_meetings(east)
        # The inspection's evidence updates before the sign-offs: dated in the round in progress, they come before the
        # council's and the ICB's signatures instead of reopening them.
        self._seed_inspection(east, User.objects.get(username="officer@example.org"))
        self._seed_coproduction(east)
        self._seed_milestones(east, User.objects.get(username="officer@example.org"))
        # The admin spans every partnership, so it is for the install's
        # administrators only; officers work in the product's own pages.
        admin, created = User.objects.get_or_create(
            username="admin@example.org", defaults={"email": "admin@example.org", "is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        self.stdout.write(f"  {'Administrator':<22} admin@example.org (the /admin/ site)")
        self._seed_framework(east, User.objects.get(username="officer@example.org"))
        # The inspection in the framework's cycle (priority action plan, monitoring inspection) and officers' first words.
        call_command("seed_inspection_demo", stdout=self.stdout)
        if not settings.MFA_REQUIRED:
            self.stdout.write("Two-factor sign-in is off for this demo; run with MFA_REQUIRED=true to see it.")
        self._sweep()

    def _load_plan(self, folder: str, scheme: str) -> bool:
        """Import a plan, its KPIs and their values, and its own "as at" snapshot, unless it is loaded already.

        The One Plan's dates are moved (demo_history) so that its ratings date falls about seven months ago.
        """
        details = FIXTURES / folder / "plan.json"
        meta = json.loads(details.read_text(encoding="utf-8"))
        if Strategy.objects.filter(partnership__name=meta["partnership"], name=meta["strategy"]).exists():
            # Never import over people's work: a second start keeps every rating and update made since.
            self.stdout.write(f"{meta['strategy']} is already loaded: left as it is.")
            return False
        with tempfile.TemporaryDirectory() as moved:
            actions = FIXTURES / folder / "actions.csv"
            if folder == PLANS[0][0]:
                actions, details, months = fixture_shifted(FIXTURES / folder, Path(moved), timezone.localdate())
                self.stdout.write(f"The One Plan's dates are moved {months} months on, so its ratings date falls seven months ago.")
            call_command(
                "import_plan",
                str(actions),
                strategy=meta["strategy"],
                partnership=meta["partnership"],
                scheme=meta.get("scheme", scheme),
                details=str(details),
                no_snapshot=True,
                stdout=self.stdout,
            )
        kpis = FIXTURES / "kpis" / KPIS[folder]
        call_command("load_kpis", f"{kpis}-kpis.csv", strategy=meta["strategy"], stdout=self.stdout)
        call_command("import_kpi_values", f"{kpis}-kpi-values.csv", strategy=meta["strategy"], stdout=self.stdout)
        # Taken after the KPI values, so the plan's own "as at" snapshot holds its KPIs too; the One Plan's on its moved date.
        strategy = Strategy.objects.get(partnership__name=meta["partnership"], name=meta["strategy"])
        stated_at = demo_time(strategy.ratings_as_at, 17) if folder == PLANS[0][0] and strategy.ratings_as_at else None
        snapshot_stated_take(strategy=strategy, taken_at=stated_at)
        return True

    def _seed_history(self, partnership: Partnership) -> None:
        """Three board cycles since the plan's ratings date, and the one in progress (governance/demo_history.py)."""
        strategy = Strategy.objects.filter(partnership=partnership, name=ONE_PLAN).first()
        if strategy is None or Meeting.objects.filter(strategy=strategy).exists():
            return
        history = DemoHistory(
            strategy=strategy,
            officer=User.objects.get(username="officer@example.org"),
            forum=User.objects.get(username="pcf@example.org"),
            lead=User.objects.get(username="lead@example.org"),
            today=timezone.localdate(),
        )
        snapshots = history.load()
        if snapshots:
            self.stdout.write(
                "Loaded three board cycles of history: snapshots as at " + ", ".join(f"{s.as_at:%-d %B %Y}" for s in snapshots) + "."
            )

    def _sweep(self) -> None:
        """The daily sweep, once, so that notifications and flags are there at the first sign-in (it is idempotent)."""
        from celery.result import EagerResult

        from actions.tasks import sweep_overdue

        result = sweep_overdue.delay()
        # Only a task run in this process has its result here: with a broker there is no result backend to ask.
        if isinstance(result, EagerResult):
            counts = result.get()
            self.stdout.write("Daily sweep: " + ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items()))
        else:
            self.stdout.write("Daily sweep queued for the worker.")

    def _seed_meetings(self, partnership: Partnership) -> None:
        """The Partnership Board meets every two months: one sitting on the plan's own ratings (unless the history has
        its meetings), and the next, two months after the last held."""
        board = Board.objects.filter(partnership=partnership, name__icontains="Partnership Board").first()
        strategy = partnership.strategies.filter(name=ONE_PLAN).first() or partnership.strategies.first()
        if board is None or strategy is None:
            return
        snapshot = Snapshot.objects.filter(strategy=strategy, as_at=strategy.ratings_as_at).first()
        if snapshot is not None and not Meeting.objects.filter(board=board, status=Meeting.Status.HELD).exists():
            Meeting.objects.create(
                board=board,
                date=snapshot.as_at + dt.timedelta(days=7),
                strategy=strategy,
                papers_deadline=snapshot.as_at,
                status=Meeting.Status.HELD,
                snapshot=snapshot,
            )
        if not Meeting.objects.filter(board=board, status=Meeting.Status.SCHEDULED, date__gte=timezone.localdate()).exists():
            held = Meeting.objects.filter(board=board, status=Meeting.Status.HELD).order_by("-date").first()
            upcoming = month_shift(held.date, 2) if held else timezone.localdate() + dt.timedelta(days=12)
            if upcoming < timezone.localdate() + dt.timedelta(days=7):
                upcoming = timezone.localdate() + dt.timedelta(days=12)
            upcoming = on_a_weekday(upcoming)
            Meeting.objects.create(board=board, date=upcoming, strategy=strategy, papers_deadline=upcoming - dt.timedelta(days=7))

    def _seed_coproduction(self, partnership: Partnership) -> None:
        """The families' view, the sign-off before the next board, the deliverables and the public page: each only where empty."""
        strategy = Strategy.objects.filter(partnership=partnership, name=ONE_PLAN).first()
        if strategy is None:
            return
        groups = {str(g): g for g in DeliveryGroup.objects.filter(strategy=strategy).select_related("parent")}
        if not Deliverable.objects.filter(strategy=strategy).exists():
            # Due when the plan's own dates are: moved as far as its ratings date was (demo_history).
            stated = dt.date.fromisoformat(json.loads((FIXTURES / PLANS[0][0] / "plan.json").read_text())["ratings_as_at"])
            months = months_between(stated, strategy.ratings_as_at) if strategy.ratings_as_at else 0
            with tempfile.TemporaryDirectory() as moved:
                source = csv_shifted(FIXTURES / PLANS[0][0] / "deliverables.csv", Path(moved), months, ("due", "deliverable"))
                call_command("import_deliverables", str(source), strategy=ONE_PLAN, stdout=self.stdout)
        partner = User.objects.get(username="pcf@example.org")
        pcf = Organisation.objects.filter(partnership=partnership, kind=Organisation.Kind.PCF).first()
        if pcf and partner.organisation_id is None:
            partner.organisation = pcf
            partner.save(update_fields=["organisation"])
        # What families say in the cycle in progress, unless someone has recorded a view since the last board.
        last_board = Snapshot.objects.last_board_for(strategy)
        since = FamiliesView.objects.filter(group__strategy=strategy)
        if not (since.filter(recorded_at__gt=last_board.taken_at) if last_board else since).exists():
            for name, level, narrative, source, publishable in DEMO_FAMILIES_VIEWS:
                if name in groups:
                    families_view_record(
                        group=groups[name], user=partner, level=level, narrative=narrative, source=source, publishable=publishable
                    )
        meeting = (
            Meeting.objects.filter(strategy=strategy, status=Meeting.Status.SCHEDULED, date__gte=timezone.localdate())
            .select_related("board")
            .order_by("date")
            .first()
        )
        if meeting is not None:
            self._seed_sign_off(partnership, meeting, partner)
        self._seed_public_page(strategy, groups)

    def _signatories(self, partnership: Partnership) -> None:
        """The council's, the ICB's and the trust's signatories (demo accounts) and the forum's co-chair, each where none is nominated."""
        officer = User.objects.get(username="officer@example.org")
        for kind, email, first, title in DEMO_SIGNATORIES:
            organisation = Organisation.objects.filter(partnership=partnership, kind=kind).first()
            if organisation is None or Signatory.objects.filter(organisation=organisation).exists():
                continue
            if kind == Organisation.Kind.PCF:
                signatory = User.objects.get(username="pcf@example.org")
            else:
                signatory, created = User.objects.get_or_create(
                    username=email,
                    defaults={
                        "email": email,
                        "first_name": first,
                        "last_name": "Signatory",
                        "job_title": title,
                        "organisation": organisation,
                    },
                )
                if created:
                    signatory.set_password(DEMO_PASSWORD)
                    signatory.save()
                Membership.objects.get_or_create(user=signatory, partnership=partnership, defaults={"role": Membership.Role.BOARD_MEMBER})
            signatory_nominate(organisation=organisation, user=signatory, by=officer)

    def _seed_sign_off(self, partnership: Partnership, meeting: Meeting, partner: User) -> None:
        """Two organisations signed off, the Parent Carer Forum still to sign (and reminded), the trust declined."""
        sign_offs = {s.organisation.kind: s for s in sign_offs_for(meeting)}
        if any(s.status != SignOff.Status.OUTSTANDING for s in sign_offs.values()):
            return
        deadline = deadline_of(meeting)
        for kind in (Organisation.Kind.COUNCIL, Organisation.Kind.ICB):
            if kind in sign_offs:
                sign_off = sign_offs[kind]
                sign_off_decide(
                    sign_off=sign_off, user=Signatory.objects.get(organisation=sign_off.organisation).user, confirm=True, today=deadline
                )
        if Organisation.Kind.NHS_TRUST in sign_offs:
            sign_off = sign_offs[Organisation.Kind.NHS_TRUST]
            sign_off_decide(
                sign_off=sign_off,
                user=Signatory.objects.get(organisation=sign_off.organisation).user,
                confirm=False,
                reason="C10 and C11 are waiting for the trust's own performance figures, due next week.",
                today=deadline,
            )
        sign_off_reminders_queue(meeting=meeting, days_before=settings.REMIND_DAYS_BEFORE, today=timezone.localdate())

    def _seed_public_page(self, strategy: Strategy, groups: dict) -> None:
        page, _ = PublicPage.objects.get_or_create(
            strategy=strategy,
            defaults={
                "slug": "one-plan",
                "introduction": "How the Cheshire East SEND partnership is doing on the promises of our One Plan, written for families.",
            },
        )
        if page.publications.exists() or SummaryDraft.objects.filter(group__strategy=strategy).exists():
            return
        officer = User.objects.get(username="officer@example.org")
        for name, you_said, we_did in DEMO_SUMMARIES:
            if name in groups:
                SummaryDraft.objects.create(group=groups[name], you_said=you_said, we_did=we_did, updated_by=officer)
        page_publish(page=page, user=officer, note="First public update.")
        # A draft written after publishing: it stays off the public page until an officer publishes it.
        name, you_said, we_did = DEMO_DRAFT
        if name in groups:
            SummaryDraft.objects.filter(group=groups[name]).update(you_said=you_said, we_did=we_did)

    def _seed_inspection(self, partnership: Partnership, officer: User) -> None:
        """An illustrative area SEND inspection of the One Plan's themes, its findings linked to the actions for each.

        Made up for the demo and labelled so on every page and pack; written
        only when the plan has no inspection yet, so it never undoes an officer's own.
        """
        strategy = partnership.strategies.first()
        if strategy is None or strategy.inspections.exists():
            return
        inspection = Inspection.objects.create(
            strategy=strategy,
            kind=Inspection.Kind.FULL,
            started_on=dt.date(2024, 2, 12),
            ended_on=dt.date(2024, 2, 23),
            published_on=dt.date(2024, 4, 10),
            inspectorates=[Inspection.Inspectorate.OFSTED, Inspection.Inspectorate.CQC],
            outcome=Inspection.Outcome.INCONSISTENT,
            notes="Illustrative demo data: not a published inspection report.",
            is_illustrative=True,
            created_by=officer,
        )
        actions = {a.ref: a for a in Action.objects.filter(strategy=strategy)}
        indicators = {i.code: i for i in Indicator.objects.filter(strategy=strategy)}
        for kind, number, text, refs, codes in DEMO_FINDINGS:
            finding = Finding.objects.create(inspection=inspection, kind=kind, number=number, text=text)
            finding.actions.set([actions[ref] for ref in refs if ref in actions])
            finding.indicators.set([indicators[code] for code in codes if code in indicators])
        for ref, filename, content, narrative in DEMO_EVIDENCE:
            action = actions.get(ref)
            if action is None or Evidence.objects.filter(update__action=action).exists():
                continue
            update = action_update_record(
                action=action,
                user=officer,
                rating=action.rating,
                narrative=narrative,
                files=[SimpleUploadedFile(filename, content, content_type="text/plain")],
                expected_version=action.version,
            )
            update_dated_in_round(update)
        self.stdout.write("Recorded an illustrative inspection with findings linked to the One Plan's actions.")

    def _seed_milestones(self, partnership: Partnership, officer: User) -> None:
        """A few actions' steps, some done and one overdue, each only on an action that has none yet."""
        strategy = partnership.strategies.first()
        actions = {a.ref: a for a in Action.objects.filter(strategy=strategy, ref__in=DEMO_MILESTONES, milestones__isnull=True)}
        this_month = timezone.localdate().replace(day=1)
        for ref, steps in DEMO_MILESTONES.items():
            if ref not in actions:
                continue
            for title, months, done in steps:
                due_date = month_shift(this_month, months + 1) - dt.timedelta(days=1)  # the last day of that month
                milestone = milestone_add(actor=officer, action=actions[ref], title=title, due_date=due_date)
                if done:
                    milestone_mark(actor=officer, milestone=milestone, done=True)

    def _seed_framework(self, partnership: Partnership, officer: User) -> None:
        """The One Plan's actions and KPIs tagged to the framework's strands, and a first self-evaluation drafted from them.

        Each is written only when the plan has none yet, so an officer's own tags and words are never undone.
        """
        strategy = partnership.strategies.first()
        if strategy is None:
            return
        if not StrandLink.objects.filter(strategy=strategy).exists():
            actions = list(Action.objects.filter(strategy=strategy).values_list("pk", "ref"))
            indicators = dict(Indicator.objects.filter(strategy=strategy).values_list("code", "pk"))
            links = []
            for code, pattern, kpi_codes in DEMO_STRAND_TAGS:
                links += [StrandLink(strategy=strategy, strand=code, action_id=pk) for pk, ref in actions if re.match(pattern, ref)]
                links += [StrandLink(strategy=strategy, strand=code, indicator_id=indicators[k]) for k in kpi_codes if k in indicators]
            StrandLink.objects.bulk_create(links)
            self.stdout.write(f"Tagged {len(links)} actions and KPIs to the inspection framework's strands.")
        if not SelfEvaluation.objects.filter(strategy=strategy).exists():
            self_evaluation_draft(strategy, user=officer, snapshot=strategy.snapshots.latest_first().first())
            self.stdout.write("Drafted the self-evaluation from the tracker.")


# Which of the One Plan's actions (by ref) and KPIs (by code) serve each strand: a demonstration, not a judgement.
DEMO_STRAND_TAGS = [
    ("E1", r"^(EHC-A|EHC-B|SS)\d", ["CE-EHC-20WK", "CE-EHC-AVGWK", "EHCP-20WK-EXC", "CE-SENS-NUM"]),
    ("E2", r"^FCA\d", ["CE-SVY-CONTRIB-PC", "CE-SVY-TALKED-CYP", "CE-SVY-EHCP-EXPRESS-CYP"]),
    ("E3", r"^EHC-C\d", ["CE-SVY-SUPPORT-BEFORE-CYP", "CE-SVY-SSP-BEFORE-PC", "CE-SVY-AR-PC"]),
    ("E4", r"^(TEP|PFA|B2T-|A)\d", ["CE-EXC-RATE"]),
    ("E5", r"^EPS\d", ["CE-SI-PLACES"]),
    ("L1", r"^SP\d", []),
    ("L2", r"^FCA[3-6]$", ["CE-SVY-TOGETHER-PC", "CE-SVY-TOGETHER-CYP"]),
    ("L3", r"^DI\d", ["CE-EHCP-TOTAL", "CE-EHCP-GROWTH"]),
    ("L4", r"^(C|APE)\d", []),
    ("L5", r"^QA\d", ["CE-QA-GOOD"]),
    ("L6", r"^TG\d", []),
]


def _demo_file(title: str) -> bytes:
    return (
        f"ILLUSTRATIVE DEMO EVIDENCE: {title}\n\n"
        "This file was made up for the demonstration of the SEND strategy tracker.\n"
        "It is not a real document of any partnership.\n"
    ).encode()


DEMO_FINDINGS = [
    (
        Finding.Kind.PRIORITY,
        1,
        "Illustrative: leaders across the partnership should urgently improve the timeliness of education, health and care "
        "(EHC) needs assessments and plans, so that children and young people get the support they need without delay.",
        ["EHC-B1", "EHC-B4", "EHC-B5", "EHC-C1"],
        ["CE-EHC-20WK", "CE-EHC-AVGWK"],
    ),
    (
        Finding.Kind.IMPROVEMENT,
        1,
        "Illustrative: leaders should improve the quality of EHC plans, so that plans reflect children and young people's needs "
        "and outcomes precisely and are reviewed and updated in good time.",
        ["QA1", "QA4", "QA5", "EHC-C2"],
        ["CE-QA-GOOD", "CE-SVY-EHCP-NEEDS-PC"],
    ),
    (
        Finding.Kind.IMPROVEMENT,
        2,
        "Illustrative: leaders should strengthen co-production with parents, carers, children and young people, so that their "
        "views shape plans, services and the partnership's strategy.",
        ["FCA3", "FCA4", "EHC-C9", "SS1"],
        ["CE-SVY-TALKED-CYP", "CE-SVY-CONTRIB-PC"],
    ),
]

DEMO_EVIDENCE = [
    (
        "EHC-B1",
        "EHC timeliness data exercise (illustrative).txt",
        _demo_file("EHC needs assessment timeliness data exercise"),
        "Illustrative demo update: timeliness data exercise completed and shared with the SEND Partnership Board.",
    ),
    (
        "QA1",
        "Quality assurance framework draft (illustrative).txt",
        _demo_file("Draft quality assurance and audit framework"),
        "Illustrative demo update: draft quality assurance framework and audit tool circulated for comment.",
    ),
    (
        "FCA4",
        "Memorandum of understanding with the PCF (illustrative).txt",
        _demo_file("Memorandum of understanding with the Parent Carer Forum"),
        "Illustrative demo update: memorandum of understanding signed by the local authority, ICB and Parent Carer Forum.",
    ),
]

# Steps of a few actions (title, due by the end of the month this many months from now, done): the action pages, My
# actions, the sweep's overdue milestones and the priority action plan all show them. Dated from today, as the history is.
DEMO_MILESTONES = {
    "EHC-B1": [
        ("Agree the data fields with the EHC hub", -9, True),
        ("First monthly timeliness report to the board", -5, True),
        ("Review the delayed assessments with the Parent Carer Forum", 1, False),
    ],
    "QA3": [
        ("Training outline agreed with the audit group", -6, True),
        ("First cohort of colleagues trained", -1, False),
        ("Impact survey sent to the colleagues trained", 2, False),
    ],
    "EHC-B4": [
        ("Draft guidance shared with families for comment", 1, False),
        ("Guidance published on the Local Offer", 3, False),
    ],
}
