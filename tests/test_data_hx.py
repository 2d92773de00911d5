"""htmx's attributes are written `data-hx-*` everywhere, so pages validate: `bin/data-hx` renames any that come back."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_no_template_test_or_script_writes_an_hx_attribute_without_data():
    run = subprocess.run([sys.executable, str(ROOT / "bin" / "data-hx"), "--check"], capture_output=True, text=True)
    assert run.returncode == 0, f"Run bin/data-hx to rename these:\n{run.stdout}"
