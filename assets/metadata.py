"""Dagster metadata that is safe to show: counts, markdown tables and
previews with 证件号码 and names masked (personal data stays in the files)."""
from __future__ import annotations

import pandas as pd
from dagster import MetadataValue

from recon.ids import mask_id, mask_ids_in
from recon.markdown import markdown_table

ID_COLUMNS = ("证件号码", "户主证件号码", "id_number")
NAME_COLUMNS = ("姓名", "name", "head_name")
HIDDEN = ("_id_raw", "_name_key", "_num_证件号码", "_num_户主证件号码", "_path")


def masked_preview(frame: pd.DataFrame | None, rows: int = 5) -> MetadataValue:
    if frame is None or frame.empty:
        return MetadataValue.md("（无数据）")
    # head first: dropping columns of the whole frame would copy every row.
    shown = frame.head(rows).drop(columns=[c for c in HIDDEN if c in frame.columns])
    for column in ID_COLUMNS:
        if column in shown.columns:
            shown[column] = mask_id(shown[column])
    for column in NAME_COLUMNS:
        if column in shown.columns:
            names = shown[column].astype("string")
            shown[column] = names.str.slice(0, 1) + names.str.slice(1).str.replace(r".", "*", regex=True)
    # IDs also sit in free text: ID01's raw cell in actual, a suggested ID in expected, messages.
    # Cell by cell: a handful of rows, and a vectorised call per column costs more than its cells.
    shown = shown.astype("string").map(lambda text: "" if text is pd.NA else mask_ids_in(text))
    return MetadataValue.md(markdown_table(shown))


def counts_table(counts: pd.DataFrame) -> MetadataValue:
    return MetadataValue.md(markdown_table(counts) if len(counts) else "（无）")
