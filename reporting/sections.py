"""The board pack's sections, in order, each with the pages it may fill.

The pack owns the page allowance: a board reads it in ten minutes, so the
allowances add up to at most `PACK_PAGES`. A section another feature adds
(a risk register, a finance plan) fills a slot kept for it here with
`fill_section` (or `section_filler`, on its provider); an unfilled slot prints nothing and uses none of its pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

PACK_PAGES = 16  # A4 pages of the meeting pack at most


@dataclass(frozen=True)
class PackSection:
    key: str
    title: str  # the section's heading, and its entry in the contents
    pages: int  # its page allowance
    template: str = ""  # under templates/; empty: a slot no feature has filled yet
    # More of the pack's context for the section's template, from the pack's context so far.
    provider: Callable[[dict], dict] | None = None
    summary: str = ""  # what the contents says the section holds
    when: str = ""  # a key of the pack's context that must hold something for the section to print
    anchor: str = ""  # the id of the heading the contents links to on the pack's web page: `pack-<key>` unless told

    @property
    def target(self) -> str:
        return self.anchor or f"pack-{self.key}"

    def shown(self, context: dict) -> bool:
        return self.filled and (not self.when or bool(context.get(self.when)))

    @property
    def filled(self) -> bool:
        return bool(self.template)


_SECTIONS: list[PackSection] = [
    PackSection(
        "opening",
        "What the board is asked to decide",
        2,
        "reporting/pdf/sections/opening.html",
        summary="actions arising, items for decision, the headline figures and ratings by delivery group",
        anchor="pack-decide",
    ),
    PackSection(
        "coproduction", "Families' view and partner sign-off", 1, "reporting/pdf/sections/coproduction.html", anchor="pack-families"
    ),
    PackSection(
        "movement", "Movement since the last board", 1, "reporting/pdf/sections/movement.html", summary="what moved, grouped and counted"
    ),
    PackSection(
        "exceptions",
        "Exceptions",
        3,
        "reporting/pdf/sections/exceptions.html",
        summary="actions at risk and overdue, each once with its latest update",
    ),
    PackSection("timeline", "What you will see, and when", 1, "reporting/pdf/sections/timeline.html", when="timeline"),
    PackSection("findings", "Inspection findings", 1, "reporting/pdf/pack_findings.html", when="findings"),
    PackSection("risks", "Risks", 1),
    PackSection("finance", "Finance", 1),
    PackSection("kpis", "KPI scorecard", 2, "reporting/pdf/sections/kpis.html", when="kpis"),
    PackSection("appendix", "Appendix: every action", 3, "reporting/pdf/sections/appendix.html"),
]


def pack_sections() -> list[PackSection]:
    """Every section of the pack in order, filled or not."""
    return list(_SECTIONS)


def fill_section(key: str, *, template: str, provider: Callable[[dict], dict] | None = None, summary: str = "", when: str = "") -> None:
    """Fill the slot kept for a section (e.g. "risks", from reporting.packs_beside); its allowance stays the pack's."""
    for index, section in enumerate(_SECTIONS):
        if section.key == key:
            _SECTIONS[index] = replace(section, template=template, provider=provider, summary=summary or section.summary, when=when)
            return
    raise KeyError(f"The board pack keeps no slot called {key!r}.")


def section_filler(key: str, *, template: str, summary: str = "", when: str = "") -> Callable:
    """`fill_section` as the decorator of the section's provider."""

    def fill(provider: Callable[[dict], dict]) -> Callable[[dict], dict]:
        fill_section(key, template=template, provider=provider, summary=summary, when=when)
        return provider

    return fill
