"""Outputs are whole or not written: every file goes to a temporary name in
the same folder and is renamed over the old one only when complete."""
from __future__ import annotations

import glob
import os
import re
import time
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd


def _file_mode() -> int:
    """The mode an ordinary new file gets under this process's umask (mkstemp
    makes 0600, which would hide the outputs from the rest of the data team)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


@contextmanager
def atomic_path(target: str | Path):
    """Yield a temporary path beside `target`; on success it replaces target."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + ".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _sweep_stale(target)


# A temp file this old was left by a killed run, not one still writing.
STALE_SECONDS = 3600


def _sweep_stale(target: Path) -> None:
    """Remove the hidden temp files a killed run left beside `target`."""
    cutoff = time.time() - STALE_SECONDS
    for leftover in target.parent.glob(f".{glob.escape(target.stem)}.*{glob.escape(target.suffix)}.tmp"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:  # gone already, or not ours to remove
            pass


# Cells Excel would evaluate: = + - @ at the start, also after tab/CR (OWASP CSV injection).
_FORMULA_START = re.compile(r"^[\t\r]*[=+\-@]")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that Excel would read as a formula get a leading apostrophe,
    so a CSV opened in Excel shows them as text (numbers stay numbers)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            text = out[column].astype("string")
            risky = text.str.contains(_FORMULA_START, regex=True).fillna(False)
            if risky.any():
                out[column] = text.mask(risky, "'" + text)
    return out


def write_csv(frame: pd.DataFrame, target: str | Path) -> None:
    """CSV as CONTRACT.md §4 wants it (UTF-8 with BOM, comma), formula-safe, atomic."""
    with atomic_path(target) as tmp:
        neutralise_formulas(frame).to_csv(tmp, index=False, encoding="utf-8-sig")


MAX_NAME_BYTES = 90
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(name: str, fallback: str = "未命名") -> str:
    """A file name that cannot steer the path: no separators, no '..', no
    control or reserved characters, not empty."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", str(name)).strip().strip(".")
    cleaned = cleaned.replace("..", "_")
    # File systems limit a name to 255 bytes, and a CJK character takes 3 in UTF-8:
    # cut by bytes, so county + township + date + temp suffix still fit.
    cleaned = cleaned.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore").strip().strip(".")
    if cleaned.split(".")[0].upper() in WINDOWS_DEVICES:   # CON, NUL … open a device on Windows
        cleaned = "_" + cleaned
    return cleaned or fallback
