from __future__ import annotations

from tests.governance.conftest import finding, inspection  # noqa: F401  (fixtures)
