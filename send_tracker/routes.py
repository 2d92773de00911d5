"""Address patterns grouped under one prefix, as the apps' URL confs write them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path


def under(prefix: str, *patterns: URLPattern | URLResolver) -> URLResolver:
    """The patterns, each at `prefix` followed by its own route: `path(prefix, include([...]))` in one call."""
    return path(prefix, include(list(patterns)))
