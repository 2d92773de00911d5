from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from actions.commands import ONE_PLAN
from actions.models import Strategy
from kpis.library import library_measure_add, measure_named
from kpis.models import Indicator
from people.models import Partnership

FILE = Path(settings.BASE_DIR) / "fixtures" / "benchmarks" / "ehcp-timeliness-cheshire.csv"
EAST, WEST = "E06000049", "E06000050"
MEASURE = "EHCP-20WK-EXC"
# Each authority's ten statistical neighbours in DfE's children's services statistical neighbour
# benchmarking tool (2025 model). The fixture holds the North West only, so its figures count the
# North West's neighbours; the full published file counts all ten (fixtures/benchmarks/README.md).
NEIGHBOURS = {
    EAST: [
        "E10000013", "E10000031", "E06000065", "E06000007", "E06000054",
        "E10000014", "E06000050", "E10000025", "E10000034", "E10000018",
    ],
    WEST: [
        "E08000029", "E08000007", "E06000049", "E10000031", "E10000034",
        "E10000013", "E06000007", "E10000008", "E10000032", "E06000057",
    ],
}  # fmt: skip


class Command(BaseCommand):
    help = "Demo benchmarks: both Cheshire partnerships' LA codes, the 20-week measure and fixtures/benchmarks. Fills only what is empty."

    def handle(self, *args, **options) -> None:
        plans = [
            # (strategy, own LA, how its 20-week KPI gets there)
            (ONE_PLAN, EAST, "library"),
            ("SEND Strategy 2025-26 onwards", WEST, "CW-EHC-TIME"),
        ]
        measure = measure_named(MEASURE)
        for name, own, kpi in plans:
            strategy = Strategy.objects.filter(name=name).select_related("partnership").first()
            if strategy is None:
                continue
            Partnership.objects.filter(pk=strategy.partnership_id, la_code="").update(la_code=own)
            Partnership.objects.filter(pk=strategy.partnership_id, statistical_neighbours=[]).update(
                statistical_neighbours=sorted(NEIGHBOURS[own])
            )
            if kpi == "library":
                if not Indicator.objects.filter(strategy=strategy, library_code=MEASURE).exists():
                    # The One Plan's own floor for 20-week timeliness: "no less than 85%"; shown
                    # with the plan's local 20-week KPI, under the same delivery groups.
                    added = library_measure_add(strategy=strategy, measure=measure, target=Decimal(85))
                    local = Indicator.objects.filter(strategy=strategy, code="CE-EHC-20WK").first()
                    if local is not None:
                        added.delivery_groups.set(local.delivery_groups.all())
            else:
                Indicator.objects.filter(strategy=strategy, code=kpi, open_data_column="").update(
                    open_data_column=measure.column, open_data_filter=measure.filter
                )
            call_command("import_benchmarks", str(FILE), strategy=name, partnership=strategy.partnership.name, stdout=self.stdout)
