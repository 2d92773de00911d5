"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Every page a journey visits is checked with axe-core (`assert_accessible`).
Chromium is installed by `make test` as root; where it is absent the tests
skip with a message, except under CI, where a missing browser fails the run.
"""

from __future__ import annotations

import functools
import os
import shutil
import weakref

import pytest

from tests.conftest import ROOT

# Debian's headless shell of Chromium: the same engine without the desktop browser's GPU process and window machinery,
# which tests never show. The browser tests took 369 core-seconds in it against 610 in the full browser, on one machine
# with four test processes. Where only the full browser is installed, the tests use that.
CHROMIUM = shutil.which("chromium-headless-shell") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"
_AXE_PRELOADED: weakref.WeakSet = weakref.WeakSet()  # the tabs that load axe-core at the start of each document


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) and AXE.exists():
        return
    missing = "Chromium (chromium-headless-shell or chromium)" if not os.path.exists(CHROMIUM) else "axe-core (npm ci)"
    if os.environ.get("CI"):
        raise pytest.UsageError(f"Browser tests need {missing}, and CI must run them.")
    skip = pytest.mark.skip(reason=f"{missing} is not installed: run `make test` as root to install it")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": LAUNCH_ARGS}


@pytest.fixture(autouse=True)
def _static_without_manifest(settings):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def sign_in(live_server, page):
    """Sign in through the real form, as a person would."""

    def _sign_in(user, password: str = PASSWORD):
        page.goto(f"{live_server.url}/sign-in/")
        page.get_by_label("Email address").fill(user.username)
        page.get_by_role("textbox", name="Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return _sign_in


def fill_date(page, label: str, typed: str) -> None:
    """Type a date as a person does into a GOV.UK date input named `label`: "12/3/2026" as 12, 3 and 2026."""
    group = page.get_by_role("group", name=label)
    for box, part in zip(("Day", "Month", "Year"), typed.split("/"), strict=True):
        group.get_by_label(box).fill(part)


RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""


def watch(page) -> tuple[list[str], list[str]]:
    """Collect, across navigations, every Content-Security-Policy violation the page reports and every script error
    (an error logged to the console, or one thrown): two lists that fill as the test goes."""
    violations: list[str] = []
    errors: list[str] = []
    page.expose_binding("reportCspViolation", lambda source, text: violations.append(f"{source['frame'].url}: {text}"))
    page.add_init_script(RECORD_VIOLATIONS)

    def logged(message) -> None:
        # A page answered 404 or 403 is logged as a resource that failed to load: its status is the test's to judge.
        # So is the icon Chromium asks for beside a document that is not a page (an Atom feed, JSON), which names none.
        failed = message.location.get("url", "")
        document = message.text.startswith("Failed to load resource") and (failed == page.url or failed.endswith("/favicon.ico"))
        if message.type == "error" and not document:
            errors.append(f"{page.url}: {message.text}")

    page.on("console", logged)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return violations, errors


@functools.cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
# The rules whose answer depends on where things fall on the screen, not only on the document and its styles: what
# is in front of a text, how far apart two targets are, whether a region scrolls. A page already checked with every
# rule at one width is checked again with these alone at another width of the same layout (the same breakpoint).
LAYOUT_RULES = ("color-contrast", "target-size", "scrollable-region-focusable")


def assert_accessible(page, context: str = "", *, layout_only: bool = False) -> None:
    """Run axe-core (WCAG 2.2 A/AA rules) on the page once it has loaded; fail listing every violation.

    `layout_only` runs the rules of LAYOUT_RULES alone: for a page checked in full at another width of the same layout.
    """
    page.wait_for_load_state()
    # Evaluated through the DevTools protocol, not as an inline <script>, which the page's CSP would block;
    # once per document (a page checked at two widths keeps it). From then on the browser runs it itself at the
    # start of each document the tab opens, rather than receiving the whole library again for each page checked.
    if not page.evaluate("typeof window.axe?.run === 'function'"):
        page.evaluate(axe_source())
        if page not in _AXE_PRELOADED:
            page.add_init_script(script=axe_source())
            _AXE_PRELOADED.add(page)
    only = {"type": "rule", "values": list(LAYOUT_RULES)} if layout_only else {"type": "tag", "values": list(AXE_TAGS)}
    # Only the violations are asked for and sent back: axe skips the detail of what passed. Of the assets axe fetches
    # before its rules run, only the media are read by a rule of these tags: the style sheets it would fetch and
    # parse again on every run serve an experimental rule (css-orientation-lock) that tags leave out.
    found = page.evaluate(
        "async (only) => (await axe.run(document, {runOnly: only, resultTypes: ['violations'], preload: {assets: ['media']}})).violations",
        only,
    )
    violations = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in found]
    assert not violations, f"axe-core violations {context} on {page.url}:\n" + "\n".join(violations)
