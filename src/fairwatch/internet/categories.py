"""The category lists a Fairwatch install uses: compiled once into an index under var/, from
UT1 lists the IT manager imports (a folder or a tarball, or downloaded), or else from the
small seed list Fairwatch ships for the demo school."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from fairwatch.weblogs import categories as engine
from fairwatch.weblogs.categories import CategoryIndex

INDEX_NAME = "index.fwcat"


def folder() -> Path:
    return Path(settings.VAR_DIR) / "categories"


def index_path() -> Path:
    return folder() / INDEX_NAME


def seed_index_path() -> Path:
    return folder() / "seed.fwcat"


def installed() -> CategoryIndex:
    """The imported lists' index; the seed list's when none has been imported."""
    path = index_path()
    if path.exists():
        return _load(path, path.stat().st_mtime_ns)
    seed = seed_index_path()
    if not seed.exists():
        seed.parent.mkdir(parents=True, exist_ok=True)
        engine.compile(engine.seed_path(), seed)
    return _load(seed, seed.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _load(path: Path, mtime_ns: int) -> CategoryIndex:
    return CategoryIndex.load(path)


def import_lists(source: Path, progress: Callable[[int], None] | None = None):
    """Compile a UT1 folder or tarball into the installed index. The new index replaces the
    old one whole once it is complete, so an ingest running meanwhile keeps the lists it
    started with, and a bad source leaves the installed lists as they were."""
    target = index_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    report = engine.compile(Path(source), target, progress=progress)
    _load.cache_clear()
    return report


def update_from(where: str, progress: Callable[[int], None] | None = None):
    """`categories update --from`: a path, or an http(s) address of a UT1 tarball (downloaded
    under var/categories/downloads/ first)."""
    return import_lists(engine.fetch(where, folder() / "downloads"), progress)
