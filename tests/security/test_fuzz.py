"""Hostile input across the whole surface: every URL pattern, every persona, every query parameter and form field.

The same walk checks the permission matrix first (test_permission_matrix.py): for each URL and
persona, a clean request gets the status class the matrix expects, every run.

For each URL of the permission matrix and each of its personas, every
parameter the view reads (found in its source: `request.GET/POST.get(...)`
and the fields of the forms it binds to request data, following the helpers
it passes the request to) is sent a table of hostile values: empty,
huge, NUL, unicode, negative and absurd numbers, wrong types, unknown
choices, impossible dates, several values at once, and hostile files for file
fields.

Programme officers, and the first other persona a form is for, get each
short-table value in each field alone (the others valid) and each value of
the whole table in every field at once; the others get one value of each
kind and a sample of the rest, chosen by the run's seed (printed at the top
of the run; FUZZ_SEED=<seed> repeats it), in every field at once.
`make test-full` (FUZZ_FULL=true) gives every persona the officer's whole
table. Every answer must be below
500 and carry the security headers, and a request that did not end in the
redirect of a successful form writes nothing to the product's tables.
"""

from __future__ import annotations

import functools
import inspect
import io
import random
import re

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, resolve, reverse
from openpyxl import Workbook

from tests.conftest import fuzz_full, fuzz_seed
from tests.security.test_permission_matrix import MATRIX, PERSONAS, assert_who_gets_in, url_arg

pytestmark = pytest.mark.django_db

# Values for every parameter (the same table every run).
HOSTILE: list = [
    "",
    "\x00",
    "a\x00b",
    "x" * 30_000,
    "9" * 400,
    "-1",
    "0",
    "9223372036854775808",
    "1e309",
    "NaN",
    "31/02/2025",
    "2025-02-31",
    "unknown-choice",
    "<script>alert(1)</script>",
    "\u202e\u0647\u0630\u0627 \U0001f600 \U0001d54f \ufeff",
    "//evil.example/",
    "foo",
    ["1", "2"],
]
# Everyone else: one of each kind (empty is in the clean request the matrix makes), and a sample
# of SAMPLE_SIZE more of the table, drawn afresh each run from its seed (FUZZ_SEED). Their requests
# take the same paths past the permission check as the officer's, who gets every value.
# `make test-full` (FUZZ_FULL=true) sends every persona the whole table, as the officer.
EVERY_PERSONA: list = ["\x00", "x" * 30_000, ["1", "2"]]
SAMPLE_SIZE = 2
# The values most likely to get past one check and break the next: sent to each field alone.
SHORT: list = ["", "\x00", "x" * 30_000, "9223372036854775808", "-1", "1e309", "31/02/2025", "unknown-choice", "foo", ["1", "2"]]
# Parameters nobody's view reads: must be ignored.
UNEXPECTED = "unexpected"
# Views of other packages: what they read.
THIRD_PARTY_FIELDS = {
    "login": {"get": {"next"}, "post": {"username", "password", "next"}},
    "logout": {"get": set(), "post": {"next"}},
    "oidc_authentication_init": {"get": {"next"}, "post": set()},
    "oidc_authentication_callback": {"get": {"code", "state", "error"}, "post": set()},
    "oidc_logout": {"get": set(), "post": {"next"}},
    "accessibility": {"get": set(), "post": set()},
    "privacy": {"get": set(), "post": set()},
}


# Officers reach every view: they are sent one request per field and value. So are the people a
# form is for when it is not an officer (owners record updates and KPI values); everyone else is
# sent each value in every field at once.
def field_by_field(name: str, persona: str) -> bool:
    row = MATRIX[name]
    users = [p for p in PERSONAS if p != "officer" and row.method == "post" and row.expect.get(p) == "redirect"]
    return persona == "officer" or persona == (users[0] if users else None)


# Tables a request may write without being a valid form: the session, the sign-in throttle, the second factor's throttle.
ALWAYS_WRITABLE = ("django_session", "axes_", "otp_")
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _xlsx_declaring_the_whole_sheet() -> bytes:
    workbook = Workbook()
    workbook.active.append(["priority", "delivery_group", "ref", "action", "owner", "due", "rating"])
    workbook.active["A1048576"] = "far away"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_BOMB = _xlsx_declaring_the_whole_sheet()


def hostile_files() -> list[SimpleUploadedFile]:
    """Made afresh for each request: an upload is read once."""
    header = b"priority,delivery_group,ref,action,owner,due,rating\n"
    return [
        SimpleUploadedFile("empty.csv", b""),
        SimpleUploadedFile("nul.csv", header + b"P,G,R1,A \x00 B,O,TBC,Amber\n"),
        SimpleUploadedFile("long.csv", header + b"P," + b"G" * 400 + b",R1,A," + b"O" * 400 + b",TBC,Amber\n"),
        SimpleUploadedFile("latin1.csv", header + "P,G,R1,Caf\xe9,,TBC,Amber\n".encode("latin-1")),
        SimpleUploadedFile("bomb.xlsx", XLSX_BOMB),
        SimpleUploadedFile("not-a-workbook.xlsx", b"PK\x03\x04 nothing else"),
        SimpleUploadedFile("report.pdf", b"MZ\x90\x00 a program renamed"),
        SimpleUploadedFile("na\x00me.csv", header),
        SimpleUploadedFile("n" * 1000 + ".csv", header),
    ]


# Finding what each view reads, from its source.


def _source(function) -> str:
    try:
        return inspect.getsource(inspect.unwrap(function))
    except (OSError, TypeError):
        return ""


def _form_fields_bound(helper, depth: int = 0) -> set[str]:
    """The fields of the forms a helper handed the query or form data builds, or the helpers it hands its arguments to build."""
    source, names = _source(helper), helper.__globals__
    fields = set()
    for form_name in set(re.findall(r"(\w+Form)\(", source)):
        form = names.get(form_name)
        if isinstance(form, type) and issubclass(form, forms.BaseForm):
            fields |= set(form.base_fields) | _boxes(form)
    if depth < 2:
        parameters = set(inspect.signature(helper).parameters)
        for callee_name, arguments in set(re.findall(r"(\w+)\(([^()]*)\)", source)):
            callee = names.get(callee_name)
            if callee is not helper and inspect.isfunction(callee) and parameters & set(re.findall(r"\w+", arguments)):
                fields |= _form_fields_bound(callee, depth + 1)
    return fields


def _fields_read(function, depth: int = 0, seen: set | None = None) -> dict[str, set[str]]:
    """{"get": names, "post": names, "files": names} a view (and the helpers it hands the request to) reads."""
    seen = seen if seen is not None else set()
    found = {"get": set(), "post": set(), "files": set()}
    function = inspect.unwrap(function)
    if function in seen:
        return found
    seen.add(function)
    source, names = _source(function), getattr(function, "__globals__", {})
    # request.POST.get("x"), request.GET.getlist("x"), request.POST["x"].
    for method, name in re.findall(r"request\.(GET|POST)(?:\.get(?:list)?\(|\[)\s*\"(\w+)\"", source):
        found[method.lower()].add(name)
    # request.POST.get(name) for each name of a tuple: `for name in ("kind", "format")`.
    for method, variable in re.findall(r"request\.(GET|POST)(?:\.get(?:list)?\(|\[)\s*([a-z_]\w*)\b", source):
        for names_read in re.findall(rf"for {variable} in \(([^)]*)\)", source):
            found[method.lower()] |= set(re.findall(r'"(\w+)"', names_read))
        # ...or given to a function of the view's own that reads it: `def posted_id(name)`, `posted_id("user")`.
        for reader in re.findall(rf"def (\w+)\(\s*{variable}\b", source):
            found[method.lower()] |= set(re.findall(rf'\b{reader}\(\s*"(\w+)"', source))
    # SomeForm(request.POST, …), or a constructor of its own: SomeForm.for_action(request.POST or None, …).
    for form_name, method, arguments in re.findall(r"(\w+Form)(?:\.\w+)?\(\s*request\.(GET|POST)\b([^)]*)", source):
        form = names.get(form_name)
        if form is None:
            continue
        fields = set(form.base_fields) | set(re.findall(r'self\.fields\["(\w+)"\]\s*=', _source(form))) | _boxes(form)
        # A form bound with a prefix reads "<prefix>-<field>".
        prefix = re.search(r'prefix=f?"([^"]+)"', arguments)
        found[method.lower()] |= {f"{prefix[1]}-{name}" for name in fields} if prefix else fields
        found["files"] |= {name for name, field in form.base_fields.items() if isinstance(field, forms.FileField)}
    # Helpers handed the query or the form data bind their forms to it, themselves or through helpers they hand it on to.
    for helper_name, method in set(re.findall(r"(\w+)\([^()]*\brequest\.(GET|POST)\b", source)):
        helper = names.get(helper_name)
        if inspect.isfunction(helper):
            found[method.lower()] |= _form_fields_bound(helper)
    if depth < 2:
        # A helper called with the request, or bound to it (functools.partial) to be called later.
        for helper_name in set(re.findall(r"(\w+)\(\s*request\b", source)) | set(re.findall(r"partial\(\s*(\w+),\s*request\b", source)):
            helper = names.get(helper_name)
            if inspect.isfunction(helper):
                for key, value in _fields_read(helper, depth + 1, seen).items():
                    found[key] |= value
    return found


def _boxes(form) -> set[str]:
    """The names a field drawn as several boxes posts (a date's `due_date_day`, `_month` and `_year`): the hostile values
    must reach them, not only the field's own name, which nothing reads."""
    return {
        name + suffix
        for name, field in form.base_fields.items()
        if isinstance(field.widget, forms.MultiWidget)
        for suffix in field.widget.widgets_names
    }


def fields_of(name: str, url: str) -> dict[str, set[str]]:
    if name in THIRD_PARTY_FIELDS:
        return {**THIRD_PARTY_FIELDS[name], "files": set()}
    return {key: set(names) for key, names in _view_fields(resolve(url.split("?")[0]).func).items()}


@functools.cache
def _view_fields(view) -> dict[str, frozenset[str]]:
    """What a view reads, found once for every persona sent to it."""
    return {key: frozenset(names) for key, names in _fields_read(view).items()}


def accepts_post(name: str, fields: dict[str, set[str]]) -> bool:
    return MATRIX[name].method == "post" or bool(fields["post"])


# Sending and judging.


def product_writes(queries) -> list[str]:
    tables = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and not match.group(2).startswith(ALWAYS_WRITABLE):
            tables.append(match.group(2))
    return tables


def send(client, method: str, url: str, data: dict, what: str):
    with CaptureQueriesContext(connection) as queries:
        try:
            response = client.post(url, data) if method == "post" else client.get(url, data)
        except Exception as exc:  # the test client re-raises a view's exception: that is the 500
            pytest.fail(f"{what}: server error {exc.__class__.__name__}: {str(exc)[:300]}")
    assert response.status_code < 500, f"{what}: {response.status_code}"
    assert "Permissions-Policy" in response.headers and "Content-Security-Policy" in response.headers, what
    succeeded = method == "post" and 300 <= response.status_code < 400 and "/sign-in/" not in response.get("Location", "")
    written = product_writes(queries.captured_queries)
    assert succeeded or not written, f"{what}: answered {response.status_code} but wrote to {sorted(set(written))}"
    return response


def shown(value) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "...'"


def values_for(field: str, files: set[str], table: list) -> list:
    return table + (hostile_files() if field in files else [])


@pytest.fixture
def fuzz_settings(settings, _private_media):
    return settings


def raise_limits(settings) -> None:
    # Rate limits and the sign-in lockout would otherwise stop the run early, answering every later request the same way.
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, 1_000_000)
    settings.AXES_FAILURE_LIMIT = 1_000_000


def sampled(name: str, persona: str) -> list:
    """The extra values a persona who is not sent the whole table gets: a sample of it, chosen by the run's seed."""
    rest = [value for value in HOSTILE if value not in EVERY_PERSONA and value != ""]
    return random.Random(f"{fuzz_seed()}:{name}:{persona}").sample(rest, SAMPLE_SIZE)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_who_gets_in_and_hostile_values_never_fail_or_write(client, request, fuzz_settings, name, persona):
    """One walk of the URL × persona grid for the permission matrix and the fuzz: the fixtures are built once for both."""
    row = MATRIX[name]
    # Every object the row names and the persona are made first, outside the request that is undone next.
    args = [url_arg(request, arg) for arg in row.args]
    data_of = globals_data(request, row)
    data_of()
    session = signed_in(client, request, persona)
    # The matrix: a clean request gets the status class its row expects. It is undone afterwards,
    # so the hostile requests below meet the objects as they were made, as before a successful form.
    with transaction.atomic():
        assert_who_gets_in(client, request, name, persona)
        transaction.set_rollback(True)
    cache.clear()
    # The hostile requests start from the sign-in alone: no cookie the clean request was answered with.
    kept = client.cookies.get(settings.SESSION_COOKIE_NAME)
    client.cookies.clear()
    if session is not None:
        if kept is not None and kept.value == session:
            client.cookies[settings.SESSION_COOKIE_NAME] = session
        else:  # the clean request signed the person out or gave them a new session, since undone
            signed_in(client, request, persona)
        # The hostile values are sent as the persona, never quietly as nobody.
        assert client.session.get(SESSION_KEY) == str(request.getfixturevalue(persona).pk), f"{persona} is not signed in"

    raise_limits(fuzz_settings)
    url = reverse(name, args=args)
    fields = fields_of(name, url)
    methods = ["get"] + (["post"] if accepts_post(name, fields) else [])
    whole_table = field_by_field(name, persona) or fuzz_full()

    for method in methods:
        names = sorted(fields[method] | {UNEXPECTED})

        def valid(method=method) -> dict:
            # The other fields keep valid values, so that each hostile one reaches the code past validation.
            return data_of() if method == row.method else {}

        where = f"{persona} {method.upper()} {url} (FUZZ_SEED={fuzz_seed()})"
        if not fields[method]:
            # Nothing is read: a few values show an unexpected parameter is ignored.
            for value in EVERY_PERSONA:
                send(client, method, url, {**valid(), UNEXPECTED: value}, f"{where} {UNEXPECTED}={shown(value)}")
        elif whole_table:
            # Each field alone, the others valid: the short table (and hostile files for file fields)...
            for field in names:
                for value in values_for(field, fields["files"], SHORT):
                    send(client, method, url, {**valid(), field: value}, f"{where} {field}={shown(value)}")
            # ...and the rest of the whole table in every field at once.
            for value in [v for v in HOSTILE if v not in SHORT]:
                send(client, method, url, {**valid(), **dict.fromkeys(names, value)}, f"{where} every field={shown(value)}")
        else:
            # One of each kind, and a sample of the rest that changes from run to run, in every field at once.
            for value in EVERY_PERSONA + sampled(name, persona):
                send(client, method, url, {**valid(), **dict.fromkeys(names, value)}, f"{where} every field={shown(value)}")

    if persona == "officer" or fuzz_full():
        # Absurd numbers in the path itself.
        for position, arg in enumerate(args):
            if isinstance(arg, int):
                for number in ("0", "99999999999999999999999"):
                    odd = reverse(name, args=[*args[:position], number, *args[position + 1 :]])
                    send(client, row.method, odd, {}, f"{persona} {row.method.upper()} {odd}")


def signed_in(client, request, persona: str) -> str | None:
    """Sign the client in as the persona (made first, if need be); the session's key, or None for anonymous."""
    if persona == "anonymous":
        return None
    client.force_login(request.getfixturevalue(persona))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def globals_data(request, row):
    """The matrix's valid data for a row, made afresh (uploads are read once)."""
    from tests.security import test_permission_matrix as matrix

    def make() -> dict:
        if isinstance(row.data, str):
            return getattr(matrix, row.data)(request)
        return dict(row.data or {})

    return make


def test_the_fuzz_finds_the_fields_of_the_main_forms():
    """The discovery the fuzz relies on: if it stops finding fields, the fuzz would quietly send nothing."""
    assert {"rating", "narrative", "links", "files", "version"} <= fields_of("actions:action_update", "/actions/1/update/")["post"]
    assert {"organisation", "owner", "rating", "exception", "snapshot"} <= fields_of("reporting:dashboard", "/strategies/1/dashboard/")[
        "get"
    ]
    assert {"rating", "show"} <= fields_of("actions:my_actions", "/my-actions/")["get"]
    assert {"meeting", "snapshot"} <= fields_of("reporting:report_request", "/strategies/1/reports/request/")["post"]
    assert {"as_at_day", "as_at_month", "as_at_year", "note"} <= fields_of("reporting:snapshot_create", "/strategies/1/snapshots/new/")[
        "post"
    ]
    assert {"period", "value", "note", "reason"} <= fields_of("kpis:value_correct", "/kpi-values/1/correct/")["post"]
    assert {"code", "next"} <= fields_of("accounts:mfa_verify", "/account/two-factor/")["post"]
    assert fields_of("actions:plan_import_upload", "/strategies/1/import/upload/")["files"] == {"file"}
    # A date's three boxes are sent the hostile values, not only the field's own name, which no box reads.
    assert {"started_on_day", "started_on_month", "started_on_year"} <= fields_of(
        "governance:inspection_create", "/strategies/1/inspections/new/"
    )["post"]
    assert {"review_date_day", "review_date_month", "review_date_year"} <= fields_of("risks:risk_add", "/strategies/1/risks/new/")["post"]
    # A value read by index or as a list is found as well as one read with get().
    assert "confirm" in fields_of("reporting:self_evaluation_upload", "/strategies/1/self-evaluation/upload/")["post"]
    assert "post" in fields_of("people:invite", "/partnerships/1/people/invite/")["get"]
    # Names read in turn from a tuple.
    assert {"kind", "format", "version"} <= fields_of("reporting:document_request", "/strategies/1/documents/request/")["post"]
    assert {"organisation", "user"} <= fields_of("governance:signatory_nominate", "/meetings/1/signatories/")["post"]
    # A form made by a constructor of its own.
    assert {"text", "owners", "due"} <= fields_of("actions:action_edit", "/actions/1/edit/")["post"]
    assert {"password1", "password2"} <= fields_of("people:invitation_accept", "/invitation/abc/")["post"]
    # A form bound with a prefix is sent values under the names it reads.
    assert {"arising-text", "arising-owner", "arising-due_date_day"} <= fields_of(
        "governance:action_arising_create", "/meetings/7/actions-arising/"
    )["post"]
    assert {"date_day", "papers_deadline_year", "start_time"} <= fields_of("governance:meeting_move", "/meetings/7/move/")["post"]
    assert {"milestone-title"} <= fields_of("actions:milestone_add", "/actions/1/milestones/")["post"]


def test_every_form_the_matrix_posts_has_fields_the_fuzz_finds():
    """A row the matrix posts data to, whose view's fields the fuzz cannot find, would be sent nothing hostile."""
    blind = []
    for name, row in sorted(MATRIX.items()):
        if row.method != "post" or not row.data or name in THIRD_PARTY_FIELDS:
            continue
        url = None
        for arg in (1, "token", "csv"):
            try:
                url = reverse(name, args=[arg] * len(row.args))
                break
            except NoReverseMatch:
                continue
        if url is None or not fields_of(name, url)["post"]:
            blind.append(name)
    assert blind == []
