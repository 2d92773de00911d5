"""Every page a programme officer opens under a strategy leads back the same way: breadcrumbs from the list of
strategies, or a back link to the one page it was reached from. None leaves the person without a way back."""

from __future__ import annotations

import lxml.html
import pytest
from django.urls import reverse

from tests.security.conftest import *  # noqa: F403  (every fixture the matrix's URLs name)
from tests.security.test_permission_matrix import DEFAULT, MATRIX, url_arg

pytestmark = pytest.mark.django_db

# Pages that are not under a strategy's trail: the lists and settings of a partnership, a person's own pages, the list
# of strategies itself, and the public page and its preview, which families read in the public page's own layout.
OUTSIDE = (
    "strategy_list",
    "strategy_create",
    "scheme_",
    "people:",
    "feed:",
    "accounts:",
    "coproduction:public_page",
    "coproduction:public_preview",
    "home",
)


def officer_pages() -> list[str]:
    return [
        name
        for name, row in sorted(MATRIX.items())
        if row.method == "get" and row.expect.get("officer", DEFAULT) == "ok" and "strategy" in " ".join(row.args) + name
    ]


def test_every_officer_page_under_a_strategy_starts_its_breadcrumbs_at_the_strategies_or_goes_back(request, client, officer):
    client.force_login(officer)
    missing, checked = [], 0
    for name in officer_pages():
        if any(part in name for part in OUTSIDE):
            continue
        url = reverse(name, args=[url_arg(request, arg) for arg in MATRIX[name].args])
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        page = lxml.html.fromstring(response.content)
        trail = page.xpath('//nav[contains(@class, "govuk-breadcrumbs")]//a/@href')
        back = page.xpath('//a[contains(@class, "govuk-back-link")]')
        if not back and trail[:1] != [reverse("actions:strategy_list")]:
            missing.append(f"{name} ({url}): {trail or 'no breadcrumbs'}")
    assert checked > 20, f"only {checked} pages were checked"
    assert not missing, "Pages under a strategy whose trail does not lead back to the strategies:\n" + "\n".join(missing)
