from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from actions.planfile import export_table, plan_details_export
from actions.rows import rows_from_actions
from intake.tables import csv_bytes
from kpis.exports import indicators_table, kpi_values_table
from people.models import Partnership


class Command(BaseCommand):
    help = (
        "Write a partnership's plans in the formats the importers read: per strategy, actions.csv (import_plan), "
        "plan.json (import_plan --details), kpis.csv (load_kpis) and kpi-values.csv (import_kpi_values)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--partnership", required=True, help="The partnership's name.")
        parser.add_argument("--out", required=True, type=Path, help="A folder: one sub-folder per strategy is written in it.")

    def handle(self, *args, partnership: str, out: Path, **options) -> None:
        found = Partnership.objects.filter(name=partnership).first()
        if found is None:
            raise CommandError(f"There is no partnership called '{partnership}'.")
        for strategy in found.strategies.select_related("partnership", "scheme").order_by("name"):
            folder = Path(out) / (slugify(strategy.name) or f"strategy-{strategy.pk}")
            folder.mkdir(parents=True, exist_ok=True)
            groups = {g.pk: g for g in strategy.delivery_groups.select_related("priority", "parent")}
            actions = export_table(rows_from_actions(strategy.actions.all()), groups)
            (folder / "actions.csv").write_bytes(csv_bytes(actions))
            details = plan_details_export(strategy)
            (folder / "plan.json").write_text(json.dumps(details, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            (folder / "kpis.csv").write_bytes(csv_bytes(indicators_table(strategy)))
            (folder / "kpi-values.csv").write_bytes(csv_bytes(kpi_values_table(strategy)))
            self.stdout.write(f"{strategy.name}: {len(actions) - 1} actions, {len(details['delivery_groups'])} delivery groups -> {folder}")
