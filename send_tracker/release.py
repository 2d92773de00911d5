"""Which install and release of the code is running, so a cached page is served only to the install and release that built it.

A deployment may name it (RELEASE, e.g. the image's tag, the cache's KEY_PREFIX);
otherwise it is a digest of the source files' names, sizes and modification
times, read once, when the process first uses the cache (a few hundred `stat`
calls), not at start-up. Every cache key starts with it, so a new release starts
with an empty cache, whichever cache backend is in use.

In front of the release goes the deployment: DEPLOYMENT_NAME when set, otherwise
a digest of the database's name, host and port. Two installs of one release
that share a Redis (a staging and a live site, two councils) have different
databases, so neither is ever served the other's cached dashboards.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

SOURCE_SUFFIXES = (".py", ".html", ".txt", ".scss")
SKIPPED_FOLDERS = {".venv", "node_modules", ".git", ".pgdata", "staticfiles", "__pycache__", "tests", "bench"}


def source_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(_source_files(root)):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:12]


def _source_files(folder: Path):
    for entry in folder.iterdir():
        if entry.is_dir():
            if entry.name not in SKIPPED_FOLDERS and not entry.name.startswith("."):
                yield from _source_files(entry)
        elif entry.suffix in SOURCE_SUFFIXES:
            yield entry


@functools.cache
def running_release() -> str:
    return source_digest(ROOT)


@functools.lru_cache(maxsize=8)
def database_digest(name: str, host: str, port: str) -> str:
    return hashlib.sha256(f"{name}\0{host}\0{port}".encode()).hexdigest()[:12]


def running_deployment() -> str:
    """DEPLOYMENT_NAME, or a digest of where the database is: the same for every process of one install."""
    if settings.DEPLOYMENT_NAME:
        return settings.DEPLOYMENT_NAME
    database = settings.DATABASES["default"]
    return database_digest(str(database.get("NAME", "")), str(database.get("HOST", "")), str(database.get("PORT", "")))


def cache_key(key: str, key_prefix: str, version: int) -> str:
    """The caches' KEY_FUNCTION: Django's own key, with the deployment and the release (named or digested) in front."""
    return f"{running_deployment()}:{key_prefix or running_release()}:{version}:{key}"
