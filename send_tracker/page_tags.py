"""Parts every page repeats, as builtin tags: the heading of a page, its breadcrumbs, a table's head, a table that scrolls
in its own region, a summary list's row, a form's fields and its buttons, a confirmation panel, an error summary.

The heading of a page as a block tag, for headings whose words hold tags or values of their own.

    {% page_header caption=strategy.name %}{% if group %}Edit {{ group.name }}{% else %}Add a delivery group{% endif %}{% endpage_header %}

renders includes/page_header.html (as `include … only` would) with the block's words as its title;
caption, size and lede are passed on. A caption with values of its own follows `{% caption %}` in the block:

    {% page_header %}Re-score the risk{% caption %}Risk {{ risk.ref }}: {{ risk.title }}{% endpage_header %}

A heading of one value or plain words includes the partial itself.
"""

from __future__ import annotations

from django import template
from django.forms import BaseForm, BoundField
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from send_tracker.cache import DrawnOnce
from send_tracker.forms import GovukDateField, says_optional
from send_tracker.words import as_sentence as words_as_sentence

register = template.Library()


class PageHeaderNode(template.Node):
    def __init__(self, nodelist: NodeList, caption: NodeList | None, options: dict[str, FilterExpression]) -> None:
        self.nodelist = nodelist
        self.caption = caption
        self.options = options

    def render(self, context: template.Context) -> str:
        values = {name: value.resolve(context) for name, value in self.options.items()}
        values["title"] = mark_safe(self.nodelist.render(context).strip())  # rendered, so already escaped
        if self.caption is not None:
            values["caption"] = mark_safe(self.caption.render(context).strip())
        partial = context.template.engine.get_template("includes/page_header.html")
        return partial.render(context.new(values))


@register.tag
def page_header(parser: Parser, token: Token) -> PageHeaderNode:
    bits = token.split_contents()[1:]
    options = template.base.token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError("page_header takes only name=value options: caption, size and lede")
    nodelist = parser.parse(("caption", "endpage_header"))
    caption = None
    if parser.next_token().contents == "caption":
        caption = parser.parse(("endpage_header",))
        parser.delete_first_token()
    return PageHeaderNode(nodelist, caption, options)


# The header and menu as drawn for each person's role, partnership and page: a few hundred in a process at most.
_headers_drawn = DrawnOnce(512)


@register.simple_tag(takes_context=True)
def service_header(context: template.Context) -> SafeString:
    """The page header and the menu's items up to the page's own (includes/service_header.html), drawn once for each set of
    the values it shows: whether the person is signed in and has actions of their own, their role in the partnership the
    menu links to, the partnership named in the header and the page (or section) shown as current.
    """
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    user = context.get("user")
    authenticated = bool(getattr(user, "is_authenticated", False))
    shows_my_actions = context.get("shows_my_actions", False)
    membership = context.get("service_membership")
    partnership = context.get("partnership")
    values = {
        "current": match.view_name if match else "",
        "nav_section": context.get("nav_section") or "",
        "authenticated": authenticated,
        "shows_my_actions": authenticated and bool(shows_my_actions() if callable(shows_my_actions) else shows_my_actions),
        "role": str(membership.role) if membership else "",
        "membership_partnership_id": membership.partnership_id if membership else "",
        "has_partnership": bool(partnership),
        "partnership_name": getattr(partnership, "name", ""),
        "service_name": context.get("service_name") or "",
    }
    key = (get_script_prefix(), get_urlconf(), *values.items())

    def draw() -> str:
        return context.template.engine.get_template("includes/service_header.html").render(template.Context(values))

    return mark_safe(_headers_drawn.get(key, draw))


_HEADER_CLASSES = {"": "govuk-table__header", "numeric": "govuk-table__header govuk-table__header--numeric"}


@register.simple_tag
def table_head(*columns: str) -> SafeString:
    """A GOV.UK table's head row: {% table_head "Ref" "Action" "Actions:numeric" "Change:hidden" %}.

    ":numeric" aligns a column of numbers right; ":hidden" names a column for screen readers only.
    """
    cells = []
    for column in columns:
        label, _, kind = str(column).partition(":")
        text = format_html('<span class="govuk-visually-hidden">{}</span>', label) if kind == "hidden" else label
        cells.append((_HEADER_CLASSES.get(kind, _HEADER_CLASSES[""]), text))
    row = format_html_join("", '<th scope="col" class="{}">{}</th>', cells)
    return format_html('<thead class="govuk-table__head"><tr class="govuk-table__row">{}</tr></thead>', row)


class LabelledBlockNode(template.Node):
    """A block tag given a label, then only named options, its body the block's words (`labelled_block` reads it)."""

    def __init__(self, label: FilterExpression, nodelist: NodeList, options: dict[str, FilterExpression]) -> None:
        self.label = label
        self.nodelist = nodelist
        self.options = options

    def parts(self, context: template.Context) -> tuple[str, SafeString, dict]:
        """The label, the body (rendered, so already escaped) and the options, resolved."""
        body = mark_safe(self.nodelist.render(context).strip())
        return self.label.resolve(context), body, {name: option.resolve(context) for name, option in self.options.items()}


def labelled_block(
    parser: Parser, token: Token, node: type[LabelledBlockNode], allowed: tuple[str, ...], what: str, example: str
) -> LabelledBlockNode:
    """Read `{% tag label name=value … %}…{% endtag %}`: the label (`what` the tag calls it) first, then only `allowed` options."""
    bits = token.split_contents()
    tag = bits[0]
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{tag} takes its {what}: {example}")
    options = template.base.token_kwargs(bits[2:], parser)
    if len(bits) != 2 + len(options) or set(options) - set(allowed):
        named = [f"{name}=" for name in allowed]
        raise template.TemplateSyntaxError(f"{tag} takes its {what}, then only {', '.join(named[:-1])} and {named[-1]}")
    nodelist = parser.parse((f"end{tag}",))
    parser.delete_first_token()
    return node(parser.compile_filter(bits[1]), nodelist, options)


class ScrollTableNode(LabelledBlockNode):
    def render(self, context: template.Context) -> str:
        label, body, options = self.parts(context)
        classes = " ".join(filter(None, ["govuk-table", options.get("class")]))
        testid = format_html(' data-testid="{}"', options["testid"]) if options.get("testid") else ""
        return format_html(
            '<div class="{}" role="region" aria-label="{}" tabindex="0">\n<table class="{}"{}>\n{}\n</table>\n</div>',
            options.get("scroll") or "app-table-scroll",
            label,
            classes,
            testid,
            body,
        )


@register.tag
def scroll_table(parser: Parser, token: Token) -> ScrollTableNode:
    """A GOV.UK table that scrolls inside its own labelled region on a narrow screen, its rows the block's words:

    {% scroll_table "The risks" class="app-table--stack" testid="risk-table" %}<caption …>…</caption>…{% endscroll_table %}

    The label names the region to screen readers; class adds to the table's classes, testid marks the table, and
    scroll names the region's own class where it is not app-table-scroll (the dashboard's trend scrolls its own way).
    """
    example = '{% scroll_table "Members" %}…{% endscroll_table %}'
    return labelled_block(parser, token, ScrollTableNode, ("class", "testid", "scroll"), "label", example)


class SummaryRowNode(LabelledBlockNode):
    def render(self, context: template.Context) -> str:
        key, value, options = self.parts(context)
        change = ""
        if options.get("change"):
            change = format_html(
                '<dd class="govuk-summary-list__actions"><a class="govuk-link" href="{}">Change'
                '<span class="govuk-visually-hidden"> {}</span></a></dd>',
                options["change"],
                options.get("change_label", ""),
            )
        return format_html(
            '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{}</dt>'
            '<dd class="govuk-summary-list__value">{}</dd>{}</div>',
            key,
            value,
            change,
        )


@register.tag
def summary_row(parser: Parser, token: Token) -> SummaryRowNode:
    """One row of a GOV.UK summary list, its key given, its value the block's words:

    {% summary_row "Notes" %}{{ action.notes|linebreaksbr }}{% endsummary_row %}

    With change (an address; none, no link) the row ends in a Change link, change_label saying to
    screen readers what it changes:

    {% summary_row "Evaluation strands" change=strands_url change_label="the evaluation strands it measures" %}…{% endsummary_row %}
    """
    example = '{% summary_row "Owner" %}…{% endsummary_row %}'
    return labelled_block(parser, token, SummaryRowNode, ("change", "change_label"), "key", example)


class PanelNode(template.Node):
    def __init__(self, title: FilterExpression, nodelist: NodeList) -> None:
        self.title = title
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        body = mark_safe(self.nodelist.render(context).strip())  # rendered, so already escaped
        return format_html(
            '<div class="govuk-panel govuk-panel--confirmation">\n  <h2 class="govuk-panel__title">{}</h2>\n'
            '  <div class="govuk-panel__body">{}</div>\n</div>',
            self.title.resolve(context),
            body,
        )


@register.tag
def panel(parser: Parser, token: Token) -> PanelNode:
    """A GOV.UK confirmation panel, its title given, its body the block's words:

    {% panel "The pack is ready" %}Produced {{ pack.finished_at|date:"j F Y, H:i" }}{% endpanel %}
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError('panel takes its title: {% panel "The pack is ready" %}…{% endpanel %}')
    nodelist = parser.parse(("endpanel",))
    parser.delete_first_token()
    return PanelNode(parser.compile_filter(bits[1]), nodelist)


class ErrorSummaryNode(template.Node):
    def __init__(self, title: NodeList, problems: NodeList) -> None:
        self.title = title
        self.problems = problems

    def render(self, context: template.Context) -> str:
        # Both rendered, so already escaped.
        title, problems = (mark_safe(nodes.render(context).strip()) for nodes in (self.title, self.problems))
        return format_html(
            '<div class="govuk-error-summary" data-module="govuk-error-summary">\n  <div role="alert">\n'
            '    <h2 class="govuk-error-summary__title">{}</h2>\n    <div class="govuk-error-summary__body">{}</div>\n  </div>\n</div>',
            title,
            problems,
        )


@register.tag
def error_summary(parser: Parser, token: Token) -> ErrorSummaryNode:
    """A GOV.UK error summary, its title the block's words up to `{% problems %}`, its body the words after:

    {% error_summary %}There is a problem{% problems %}<ul class="govuk-list govuk-error-summary__list">…</ul>{% enderror_summary %}

    A form's errors have their own partial, includes/error_summary.html, which uses this.
    """
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("error_summary takes no options: {% error_summary %}Title{% problems %}…{% enderror_summary %}")
    title = parser.parse(("problems",))
    parser.delete_first_token()
    problems = parser.parse(("enderror_summary",))
    parser.delete_first_token()
    return ErrorSummaryNode(title, problems)


@register.filter
def as_sentence(text: object) -> str:
    """Words that end as a sentence: a full stop added unless they already end with one (or ?, ! or the … of a cut).

    {% for decision in decisions %}{{ decision.text|as_sentence }} {% endfor %}
    """
    return words_as_sentence(text)


@register.filter
def fields(form: BaseForm, names: str) -> list[BoundField]:
    """The form's fields of these names, in this order, for one partial each:

    {% for field in form|fields:"title cause effect" %}{% form_field field %}{% endfor %}
    """
    return [form[name] for name in names.split()]


def _shown(value: object) -> str:
    """A value as `{{ value }}` shows it: local time, localised, escaped."""
    return conditional_escape(localize(template_localtime(value)))


def _described_by(auto_id: str, hint: object, errors: object) -> SafeString:
    """The aria-describedby attribute of a field's input: its hint, then its error message, when it has them."""
    if not (hint or errors):
        return mark_safe("")
    ids = (f"{auto_id}-hint" if hint else "") + (f" {auto_id}-error" if errors else "")
    return format_html(' aria-describedby="{}"', ids)


@register.simple_tag
def field_errors(field: BoundField) -> SafeString:
    """A GOV.UK error message for one bound field, between its label (and hint) and its input: {% field_errors form.title %}.

    The input then has class govuk-input--error (or the textarea's, select's or file's), the form group
    govuk-form-group--error, and aria-describedby naming "<auto_id>-error" after any hint.
    """
    if not field.errors:
        return mark_safe("")
    each = format_html_join(mark_safe("<br>"), '<span class="govuk-visually-hidden">Error:</span> {}', ((error,) for error in field.errors))
    return format_html('\n<p id="{}-error" class="govuk-error-message">\n  {}\n</p>\n', field.auto_id, each)


LONG_LIST = 12


def _choice(field: BoundField, choice, family: str, kind: str, *, first: bool, label: object) -> SafeString:
    return format_html(
        '\n  <div class="govuk-{0}__item">\n    <input class="govuk-{0}__input" id="{1}" name="{2}" type="{3}" value="{4}"{5}>\n'
        '    <label class="govuk-label govuk-{0}__label" for="{1}">{6}</label>\n  </div>',
        family,
        field.auto_id if first else choice.id_for_label,
        field.html_name,
        kind,
        _shown(choice.data["value"]),
        mark_safe(" checked") if choice.data["selected"] else "",
        label,
    )


def _groups(field: BoundField) -> list[tuple[str, list]]:
    """The choices in the groups the field names (`group_of` each choice's instance): by name, the unnamed group last."""
    groups: dict[str, list] = {}
    for choice in field:
        groups.setdefault(field.field.group_of(choice.data["value"].instance), []).append(choice)
    return sorted(groups.items(), key=lambda group: (group[0] == "", group[0].casefold()))


def _choices(field: BoundField, family: str, kind: str) -> SafeString:
    """A list of checkboxes or radios (`family` "checkboxes" or "radios", `kind` "checkbox" or "radio"), the first with the field's id.

    A field that sorts its choices into groups (a partnership's posts by organisation: `group_of` and `label_in_group`
    on the form field) has each group's ticks under its name, in a group named by it for a screen reader."""
    if hasattr(field.field, "group_of"):
        groups, items, first = _groups(field), [], True
        for number, (name, choices) in enumerate(groups):
            ticks = []
            for choice in choices:
                label = field.field.label_in_group(choice.data["value"].instance)
                ticks.append(_choice(field, choice, family, kind, first=first, label=label))
                first = False
            items.append(
                format_html(
                    '\n  <div class="app-choices-group" role="group" aria-labelledby="{0}-group-{1}">'
                    '\n  <p class="govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-2" id="{0}-group-{1}">{2}</p>{3}\n  </div>',
                    field.auto_id,
                    number,
                    name or field.field.ungrouped,
                    mark_safe("".join(ticks)),
                )
            )
        count = sum(len(choices) for _name, choices in groups)
    else:
        items = [_choice(field, choice, family, kind, first=number == 0, label=choice.choice_label) for number, choice in enumerate(field)]
        count = len(items)
    if not items and kind == "checkbox":
        items = [mark_safe('\n  <p class="govuk-body">None to choose from yet.</p>')]
    # A long list of ticks (a partnership's fifty posts) runs down two columns where the screen is wide enough.
    columns = " app-checkboxes--columns" if kind == "checkbox" and count > LONG_LIST else ""
    return format_html(
        '<div class="govuk-{0} govuk-{0}--small{1}" data-module="govuk-{0}">{2}\n</div>', family, columns, mark_safe("".join(items))
    )


def _control(
    field: BoundField, kind: str, described: SafeString, *, width: str, autocomplete: str, rows: object, accept: str
) -> SafeString:
    """The input, textarea, select or file input of a field with its own label, keeping what was typed.

    `kind` is the field's widget type and `described` its aria-describedby attribute, as `form_field` found them.
    """
    errors, auto_id = field.errors, field.auto_id
    if kind == "select":
        current = str(field.value())
        options = format_html_join(
            "",
            '\n    <option value="{}"{}>{}</option>',
            (
                (_shown(value), mark_safe(" selected") if str(value) == current else "", _shown(label))
                for value, label in field.field.choices
            ),
        )
        error = " govuk-select--error" if errors else ""
        return format_html(
            '<select class="govuk-select{}" id="{}" name="{}"{}>{}\n  </select>', error, auto_id, field.html_name, described, options
        )
    value = field.value()
    shown = _shown("" if value is None else value)
    if kind == "textarea":
        error = " govuk-textarea--error" if errors else ""
        return format_html(
            '<textarea class="govuk-textarea{}" id="{}" name="{}" rows="{}"{}>{}</textarea>',
            error,
            auto_id,
            field.html_name,
            _shown(rows or 4),
            described,
            shown,
        )
    if kind in ("clearablefile", "file"):
        error = " govuk-file-upload--error" if errors else ""
        return format_html(
            '<input class="govuk-file-upload{}" id="{}" name="{}" type="file" accept="{}"{}>',
            error,
            auto_id,
            field.html_name,
            accept or ".csv,.xlsx",
            described,
        )
    widget = field.field.widget
    input_type, attrs = widget.input_type, widget.attrs
    if autocomplete:
        auto = format_html(' autocomplete="{}"', autocomplete)
    else:
        auto = {"email": mark_safe(' autocomplete="email"'), "password": mark_safe(' autocomplete="new-password"')}.get(input_type, "")
    return format_html(
        '<input class="govuk-input{}{}" id="{}" name="{}" type="{}"{}{}{}{}{}>',
        f" {width}" if width else "",
        " govuk-input--error" if errors else "",
        auto_id,
        field.html_name,
        input_type,
        format_html(' value="{}"', shown) if input_type != "password" else "",
        auto,
        format_html(' inputmode="{}"', attrs["inputmode"]) if attrs.get("inputmode") else "",
        mark_safe(' spellcheck="false"') if input_type == "email" or attrs.get("spellcheck") == "false" else "",
        described,
    )


@register.filter
def optional_mark(field: BoundField) -> str:
    """The words " (optional)" after the label of a question that may be left blank, for a field drawn by hand:
    `{{ field.label }}{{ field|optional_mark }}`."""
    return " (optional)" if says_optional(field) else ""


@register.simple_tag
def form_field(
    field: BoundField,
    *,
    hint: object = "",
    size: str = "",
    field_label: object = "",
    width: str = "",
    autocomplete: str = "",
    rows: object = None,
    accept: str = "",
) -> SafeString:
    """One bound form field as a GOV.UK form group: label, hint, error message, and the input that keeps what was typed.

        {% form_field form.title width="govuk-input--width-20" %}

    size: "m" for a medium label, "regular" for a text box's label in body text; field_label in place of the
    field's own (for a text box, select, textarea or file); hint in place of the field's help text; for text, width
    (a GOV.UK width class; full width when not given) and autocomplete (an email field is taken to be the person's own
    unless told autocomplete="off"); for a textarea, rows; for a file, accept (the kinds it takes, ".csv,.xlsx" unless
    told). A question a person may leave blank says "(optional)" (says_optional, send_tracker/forms.py). Numbers have their own partial,
    includes/number_field.html; a whole number's WholeNumberInput (send_tracker/forms.py) keeps its numeric keypad
    here too. Text, email, password, number, textarea, select, one checkbox and a list of checkboxes or radios are
    covered; the first input has the field's id, as the error summary links to it. A hidden field is its input alone.
    """
    if field.is_hidden:
        value = field.value()
        return format_html(
            '<input type="hidden" name="{}" value="{}" id="{}">', field.html_name, "" if value is None else value, field.auto_id
        )
    hint = hint or field.help_text or ""
    kind, errors, auto_id = field.widget_type, field.errors, field.auto_id
    optional = optional_mark(field)  # a question that may be left blank says so (says_optional, send_tracker/forms.py)
    described = _described_by(auto_id, hint, errors)
    hint_div = format_html('<div id="{}-hint" class="govuk-hint">{}</div>', auto_id, hint) if hint else ""
    if kind in ("checkboxselectmultiple", "radioselect"):
        family, input_kind = ("radios", "radio") if kind == "radioselect" else ("checkboxes", "checkbox")
        body = format_html(
            '<fieldset class="govuk-fieldset"{}>\n    <legend class="govuk-fieldset__legend govuk-fieldset__legend--{}">{}</legend>\n'
            "    {}{}\n    {}\n  </fieldset>",
            described,
            size or "s",
            f"{field.label}{optional}",
            hint_div,
            field_errors(field),
            _choices(field, family, input_kind),
        )
    elif isinstance(field.field, GovukDateField):
        body = _date_input(field, hint or "For example, 27 3 2025", size, optional)
    elif kind == "checkbox":
        body = format_html(
            '{}<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">\n'
            '    <div class="govuk-checkboxes__item">\n'
            '      <input class="govuk-checkboxes__input" id="{}" name="{}" type="checkbox" value="on"{}{}>\n'
            '      <label class="govuk-label govuk-checkboxes__label" for="{}">{}</label>\n      {}\n    </div>\n  </div>',
            field_errors(field),
            auto_id,
            field.html_name,
            mark_safe(" checked") if field.value() else "",
            format_html(' aria-describedby="{}-hint"', auto_id) if hint else "",
            auto_id,
            field.label,
            format_html('<div id="{}-hint" class="govuk-hint govuk-checkboxes__hint">{}</div>', auto_id, hint) if hint else "",
        )
    else:
        body = format_html(
            '<label class="govuk-label{}" for="{}">{}{}</label>\n  {}{}\n  {}',
            f" govuk-label--{size or 's'}" if size != "regular" else "",
            auto_id,
            field_label or field.label,
            optional,
            hint_div,
            field_errors(field),
            _control(field, kind, described, width=width, autocomplete=autocomplete, rows=rows, accept=accept),
        )
    return format_html('<div class="govuk-form-group{}">\n  {}\n</div>\n', " govuk-form-group--error" if errors else "", body)


def _date_input(field: BoundField, hint: object, size: str, optional: str) -> SafeString:
    """The GOV.UK date input: day, month and year boxes in a fieldset named by the field's label, the day box with the
    field's id (where the error summary links)."""
    auto_id, errors = field.auto_id, field.errors
    boxes = []
    # The boxes' names are the widget's ("_day", "_month", "_year"), which it reads the posted date back by.
    for number, (suffix, part) in enumerate(zip(field.field.widget.widgets_names, field.field.parts(field), strict=True)):
        box_id = auto_id if number == 0 else f"{auto_id}{suffix}"
        boxes.append(
            format_html(
                '\n      <div class="govuk-date-input__item">\n        <div class="govuk-form-group">\n'
                '          <label class="govuk-label govuk-date-input__label" for="{}">{}</label>\n'
                '          <input class="govuk-input govuk-date-input__input govuk-input--width-{}{}" id="{}" name="{}{}" type="text" '
                'inputmode="numeric" spellcheck="false" value="{}">\n        </div>\n      </div>',
                box_id,
                suffix[1:].capitalize(),
                4 if suffix == "_year" else 2,
                " govuk-input--error" if errors else "",
                box_id,
                field.html_name,
                suffix,
                part,
            )
        )
    return format_html(
        '<fieldset class="govuk-fieldset" role="group"{}>\n'
        '    <legend class="govuk-fieldset__legend govuk-fieldset__legend--{}">{}{}</legend>\n'
        '    <div id="{}-hint" class="govuk-hint">{}</div>{}\n    <div class="govuk-date-input">{}\n    </div>\n  </fieldset>',
        _described_by(auto_id, hint, errors),
        size or "s",
        field.label,
        optional,
        auto_id,
        hint,
        field_errors(field),
        mark_safe("".join(boxes)),
    )


def _crumb(label: object, url: object) -> SafeString:
    return format_html('<li class="govuk-breadcrumbs__list-item"><a class="govuk-breadcrumbs__link" href="{}">{}</a></li>', url, label)


@register.simple_tag
def breadcrumbs(
    *,
    strategies: bool = False,
    strategy: object = None,
    dashboard: bool = False,
    group: object = None,
    action: object = None,
    steps: object = (),
    label: object = "",
    url: object = "",
    label2: object = "",
    url2: object = "",
    back: object = "",
    back_to: object = "",
) -> SafeString:
    """The GOV.UK breadcrumbs above a page, from the objects the page sits under, or its back link.

        {% breadcrumbs strategy=strategy group=group action=action label="Import a plan" url=import_url %}

    Name just the steps the page has, in order. strategies: start at the list of strategies (a trail through a strategy
    always does, so every page under one leads back the same way); strategy, group (its parent group first when it has
    one) and action link to their own pages; dashboard: the strategy's dashboard
    after it; steps: a list of (label, url) pairs; label and url (then label2 and url2) add steps of the page's own.
    A page reached from one other page has a back link in their place, reading "Back to" and back_to:

        {% breadcrumbs back=group.get_absolute_url back_to=group %}
    """
    if back:
        return format_html('\n<nav aria-label="Back"><a href="{}" class="govuk-back-link">Back to {}</a></nav>\n', back, back_to)
    crumbs = []
    if strategies or strategy:
        crumbs.append(_crumb("Strategies", reverse("actions:strategy_list")))
    if strategy:
        crumbs.append(_crumb(strategy.name, strategy.get_absolute_url()))
    if dashboard:
        crumbs.append(_crumb("Dashboard", reverse("reporting:dashboard", args=[strategy.pk])))
    if group and group.parent:
        crumbs.append(_crumb(group.parent.name, group.parent.get_absolute_url()))
    if group:
        crumbs.append(_crumb(group.name, group.get_absolute_url()))
    if action:
        crumbs.append(_crumb(f"Action {action.ref}", action.get_absolute_url()))
    crumbs += [_crumb(step_label, step_url) for step_label, step_url in steps or ()]
    if label:
        crumbs.append(_crumb(label, url))
    if label2:
        crumbs.append(_crumb(label2, url2))
    items = mark_safe("".join(f"\n    {crumb}" for crumb in crumbs))
    return format_html(
        '\n<nav class="govuk-breadcrumbs" aria-label="Breadcrumb">\n  <ol class="govuk-breadcrumbs__list">{}\n  </ol>\n</nav>\n', items
    )


@register.simple_tag
def form_actions(
    *, submit: object, cancel: object = "", cancel_label: object = "", secondary: bool = False, prevent_double_click: bool = False
) -> SafeString:
    """A form's submit button, and beside it the link that leaves without saving:

        {% form_actions submit="Save the risk" cancel=register_url %}

    cancel_label: the link's words ("Cancel" unless told); secondary: a grey button; prevent_double_click: the button
    ignores a second click while the form is sent. Without cancel, the button stands alone.
    """
    button = format_html(
        '<button type="submit" class="govuk-button{}" data-module="govuk-button"{}>{}</button>',
        " govuk-button--secondary" if secondary else "",
        mark_safe(' data-prevent-double-click="true"') if prevent_double_click else "",
        submit,
    )
    if not cancel:
        return format_html("\n{}\n", button)
    link = format_html('<a class="govuk-link" href="{}">{}</a>', cancel, cancel_label or "Cancel")
    return format_html('\n<div class="govuk-button-group">\n  {}\n  {}\n</div>\n', button, link)
