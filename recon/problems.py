"""Input problems (CONTRACT.md §4 input_problems.csv): every row or file that
could not be read as data, with where it is and what is wrong, in plain words.

Stages return problem frames; nothing raises on bad input."""
from __future__ import annotations

import pandas as pd

PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "problem"]
# Provenance columns every raw and normalised source frame carries.
PATH, FILE, SHEET, ROW = "_path", "_file", "_sheet", "_row"
PROVENANCE = [PATH, FILE, SHEET, ROW]


def problems(records: list[dict] | None = None) -> pd.DataFrame:
    """A problem frame from records with (a subset of) PROBLEM_COLUMNS.
    `file` is the path relative to the data drop; row is the row the user sees
    (Excel sheet row or CSV line, 1-based), empty for file-level problems."""
    frame = pd.DataFrame.from_records(records or [], columns=PROBLEM_COLUMNS)
    frame["row"] = pd.array(frame["row"], dtype="Int64")
    return frame.astype({"file": "string", "sheet": "string", "column": "string", "problem": "string"})


def row_problems(frame: pd.DataFrame, mask: pd.Series, column: str, problem: str | pd.Series) -> pd.DataFrame:
    """Problems for the rows of a source frame selected by `mask` (vectorised):
    the location comes from the frame's provenance columns."""
    hit = frame.loc[mask]
    text = problem.loc[mask] if isinstance(problem, pd.Series) else problem
    out = pd.DataFrame({
        "file": hit[PATH].astype("string"),
        "sheet": hit[SHEET].astype("string"),
        "row": hit[ROW].astype("Int64"),
        "column": column,
        "problem": text,
    })
    return out.reset_index(drop=True).astype({"column": "string", "problem": "string"})


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None and len(f)]
    return pd.concat(frames, ignore_index=True) if frames else problems()
