"""The page where an officer says how their own tracker reads: which sheet, what each column is, what each rating means."""

from __future__ import annotations

from django.http import QueryDict

from actions import trackers
from actions.forms import TrackerMappingForm
from actions.models import PlanImport, Progress, RatingLevel, RatingScheme, normalise_phrase
from actions.readers import strategy_left_empty
from intake.readers import reader_named
from intake.services import upload_reread
from intake.tables import ImportFileError

CHANGED_RATING_COLUMN = "You chose another column for the rating: check what each of its ratings means, then continue."


def _mapping_form(layout: trackers.Layout, levels: list[RatingLevel], mapping: dict, data: QueryDict | None = None) -> TrackerMappingForm:
    """The mapping form, filled in from `mapping` (what was kept, or what the product proposes)."""
    index = trackers.columns_of(layout, mapping).get("rating")
    values = layout.distinct_values(index) if index is not None else []
    columns = mapping.get("columns") or {}
    ratings = mapping.get("ratings") or {}
    initial = {f"column_{i}": columns.get(key, "") for i, key in enumerate(layout.keys())}
    initial.update({f"rating_{i}": ratings.get(normalise_phrase(value), "") for i, value in enumerate(values)})
    initial["name"] = mapping.get("name", "")
    return TrackerMappingForm(
        data,
        initial=initial,
        layout=layout,
        columns=trackers.COLUMN_LABELS,
        check=trackers.mapping_problems,
        levels=levels,
        rating_values=values,
        rating_counts=trackers.value_counts(layout, index),
        key=layout.key,
        from_fill={value for value in values if value.endswith(trackers.FILL_SUFFIX)},
    )


def _mapping_sent(plan_import: PlanImport, layout, scheme: RatingScheme, levels: list[RatingLevel], base: dict, data: QueryDict):
    """The form as sent: (None, "", 302) when it was kept and the upload re-read, else the form to show again, a notice and the status."""
    form = _mapping_form(layout, levels, base, data)
    if form.rating_column() != trackers.columns_of(layout, base).get("rating"):
        # The ratings shown were another column's: show the new column's, proposed, before going on.
        columns = {key: data.get(f"column_{i}", "") for i, key in enumerate(layout.keys())}
        changed = {**base, "columns": columns, "name": data.get("name", "")}
        changed["ratings"] = trackers.ratings_proposed(layout, changed, scheme, levels)
        return _mapping_form(layout, levels, changed), CHANGED_RATING_COLUMN, 422
    if form.is_valid():
        mapping = form.mapping(sheet=layout.sheet, scheme=scheme.code)
        upload_reread(reader=reader_named("plan"), upload=plan_import, mapping=mapping, layout=layout.signature)
        return None, "", 302
    return form, "", 422


def mapping_page(plan_import: PlanImport, query: QueryDict, data: QueryDict | None = None) -> tuple[dict | None, int]:
    """The mapping page's context and status; (None, 302) when the preview comes next (mapping kept, nothing to map, or applied)."""
    strategy = plan_import.strategy
    if plan_import.status == PlanImport.Status.APPLIED or not plan_import.layout:
        return None, 302
    try:
        layouts = trackers.layouts_read(bytes(plan_import.content), plan_import.filename)
    except ImportFileError:
        return None, 302
    stored = plan_import.mapping
    layout = trackers.layout_chosen(layouts, query.get("sheet") or stored.get("sheet"))
    scheme_code = query.get("scheme") or None
    if layout.sheet == stored.get("sheet") and scheme_code in (None, stored.get("scheme")):
        base = stored
    else:
        base = {**trackers.mapping_offered(layout, strategy, scheme_code), "name": stored.get("name") or layout.sheet[:100]}
    scheme = trackers.scheme_for(strategy, base)
    levels = list(scheme.levels.all())
    form, notice, status = _mapping_form(layout, levels, base), "", 200
    if data is not None:
        form, notice, status = _mapping_sent(plan_import, layout, scheme, levels, base, data)
        if form is None:
            return None, status
    rating_index = trackers.columns_of(layout, base).get("rating")
    suggested = trackers.scheme_suggested(layout.distinct_values(rating_index)) if rating_index is not None else None
    return {
        "strategy": strategy,
        "plan_import": plan_import,
        "form": form,
        "notice": notice,
        "layout": layout,
        "layouts": layouts,
        "scheme": scheme,
        "schemes": RatingScheme.objects.available_to(strategy.partnership_id).order_by("name") if not strategy.actions.exists() else [],
        "strategy_empty": strategy_left_empty(strategy),
        "suggested_scheme": RatingScheme.objects.filter(code=suggested).first() if suggested else None,
        # Beside the ratings: what the workbook's own key says each means, and what each of our levels means.
        "workbook_key": [(value.upper() if len(value) <= 3 else value, meaning) for value, meaning in layout.key.items()],
        "level_meanings": [(level, Progress(level.progress).label) for level in levels],
        "key_warnings": trackers.ratings_against_key(layout, base, levels),
    }, status
