"""What the log says of a request refused: one line, configured in `settings.LOGGING` before any app is loaded."""

from __future__ import annotations

import logging


class RefusalsOnOneLine(logging.Filter):
    """Django logs each answer of 400-499 with the traceback of the exception that gave it: a page not found, another
    partnership's object, a permission refused. Those are answers, not faults: each is one line here, ending with
    what refused it (escaped, as Django escapes the path), and a server error keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500 and record.exc_info:
            refusal = record.exc_info[1]
            if refusal is not None and str(refusal):
                record.msg, record.args = f"{record.msg}: %s", (*(record.args or ()), str(refusal).encode("unicode_escape").decode("ascii"))
            record.exc_info, record.exc_text = None, None
        return True
