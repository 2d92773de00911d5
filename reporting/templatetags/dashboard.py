"""Template helpers for the dashboard: links that keep the filters, and the rating trend's small multiples."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from actions.templatetags.ratings import families_tag

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, name: str, value) -> str:
    """The current page's query string with one parameter set (a page number), the others kept."""
    query = context["request"].GET.copy()
    query[name] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def query_without(context, *names: str) -> str:
    """The current page's query string without these parameters (and without any page numbers)."""
    query = context["request"].GET.copy()
    for key in list(query):
        if key in names or key == "page" or key.endswith("_page"):
            del query[key]
    return query.urlencode()


@register.simple_tag
def select_options(field) -> SafeString:
    """A filter's options, the one asked for selected (a tag: a plan's owners make a hundred options)."""
    chosen = str(field.value())
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) == chosen else "", label) for value, label in field.field.choices),
    )


@register.simple_tag
def matrix_row(row, dashboard_url: str, cell_query: str) -> SafeString:
    """A matrix row: the delivery group, its count at each level, the families' view, overdue and total (a tag: 30 rows a page)."""
    group = row.group
    parent = format_html('<span class="app-matrix__parent">{}:</span> ', group.parent.name) if group.parent_id else ""
    disagrees = (
        SafeString(
            ' <strong class="govuk-tag govuk-tag--red app-flag">Disagrees'
            '<span class="govuk-visually-hidden"> with the officers\' ratings</span></strong>'
        )
        if row.disagrees
        else ""
    )
    whole = SafeString(' <span class="app-matrix__whole">for the whole group</span>') if row.of_whole_group else ""
    return format_html(
        '<tr class="govuk-table__row">\n'
        '      <th scope="row" class="govuk-table__header app-matrix__group">{}<a class="govuk-link" href="{}">{}</a></th>\n'
        "      {}\n"
        '      <td class="govuk-table__cell app-matrix__families" data-label="Families\' view">{}{}{}</td>\n'
        '      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Overdue">{}</td>\n'
        '      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Total">'
        '<a class="govuk-link" href="{}?{}group={}#actions"><span class="govuk-visually-hidden">{}, all: </span>{}</a></td>\n'
        "    </tr>",
        parent,
        group.get_absolute_url(),
        group.name,
        matrix_cells(row, dashboard_url, cell_query),
        families_tag(row.families_view),
        whole,
        disagrees,
        row.overdue,
        dashboard_url,
        f"{cell_query}&" if cell_query else "",
        group.pk,
        group.name,
        row.tally.total,
    )


@register.simple_tag
def matrix_cells(row, dashboard_url: str, cell_query: str) -> SafeString:
    """A matrix row's count at each level, each count a link to the dashboard showing those actions (a tag: 200 cells a page)."""
    group = row.group
    query = f"{cell_query}&" if cell_query else ""

    def cell(segment) -> tuple:
        if not segment.count:
            return (segment.level.label, SafeString('<span class="app-matrix__zero">0</span>'))
        link = format_html(
            '<a class="govuk-link app-matrix__cell" href="{}?{}group={}&amp;rating={}#actions" data-group="{}" data-rating="{}">'
            '<span class="govuk-visually-hidden">{}, {}: </span>{}</a>',
            dashboard_url,
            query,
            group.pk,
            segment.level.code,
            group.pk,
            segment.level.code,
            group.name,
            segment.level.label,
            segment.count,
        )
        return (segment.level.label, link)

    return format_html_join(
        "", '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="{}">{}</td>', (cell(s) for s in row.tally.segments)
    )


@register.simple_tag
def trend_spark(counts: list[int], highest: int, *, width: int = 96, height: int = 24) -> SafeString:
    """A line of one level's count in each snapshot, on an axis from zero to the highest count of any level.

    Decorative: the counts are in the table beside it, so it is hidden from screen readers.
    """
    if len(counts) < 2:
        return SafeString("")
    top = max(highest, 1)
    step = (width - 4) / (len(counts) - 1)
    points = " ".join(f"{2 + i * step:.1f},{height - 2 - (height - 4) * n / top:.1f}" for i, n in enumerate(counts))
    last_x, last_y = points.rsplit(" ", 1)[-1].split(",")
    return format_html(
        '<svg class="app-trend__svg" aria-hidden="true" focusable="false" width="{}" height="{}" viewBox="0 0 {} {}">'
        '<line x1="0" y1="{}" x2="{}" y2="{}" stroke="#b1b4b6" stroke-width="1"/>'
        '<polyline points="{}" fill="none" stroke="#0b0c0c" stroke-width="2"/>'
        '<circle cx="{}" cy="{}" r="2.5" fill="#0b0c0c"/></svg>',
        width,
        height,
        width,
        height,
        height - 2,
        width,
        height - 2,
        points,
        last_x,
        last_y,
    )
