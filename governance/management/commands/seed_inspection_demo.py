"""The demo's inspection cycle, after `seed_demo`: its illustrative inspection as the framework has it, and officers' words.

An inspection that finds areas for priority action has the framework's lowest
outcome (widespread and/or systemic failings), a priority action plan due
weeks after the report, a monitoring inspection about 18 months on and
engagement meetings between. This brings the demo's illustrative inspection,
while no officer has changed it, into that shape with dates about nine months
before today, so the calendar shows what comes next; and gives a self-evaluation
that has only its draft the officers' first words. It fills only what is empty
and runs any number of times.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from governance import framework
from governance.cycle import working_days_after
from governance.models import Finding, Inspection, SelfEvaluationVersion
from governance.self_evaluation import latest_version, self_evaluation_save

# Officers' first words on three strands: illustrative, and labelled so in the text.
DEMO_WORDS = {
    "E1": {
        "strengths": "Illustrative: requests for assessment are triaged within five working days, and the multi-agency "
        "panel now meets weekly.",
        "improve": "Illustrative: too few new EHC plans are issued within 20 weeks; educational psychology capacity is the main delay.",
        "evidence": "Illustrative: monthly timeliness reports to the SEND Partnership Board; the panel's decision log.",
    },
    "L1": {
        "strengths": "Illustrative: the One Plan is agreed by every partner and its priorities were co-produced with the parent "
        "carer forum.",
        "improve": "Illustrative: the ambition is not yet felt by families: the survey shows most do not know the plan.",
    },
    "L5": {
        "improve": "Illustrative: quality assurance of EHC plans covers too few plans to show a trend.",
        "evidence": "Illustrative: the quality assurance framework and its first two audit reports.",
    },
}


class Command(BaseCommand):
    help = "Bring the demo's illustrative inspection into the framework's cycle and give its self-evaluation officers' words."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        untouched = Inspection.objects.filter(is_illustrative=True, version=1, kind=Inspection.Kind.FULL)
        for inspection in untouched.filter(findings__kind=Finding.Kind.PRIORITY).exclude(outcome=Inspection.Outcome.SYSTEMIC).distinct():
            if Inspection.objects.filter(strategy=inspection.strategy).exclude(pk=inspection.pk).exists():
                continue  # an officer has recorded inspections of their own: leave the cycle to them
            self._cycle(inspection, today)
        officer = User.objects.filter(username="officer@example.org").first()
        for version in SelfEvaluationVersion.objects.filter(number=1, self_evaluation__versions__number=1).select_related(
            "self_evaluation__strategy"
        ):
            strategy = version.self_evaluation.strategy
            if officer and latest_version(strategy).number == 1 and strategy.inspections.filter(is_illustrative=True).exists():
                self_evaluation_save(strategy, user=officer, base=1, texts=DEMO_WORDS)
                self.stdout.write(f"Wrote officers' first words into the self-evaluation of {strategy.name}.")

    def _cycle(self, inspection: Inspection, today: dt.date) -> None:
        published = today - relativedelta(months=9)
        ended = published - dt.timedelta(days=47)
        due = working_days_after(published, framework.PRIORITY_ACTION_PLAN_WORKING_DAYS)
        Inspection.objects.filter(pk=inspection.pk).update(
            outcome=Inspection.Outcome.SYSTEMIC,  # the only outcome that brings areas for priority action
            started_on=ended - dt.timedelta(days=11),
            ended_on=ended,
            published_on=published,
            plan_submitted_on=due - dt.timedelta(days=3),
        )
        self.stdout.write(
            f"The illustrative inspection of {inspection.strategy.name} now reports widespread or systemic failings, "
            f"published {published:%-d %B %Y}, with its priority action plan submitted."
        )
