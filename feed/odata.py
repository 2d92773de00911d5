"""OData v4 for the feed: the service's $metadata, and the system query options a read may carry.

`$filter` is parsed by odata-query (its grammar and its Django translation),
limited to the entity set's own properties; `$select`, `$orderby`, `$top`,
`$skip` and `$count` are read here. Paging is the server's: each page holds
at most `FEED_PAGE_SIZE` rows and ends with an `@odata.nextLink`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from django.db.models import F, Q, QuerySet

from feed.entities import ENTITY_SETS, EntitySet

NAMESPACE = "SendTracker"
SUPPORTED = {"$filter", "$select", "$orderby", "$top", "$skip", "$skiptoken", "$count", "$format"}
# OData system query options this feed knows but does not carry out: a 501, not a silent full answer.
NOT_IMPLEMENTED = {"$expand", "$search", "$apply", "$compute", "$levels", "$index", "$schemaversion"}
EXPAND_ADVICE = {
    "Actions": "read Updates and filter on ActionId, or join Updates to Actions on ActionId = Id",
    "Snapshots": "read SnapshotItems and filter on SnapshotId, or join SnapshotItems to Snapshots on SnapshotId = Id",
}


class QueryError(ValueError):
    """A query option the feed cannot answer: a 400 with the reason."""


class QueryNotImplementedError(QueryError):
    """A standard OData query option the feed does not carry out: a 501 with the reason."""


@dataclass
class Options:
    select: list[str]
    filter: Q | None = None
    order: list = field(default_factory=list)
    top: int | None = None
    skip: int = 0
    count: bool = False


def _identifiers(node) -> list[str]:
    """Every property name a parsed $filter refers to."""
    from odata_query import ast

    found = []
    if isinstance(node, ast.Identifier):
        found.append(node.name)
    elif isinstance(node, ast.Attribute):
        found.append("/".join([*_identifiers(node.owner), node.attr]))
    elif isinstance(node, ast.CollectionLambda):
        found.append("/".join([*_identifiers(node.owner), "any or all"]))  # no collection-valued properties here
    elif isinstance(node, ast.Call):
        for arg in node.args:  # the function's own name is not a property
            found += _identifiers(arg)
    elif isinstance(node, ast._Node):
        for value in vars(node).values():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, ast._Node):
                    found += _identifiers(item)
    return found


def _booleans_compared(entity_set: EntitySet, node):
    """The filter with each bare Boolean member (`IsOverdue`, `not IsOverdue`) written out as `IsOverdue eq true`.

    OData lets a Boolean property stand as a condition on its own, and Power Query
    sends a true/false column's filter that way; the Django translation wants a comparison.
    """
    from odata_query import ast

    if isinstance(node, ast.Identifier):
        prop = entity_set.property(node.name)
        if prop is None or prop.kind != "bool":
            raise QueryError(f"$filter: '{node.name}' is not a true/false property, so it cannot stand as a condition on its own")
        return ast.Compare(ast.Eq(), node, ast.Boolean("true"))
    if isinstance(node, ast.BoolOp):
        return ast.BoolOp(node.op, _booleans_compared(entity_set, node.left), _booleans_compared(entity_set, node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return ast.UnaryOp(node.op, _booleans_compared(entity_set, node.operand))
    return node


def filter_q(entity_set: EntitySet, text: str, model) -> Q:
    # odata_query builds its grammar and loads GeoDjango (and with it GDAL) when imported:
    # a feed query pays for that, not every process that loads the URLs.
    from odata_query.django import AstToDjangoQVisitor
    from odata_query.exceptions import ODataException
    from odata_query.grammar import ODataLexer, ODataParser

    try:
        tree = ODataParser().parse(ODataLexer().tokenize(text))
    except ODataException as exc:
        raise QueryError(_where_unreadable(exc, text)) from None
    if tree is None:
        raise QueryError("$filter is empty")
    names = entity_set.property_names
    for name in _identifiers(tree):
        if name not in names:
            raise QueryError(f"$filter names '{name}', which is not a property of {entity_set.name}")
    try:
        return AstToDjangoQVisitor(model).visit(_booleans_compared(entity_set, tree))
    except ODataException as exc:
        raise QueryError(f"$filter cannot be answered: {exc}") from None


def _where_unreadable(exc: Exception, text: str) -> str:
    """Where a $filter stops being OData, in the analyst's own text, not the parser's tokens."""
    token = getattr(exc, "token", None)
    if token is None or getattr(exc, "eof", False):
        return "$filter could not be read: it ends before it is complete (a value, a quotation mark or a bracket missing?)"
    rest = text[token.index :].strip()[:40]
    return f"$filter could not be read from character {token.index + 1}: {rest!r}"


def _non_negative(name: str, text: str) -> int:
    if not re.fullmatch(r"\d{1,9}", text.strip()):
        raise QueryError(f"{name} must be a whole number of 0 or more")
    return int(text)


def _options_known(params) -> None:
    """Refuse query options the feed does not answer: those it never will, with advice, and any it does not know."""
    known = sorted(k for k in params if k in NOT_IMPLEMENTED)
    if known:
        advice = "; ".join(f"{name}: {how}" for name, how in EXPAND_ADVICE.items()) if "$expand" in known else ""
        raise QueryNotImplementedError(
            f"{', '.join(known)} is not supported by this feed: each entity set is read on its own and related by its Id columns"
            + (f" ({advice})" if advice else "")
        )
    unknown = sorted(k for k in params if k.startswith("$") and k not in SUPPORTED)
    if unknown:
        raise QueryError(f"{', '.join(unknown)} is not supported by this feed")


def _order_read(entity_set: EntitySet, text: str) -> list:
    """$orderby as expressions, ending with Id when it is not named: a total order, so pages neither repeat nor skip rows."""
    names, order, seen_id = entity_set.property_names, [], False
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        m = re.fullmatch(r"(\w+)(?:\s+(asc|desc))?", part, flags=re.IGNORECASE)
        if not m or m.group(1) not in names:
            raise QueryError(f"$orderby '{part}' is not a property of {entity_set.name}, optionally followed by asc or desc")
        expression = F(m.group(1))
        descending = (m.group(2) or "").lower() == "desc"
        order.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_first=True))
        seen_id = seen_id or m.group(1) == "Id"
    return order if seen_id else [*order, F("Id").asc()]


def options_read(entity_set: EntitySet, params, model) -> Options:
    _options_known(params)
    names = entity_set.property_names
    options = Options(select=names)
    if select := params.get("$select", "").strip():
        chosen = [s.strip() for s in select.split(",") if s.strip()]
        for name in chosen:
            if name not in names:
                raise QueryError(f"$select names '{name}', which is not a property of {entity_set.name}")
        options.select = chosen if "*" not in chosen else names
    if text := params.get("$filter", "").strip():
        options.filter = filter_q(entity_set, text, model)
    options.order = _order_read(entity_set, params.get("$orderby", ""))
    if "$top" in params:
        options.top = _non_negative("$top", params["$top"])
    if "$skip" in params:
        options.skip = _non_negative("$skip", params["$skip"])
    count = params.get("$count", "").strip().lower()
    if count not in ("", "true", "false"):
        raise QueryError("$count must be true or false")
    options.count = count == "true"
    return options


def options_apply(queryset: QuerySet, options: Options) -> QuerySet:
    if options.filter is not None:
        queryset = queryset.filter(options.filter)
    return queryset.order_by(*options.order)


def metadata_xml() -> str:
    """The service's CSDL: one entity type and entity set per `ENTITY_SETS` entry."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">',
        "<edmx:DataServices>",
        f'<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{NAMESPACE}">',
    ]
    for entity_set in ENTITY_SETS.values():
        lines.append(f'<EntityType Name="{entity_set.type_name}">')
        lines.append('<Key><PropertyRef Name="Id"/></Key>')
        for prop in entity_set.properties_for(dt.date.today()):
            nullable = "" if prop.nullable else ' Nullable="false"'
            scale = ' Precision="14" Scale="4"' if prop.kind == "decimal" else ""
            lines.append(f"<Property Name={quoteattr(prop.name)} Type={quoteattr(prop.edm_type)}{nullable}{scale}/>")
        lines.append("</EntityType>")
    lines.append('<EntityContainer Name="Feed">')
    for entity_set in ENTITY_SETS.values():
        lines.append(f'<EntitySet Name="{entity_set.name}" EntityType="{NAMESPACE}.{entity_set.type_name}"/>')
    lines += ["</EntityContainer>", "</Schema>", "</edmx:DataServices>", "</edmx:Edmx>"]
    return "\n".join(lines) + "\n"
