"""Import of the One Plan file and of a generated 5,000-row plan, beside reading the same file alone.

Each run validates (plan_read) and applies (plan_apply) the file into a new
strategy inside a transaction that is then rolled back, so every run starts
from the same database. The baseline is parsing the file's rows without
validating or writing anything (the floor of any import).

    bin/with-db python bench/bench_import.py
"""

from __future__ import annotations

import os

import benchlib

RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "3"))
GENERATED_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "5000"))


def import_once(content: bytes, filename: str) -> int:
    from django.db import transaction

    from actions.planfile import plan_apply, plan_read, strategy_for_import

    with transaction.atomic():
        strategy = strategy_for_import(
            strategy_name="Benchmark import", partnership_name="Benchmark partnership", scheme_code="cheshire-east"
        )
        changes = plan_read(content, filename, strategy)
        if not changes.ok:
            raise SystemExit(f"{filename} does not import: {changes.problems[:3]}")
        plan_apply(changes)
        created = len(changes.created)
        transaction.set_rollback(True)
    return created


def main() -> None:
    benchlib.database_start()
    from intake.tables import read_table

    files = [
        ("One Plan (actions.csv)", (benchlib.ONE_PLAN / "actions.csv").read_bytes(), "actions.csv"),
        (f"generated {GENERATED_ROWS}-row plan", benchlib.plan_csv(GENERATED_ROWS), "generated.csv"),
    ]
    print(f"Data: the One Plan file and a generated plan. {benchlib.machine()}")
    rows = []
    for label, content, filename in files:
        created = import_once(content, filename)
        seconds = benchlib.median_seconds(lambda c=content, f=filename: import_once(c, f), runs=RUNS, warmup=0)
        parse = benchlib.median_seconds(lambda c=content, f=filename: read_table(c, f), runs=RUNS, warmup=1)
        rows.append([label, created, f"{seconds:.2f}", f"{seconds / created * 1000:.2f}", f"{parse:.3f}"])
    benchlib.table(
        f"Plan import (plan_read + plan_apply): median of {RUNS} runs",
        ["file", "actions", "median s", "ms per action", "baseline: parse only s"],
        rows,
    )


if __name__ == "__main__":
    main()
