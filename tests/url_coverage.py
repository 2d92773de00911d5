"""A pytest plugin: the suite fails when a URL pattern of the product was never requested by any test.

It records the view name of every request Django resolves during the run (test
client and live server alike, in every pytest-xdist process). The gate only judges a full run (no paths, no
-k or -m, nothing deselected), so running a few tests stays quick and quiet.
"""

from __future__ import annotations

import pytest

requested: set[str] = set()
_deselected = False


def product_url_names() -> set[str]:
    """Every named URL pattern of the product, as "namespace:name"; the admin and static files are not ours."""
    from django.urls import URLPattern, URLResolver, get_resolver

    names: set[str] = set()

    def walk(patterns, namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


def pytest_configure(config) -> None:
    from django.core.handlers.base import BaseHandler

    original = BaseHandler.resolve_request

    def resolve_request(self, request):
        match = original(self, request)
        requested.add(match.view_name)
        return match

    BaseHandler.resolve_request = resolve_request


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: absent when it is not installed or switched off
def pytest_testnodedown(node, error) -> None:
    """Under pytest-xdist, each process's requests come back to the one that judges the run."""
    requested.update(getattr(node, "workeroutput", {}).get("requested_url_names", []))


def pytest_deselected(items) -> None:
    global _deselected
    _deselected = _deselected or bool(items)


def _is_full_run(session) -> bool:
    config = session.config
    if (
        config.getoption("collectonly")
        or _deselected
        or config.getoption("keyword")
        or config.getoption("markexpr")
        or config.getoption("lf", False)
    ):
        return False
    tests_dir = config.rootpath / "tests"
    return all(config.rootpath.joinpath(arg).resolve() in {tests_dir, config.rootpath} for arg in config.args)


def pytest_sessionfinish(session, exitstatus) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist process: hand its requests to the main process, which judges
        workeroutput["requested_url_names"] = sorted(requested)
        return
    if exitstatus != 0 or not _is_full_run(session):
        return
    missing = sorted(product_url_names() - requested)
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "URL coverage gate: no test requested these URL patterns: " + ", ".join(missing)
        if reporter:
            reporter.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
