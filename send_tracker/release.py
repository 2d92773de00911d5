"""Which release of the code is running, so a cached page built by an older release is never served.

A deployment may name it (RELEASE, e.g. the image's tag); otherwise it is a
digest of the source files' names, sizes and modification times, read once at
start-up (a few hundred `stat` calls). Every cache key starts with it, so a new
release starts with an empty cache, whichever cache backend is in use.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

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
