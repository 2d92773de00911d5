"""The image compiles every package once when it is built: it runs with PYTHONDONTWRITEBYTECODE, so a
package left out would be compiled again by every process that starts (each worker, each command)."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_the_image_compiles_every_package_of_the_product():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    compiled = set(re.search(r"python -m compileall -q ([^\\\n]+)", dockerfile).group(1).split())
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name not in {"tests", "bench"}}
    assert packages <= compiled, f"not compiled in the image: {sorted(packages - compiled)}"
