from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from actions.commands import DemoCommand
from actions.models import Action, Strategy
from people.models import Post
from risks.models import Risk
from risks.services import risk_close, risk_create, risk_rescore

ILLUSTRATIVE = "Illustrative register for the demo, written from the One Plan's context; not the partnership's own register."
# (ref, title, category, owner post, cause, effect, inherent, residual, target, controls, mitigating action refs, review in days)
DEMO_RISKS = [
    (
        "R1",
        "Sufficiency of specialist places",
        Risk.Category.SUFFICIENCY,
        "School Organisation and Capital Team Manager",
        "EHCP numbers grew 70% in four years (2,827 in 2020 to 4,816 in 2024) and new special school and resourced provision "
        "places take years to open.",
        "Children placed in independent and out-of-area settings, far from home and at high cost to the high-needs budget.",
        (5, 5),
        (4, 5),
        (2, 4),
        "0-25 SEND sufficiency statement and provision plan; capital programme.",
        ["EPS1", "EPS4", "EPS5"],
        30,
    ),
    (
        "R2",
        "Timeliness of EHC needs assessments",
        Risk.Category.STATUTORY,
        "Head of Service: Inclusion",
        "Rising requests for assessment, educational psychology capacity and panel processes under strain.",
        "Plans issued beyond 20 weeks; families wait for support; complaints, tribunals and inspection findings.",
        (5, 4),
        (4, 4),
        (2, 3),
        "Weekly timeliness tracking; additional assessment capacity commissioned.",
        ["EHC-B1", "EHC-A2", "EHC-A3"],
        14,
    ),
    (
        "R3",
        "Educational psychology and SEND workforce",
        Risk.Category.WORKFORCE,
        "Principal Educational Psychologist",
        "National shortage of educational psychologists and SEND case officers; reliance on locums.",
        "Assessments delayed, quality varies, and costs rise.",
        (5, 4),
        (4, 3),
        (2, 3),
        "Trainee EP placements; recruitment and retention offer.",
        ["TG3", "TG6"],
        60,
    ),
    (
        "R4",
        "High-needs deficit (DSG)",
        Risk.Category.FINANCE,
        "Director of Education, Strong Start and Integration",
        "Demand and placement costs above the high-needs grant; the unmitigated forecast deficit reaches £1.07 billion by 2030-31.",
        "The council's financial sustainability is threatened when the statutory override ends; services may have to be cut.",
        (5, 5),
        (5, 4),
        (3, 4),
        "DSG management plan; monthly budget monitoring; Safety Valve engagement with DfE.",
        ["FF2", "FF3", "EHC-A6"],
        30,
    ),
    (
        "R5",
        "Independent placement costs",
        Risk.Category.FINANCE,
        "Head of Integrated Commissioning",
        "Annual fee uplifts and a lack of contracts with independent and non-maintained providers.",
        "Costs outside the DSG management plan; quality hard to assure.",
        (4, 4),
        (4, 3),
        (2, 3),
        "Placement panel; high-cost placement review.",
        ["C2", "C3", "EHC-A5"],
        45,
    ),
    (
        "R6",
        "Waiting times for autism and ADHD assessment",
        Risk.Category.QUALITY,
        "Programme Lead – Mental Health and Neurodiversity",
        "Demand for neurodevelopmental assessment far above commissioned capacity.",
        "Children wait years for diagnosis and support; families lose confidence in the partnership.",
        (5, 4),
        (4, 4),
        (3, 3),
        "Neurodiversity Data Portal; support offer while waiting.",
        ["DI1", "DI2"],
        30,
    ),
    (
        "R7",
        "Quality of EHC plans",
        Risk.Category.QUALITY,
        "Inclusion Quality Officer (A)",
        "Contributions from partners late or inconsistent; annual reviews not always held on time.",
        "Plans do not describe needs and provision well enough; tribunal appeals rise.",
        (4, 4),
        (3, 4),
        (2, 3),
        "Quality assurance and audit framework; multi-agency audits.",
        ["QA1", "QA4", "EHC-C3"],
        60,
    ),
    (
        "R8",
        "Confidence of parents and carers",
        Risk.Category.REPUTATION,
        "Strategic Transformation Lead for SEND",
        "Communication gaps, complaints and decisions not explained to families.",
        "Co-production weakens and requests for assessment and appeals rise further.",
        (4, 4),
        (3, 3),
        (2, 2),
        "Communication promise; joint work with the Parent Carer Forum.",
        ["FCA3", "FCA5", "SP1"],
        -7,  # an overdue review, as the register shows it
    ),
    (
        "R9",
        "Case management system data quality",
        Risk.Category.DATA,
        "Business Intelligence Manager",
        "Data held across providers' systems with gaps and inconsistent definitions.",
        "Decisions and board reports rest on incomplete figures.",
        (4, 3),
        (3, 3),
        (2, 2),
        "Data sharing agreements; Liquidlogic training.",
        ["DI6", "DI7", "TG5"],
        90,
    ),
    (
        "R10",
        "Provider contract dispute (restricted)",
        Risk.Category.FINANCE,
        "Head of Integrated Commissioning",
        "A commercial dispute with a specialist provider over fees (illustrative).",
        "Placements at one setting could be disrupted; costs could rise.",
        (4, 4),
        (3, 4),
        (2, 3),
        "Legal advice; contingency placements identified.",
        ["C3"],
        30,
    ),
    (
        "R11",
        "Moving EHC plans to the new case management system",
        Risk.Category.DATA,
        "Business Intelligence Manager",
        "EHC plans and their case records moved to the new case management system while statutory work went on.",
        "Records missing or delayed during the move; annual reviews and assessments held up.",
        (4, 4),
        (3, 3),
        (1, 3),
        "Phased migration with a period of parallel running.",
        ["DI6"],
        30,
    ),
]
# The register keeps a risk that no longer applies as closed, with why: the demo closes one, as set up, never a person's.
DEMO_CLOSED = (
    "R11",
    "The migration finished and parallel running has ended: the cause has gone. Data quality is covered by R9 (illustrative).",
)


class Command(DemoCommand):
    help = (
        "Add an illustrative risk register of eleven SEND risks (one of them closed) to the One Plan, if its register is empty. "
        "Never changes existing risks."
    )

    fills = Risk
    what = "risk register"

    def seed(self, strategy: Strategy) -> str:
        officer = User.objects.filter(username="officer@example.org").first()
        today = timezone.localdate()
        set_up = _noon(strategy.ratings_as_at or today - dt.timedelta(days=200))
        re_scored = min(set_up + dt.timedelta(days=68), timezone.now() - dt.timedelta(days=30))
        actions = {a.ref: a for a in Action.objects.filter(strategy=strategy)}
        for ref, title, category, owner, cause, effect, inherent, residual, target, controls, refs, review_in in DEMO_RISKS:
            post, _ = Post.objects.get_or_create(partnership=strategy.partnership, title=owner)
            # Scored first as it stood at the start of the plan; the re-score below brings it to today's score.
            start = (min(inherent[0], residual[0] + 1), residual[1])
            risk = risk_create(
                risk=Risk(
                    strategy=strategy,
                    ref=ref,
                    title=title,
                    category=category,
                    owner=post,
                    cause=cause,
                    effect=effect,
                    inherent_likelihood=inherent[0],
                    inherent_impact=inherent[1],
                    residual_likelihood=start[0],
                    residual_impact=start[1],
                    target_likelihood=target[0],
                    target_impact=target[1],
                    controls=f"{controls}\n\n{ILLUSTRATIVE}",
                    review_date=today + dt.timedelta(days=review_in),
                    restricted=ref == "R10",
                    is_illustrative=True,
                ),
                actions=[actions[r] for r in refs if r in actions],
                by=officer,
                reason="Scored when the register was set up with the One Plan (illustrative).",
                at=set_up,  # dated as the register's history would be: set up with the plan, re-scored at a board since
            )
            if start != residual:
                risk_rescore(
                    risk=risk,
                    version=None,
                    scores={"residual_likelihood": residual[0], "residual_impact": residual[1]},
                    reason="Re-scored at the Partnership Board as the first actions were delivered (illustrative).",
                    by=officer,
                    at=re_scored,
                )
        ref, reason = DEMO_CLOSED
        # Only the register this command has just filled: seeding never closes a risk people keep.
        risk_close(risk=Risk.objects.get(strategy=strategy, ref=ref), version=None, reason=reason, by=officer, at=re_scored)
        return f"Risk register: {len(DEMO_RISKS)} illustrative risks added to {strategy.name}; {ref} is closed."


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
