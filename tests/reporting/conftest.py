from __future__ import annotations

from tests.governance.conftest import big_plan, finding, indicator, inspection, make_action  # noqa: F401  (fixtures)
