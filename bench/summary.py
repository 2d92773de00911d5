"""Every target `make bench` measured, beside its figure, in one table.

BENCH_RESULTS=/tmp/targets.jsonl python bench/summary.py
"""

from __future__ import annotations

import json
import os
import sys

import benchlib


def main() -> None:
    path = os.environ.get("BENCH_RESULTS") or (sys.argv[1] if len(sys.argv) > 1 else "")
    if not path or not os.path.exists(path):
        sys.exit("No targets were recorded: set BENCH_RESULTS to the file the benchmarks wrote.")
    with open(path, encoding="utf-8") as results:
        rows = [json.loads(line) for line in results if line.strip()]
    benchlib.table(
        "Targets",
        ["target", "target figure", "measured", "met", "measured beside"],
        [[r["target"], r["limit"], r["figure"], "met" if r["met"] else "MISSED", r["baseline"]] for r in rows],
    )
    met = sum(r["met"] for r in rows)
    print(f"\n{met} of {len(rows)} targets met.")


if __name__ == "__main__":
    main()
