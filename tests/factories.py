"""Small core frames for rule tests, shaped as recon.normalise shapes them
(docs/internals.md): typed columns, provenance and ID fields.

Values are given already normalised ('是' → True is the normaliser's job and
is tested there)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from recon.sources import SOURCES
from recon.ids import check_chars, normalise_ids

AS_OF = dt.date(2025, 6, 30)

DTYPES = {"date": "datetime64[ns]", "month": "datetime64[ns]", "yesno": "boolean", "amount": "Float64",
          "int": "Int64", "year": "Int64"}


def make_id(region: str = "430321", birth: str = "19900101", seq: str = "123") -> str:
    """A valid 18-digit ID with the right check digit."""
    first17 = region + birth + seq
    return first17 + check_chars(pd.Series([first17])).iloc[0]


def core(source: str, rows: list[dict], columns: list[str] | None = None, as_of: dt.date = AS_OF,
         file: str = "x.xlsx") -> pd.DataFrame:
    """A core frame of `source` from records keyed by canonical names."""
    kind = SOURCES[source].kinds()
    frame = pd.DataFrame.from_records(rows)
    for column in columns or []:
        if column not in frame.columns:
            frame[column] = None
    for column in frame.columns:
        dtype = DTYPES.get(kind.get(column, "text"), "string")
        if dtype.startswith("datetime"):
            frame[column] = pd.to_datetime(frame[column])
        else:
            frame[column] = frame[column].astype(dtype)
    if "证件号码" in frame.columns:
        ids = normalise_ids(frame["证件号码"], as_of)
        frame["_id_raw"] = frame["证件号码"].fillna("").astype("string")
        frame["证件号码"], frame["_id_valid"], frame["_id_problem"] = ids["id"], ids["valid"], ids["problem"]
    if "姓名" in frame.columns:
        frame["_name_key"] = frame["姓名"].str.replace(r"\s+", "", regex=True).str.replace(r"[•‧・．]", "·", regex=True)
    frame["_path"] = f"{source}/{file}"
    frame["_file"] = f"{file}#Sheet1"
    frame["_sheet"] = "Sheet1"
    frame["_row"] = pd.array(range(2, len(frame) + 2), dtype="Int64")
    return frame


def core_from_cells(source, rows: list[dict], as_of: dt.date = AS_OF, file: str = "x.xlsx") -> pd.DataFrame:
    """A core frame of `source` (a name, or a county's declaration with its
    own columns: Settings.source) from cells as a workbook holds them (text:
    之子, 是/否, 138-1234-5678, 因病、缺劳动力), made by the pipeline's own
    normalise and validate (checks/core.py)."""
    from checks.core import core_from_read
    from recon.problems import problems as no_problems
    from recon.read import ReadResult
    raw = pd.DataFrame.from_records(rows).astype(object).where(lambda f: f.notna(), "").astype(str)
    raw["_path"] = f"{getattr(source, 'name', source)}/{file}"
    raw["_file"] = f"{file}#Sheet1"
    raw["_sheet"] = "Sheet1"
    raw["_row"] = range(2, len(raw) + 2)
    return core_from_read(ReadResult(raw, no_problems()), source, as_of).frame
