"""Where a drop's counties are (CONTRACT.md §2): `DIR/system/…` is one
county; `DIR/<county>/system/…` holds several. Free of Dagster, so that
`recon run` can look before it imports the graph."""
from __future__ import annotations

from pathlib import Path

from recon.sources import REQUIRED_SOURCES


def _is_county_folder(folder: Path) -> bool:
    return folder.is_dir() and not folder.name.startswith((".", "~$")) and any(
        (folder / source).is_dir() for source in REQUIRED_SOURCES)


def counties(data_dir: str | Path) -> list[str]:
    """The county subfolders of a multi-county drop, sorted; [] for a
    single-county drop (DIR/system/ directly) or a missing folder."""
    data = Path(data_dir)
    if not data.is_dir() or any((data / source).is_dir() for source in REQUIRED_SOURCES):
        return []
    return sorted(folder.name for folder in data.iterdir() if _is_county_folder(folder))


def source_present(drop: Path, source: str) -> bool:
    folder = Path(drop) / source
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))


def biggest_first(drop: Path, sources) -> list[str]:
    """The sources by the size of their folder's files, biggest first: the
    order in which reading them is most work (ties keep the given order)."""
    def size(source: str) -> int:
        return sum(p.stat().st_size for p in (Path(drop) / source).rglob("*") if p.is_file())
    return sorted(sources, key=lambda source: -size(source))
