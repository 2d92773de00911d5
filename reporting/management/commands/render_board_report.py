from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actions.models import Snapshot
from reporting.pdf import render_pdf
from reporting.report import board_pack_html


class Command(BaseCommand):
    help = "Render a strategy's board pack from a snapshot to a PDF file, here and now (no worker needed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--strategy", required=True, help="The strategy's name.")
        parser.add_argument("--snapshot", required=True, type=int, help="The snapshot's id (see the board reports page or the admin).")
        parser.add_argument("--out", required=True, type=Path, help="Where to write the PDF.")

    def handle(self, *args, strategy: str, snapshot: int, out: Path, **options) -> None:
        found = Snapshot.objects.select_related("strategy").filter(pk=snapshot, strategy__name=strategy).first()
        if found is None:
            raise CommandError(f"Strategy '{strategy}' has no snapshot with id {snapshot}.")
        started = time.monotonic()
        meeting = found.meetings.select_related("board").first()
        rendered = render_pdf(board_pack_html(found, meeting))
        Path(out).write_bytes(rendered.content)
        self.stdout.write(f"Wrote {out}: {rendered.page_count} pages in {time.monotonic() - started:.1f} s.")
