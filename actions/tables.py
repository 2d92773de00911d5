"""Tables are read and written by `intake.tables`; these names stay importable from here for the modules that still use them."""

from __future__ import annotations

from intake.tables import ImportFileError, cell_escape, csv_bytes, xlsx_bytes

__all__ = ["ImportFileError", "cell_escape", "csv_bytes", "xlsx_bytes"]
