"""htmx's attributes are written `data-hx-*` everywhere, so pages validate: `bin/data-hx` renames any that come back."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_no_template_test_or_script_writes_an_hx_attribute_without_data():
    run = subprocess.run([sys.executable, str(ROOT / "bin" / "data-hx"), "--check"], capture_output=True, text=True)
    assert run.returncode == 0, f"Run bin/data-hx to rename these:\n{run.stdout}"


def test_files_collectstatic_copied_from_packages_are_left_alone(tmp_path):
    # `manage.py collectstatic` (a deployment, the load benchmark) copies django-htmx's own scripts, written with
    # `hx-`, into staticfiles/: the check is about our files, and must neither fail on nor rewrite those.
    collected = ROOT / "staticfiles" / "data-hx-probe"
    collected.mkdir(parents=True, exist_ok=True)
    try:
        attribute = "hx" + "-get"  # spelt in two, so this file passes the check itself
        (collected / "ext.js").write_text(f'el.setAttribute("{attribute}", url);\n', encoding="utf-8")
        run = subprocess.run([sys.executable, str(ROOT / "bin" / "data-hx"), "--check"], capture_output=True, text=True)
        assert run.returncode == 0, run.stdout
        assert attribute in (collected / "ext.js").read_text(encoding="utf-8")
    finally:
        (collected / "ext.js").unlink(missing_ok=True)
        collected.rmdir()
