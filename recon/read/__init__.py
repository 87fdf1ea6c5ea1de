"""Reading the data drop (CONTRACT.md §2) into raw frames (docs/internals.md
§Raw frames): one DataFrame per source, every value as text, with provenance.

Nothing raises on a bad file: it becomes a file-level problem and the other
files are still read.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recon.problems import FILE, PATH, ROW, SHEET, concat, problems
from recon.read.files import EMPTY, FileProblem, Loaded, load, source_files
from recon.read.sheet import data_rows, find_header
from recon.sources import Source, source as declaration

__all__ = ["ReadResult", "read_source", "read_table", "source_files"]

log = logging.getLogger(__name__)
UNOPENABLE = "文件无法打开（可能正被其他程序占用或没有权限），已跳过"
HEADER_ONLY = "只有表头，没有数据行（文件中没有可读取的数据）"
READ_FAILED = "读取这个文件时出错，已跳过（请检查文件能否用Excel正常打开）"


@dataclass
class ReadResult:
    frame: pd.DataFrame
    problems: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)   # paths read, relative to the drop


def read_source(drop: Path, source: str | Source) -> ReadResult:
    """Every data file under `drop/<source>/` as one raw frame (`source` by
    name, or a county's declaration: its own columns are read too)."""
    drop = Path(drop)
    declared = declaration(source)
    files, notes = source_files(drop / declared.name)
    result = read_table(files, drop, declared.aliases(), declared.key_columns, declared.id_columns())
    result.notes[:0] = notes
    return result


def read_table(files: list[Path], root: Path, aliases: dict[str, str], key_columns: tuple[str, ...],
               id_columns: tuple[str, ...] = ()) -> ReadResult:
    """The given files as one raw frame. `aliases` maps header_key(name) →
    canonical; the header is the first row holding all `key_columns`; cells of
    `id_columns` also get a `_num_<col>` flag (was a number cell)."""
    root = Path(root)
    paths = list(map(Path, files))
    shown_files = [p.relative_to(root).as_posix() if p.is_relative_to(root) else p.name for p in paths]
    frames, found, notes = [], [], []
    # calamine parses without the GIL: the next file loads in a thread while
    # this one is mapped and rendered. One file ahead keeps memory at two files.
    with ThreadPoolExecutor(max_workers=1) as loader:
        upcoming = loader.submit(load, paths[0], shown_files[0]) if paths else None
        for index, (path, shown) in enumerate(zip(paths, shown_files)):
            loading = upcoming
            if index + 1 < len(paths):
                upcoming = loader.submit(load, paths[index + 1], shown_files[index + 1])
            file_frames, file_problems, file_notes = _read_loaded(loading, path, shown, aliases, key_columns,
                                                                   id_columns)
            frames += file_frames
            found += file_problems
            notes += file_notes
    return ReadResult(_assemble(frames, aliases, id_columns), concat([problems(found)]), notes, shown_files)


def _read_loaded(loading: Future, path: Path, shown: str, aliases: dict[str, str], key_columns: tuple[str, ...],
                 id_columns: tuple[str, ...]) -> tuple[list[pd.DataFrame], list[dict], list[str]]:
    """One file from its load in progress; never raises: a bad file is a problem."""
    try:
        return _read_file(loading.result(), path, shown, aliases, key_columns, id_columns)
    except FileProblem as exc:
        return [], [{"file": shown, "problem": str(exc)}], []
    except OSError:
        return [], [{"file": shown, "problem": UNOPENABLE}], []
    except Exception as exc:  # a reader bug must not stop the county's run: report the file, go on
        log.warning("reading %s failed: %s", shown, type(exc).__name__)
        return [], [{"file": shown, "problem": READ_FAILED}], []


def _read_file(loaded: Loaded, path: Path, shown: str, aliases: dict[str, str], key_columns: tuple[str, ...],
               id_columns: tuple[str, ...]) -> tuple[list[pd.DataFrame], list[dict], list[str]]:
    """One loaded file: its sheets read, its problems, its notes."""
    frames, found, notes, misses, header_only = [], [], list(loaded.notes), [], []
    for grid in loaded.grids:
        where = f"{shown} 工作表「{grid.sheet}」" if loaded.is_excel else shown
        header = find_header(grid.cells, aliases, key_columns)
        if header.row is None:
            misses.append((grid, header, where))
            continue
        found += [{"file": shown, "sheet": grid.sheet, "row": header.row, "problem": text}
                  for text in header.duplicates]
        rows = data_rows(grid.cells, header, key_columns, id_columns)
        rows[PATH] = shown
        rows[FILE] = f"{path.name}#{grid.sheet}" if loaded.is_excel else path.name
        rows[SHEET] = grid.sheet
        rows[ROW] = rows.index.astype("int64")
        if rows.empty:
            notes.append(f"{where}只有表头，没有数据行")
            header_only.append({"file": shown, "sheet": grid.sheet, "row": header.row, "problem": HEADER_ONLY})
        else:
            rows.index = pd.RangeIndex(len(rows))  # not reset_index: that copies every column
            frames.append(rows)
    if header_only and not frames:  # a file sent without any data: the clerk should know it was empty
        found.append(header_only[0] if len(header_only) == 1 else {"file": shown, "problem": HEADER_ONLY})
    if len(misses) < len(loaded.grids):  # extra sheets of a workbook with data: 说明, 汇总, empty Sheet2
        notes += [f"{where}不是数据表（{_why(grid, header)}），已跳过" for grid, header, where in misses]
    elif all(grid.cells.empty for grid, _, _ in misses):
        found.append({"file": shown, "problem": EMPTY})
    else:
        grid, header, _ = min(((g, h, w) for g, h, w in misses if not g.cells.empty), key=lambda m: len(m[1].missing))
        sheet = grid.sheet if len(misses) == 1 else ""
        found.append({"file": shown, "sheet": sheet, "problem": f"找不到表头：{_why(grid, header)}，整个文件已跳过"})
    return frames, found, notes


def _why(grid, header) -> str:
    return "空的" if grid.cells.empty else "缺少关键列 " + "、".join(header.missing)


def _assemble(frames: list[pd.DataFrame], aliases: dict[str, str], id_columns: tuple[str, ...]) -> pd.DataFrame:
    """One frame; a canonical column absent in one file is "" for its rows."""
    canonical_order = list(dict.fromkeys(aliases.values()))
    present = {c for f in frames for c in f.columns}
    columns = [c for c in canonical_order if c in present]
    flags = [f"_num_{c}" for c in id_columns if c in present]
    order = columns + flags + [PATH, FILE, SHEET, ROW]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in order}).astype({ROW: "int64"})
    full = [f.reindex(columns=order, fill_value="") if list(f.columns) != order else f for f in frames]
    frame = pd.concat(full, ignore_index=True) if len(full) > 1 else full[0]
    for flag in flags:  # "" filled in above for files without that ID column
        frame[flag] = frame[flag].eq(True)
    # Already int64 from every file: astype would copy the whole frame for nothing.
    return frame if frame[ROW].dtype == "int64" else frame.astype({ROW: "int64"})
