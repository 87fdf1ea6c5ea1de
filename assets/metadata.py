"""Dagster metadata that is safe to show: counts, markdown tables and
previews with 证件号码, names and phone numbers masked and health hidden
(personal data stays in the files)."""
from __future__ import annotations

import pandas as pd
from dagster import MetadataValue

from recon.ids import mask_id, mask_ids_in, mask_phone
from recon.markdown import markdown_table

ID_COLUMNS = ("证件号码", "户主证件号码", "id_number")
NAME_COLUMNS = ("姓名", "name", "head_name")
PHONE_COLUMNS = ("户联系电话", "成员联系电话")
# Health and disability are personal data too: a preview shows only whether a cell holds a value.
HEALTH_COLUMNS = ("健康状况", "残疾类别", "残疾等级", "disability_category", "disability_grade")
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
    for column in PHONE_COLUMNS:
        if column in shown.columns:
            shown[column] = mask_phone(shown[column])
    for column in HEALTH_COLUMNS:
        if column in shown.columns:
            shown[column] = shown[column].astype("string").where(shown[column].isna(), "＊")
    # IDs also sit in free text: ID01's raw cell in actual, a suggested ID in expected, messages.
    # Cell by cell: a handful of rows, and a vectorised call per column costs more than its cells.
    shown = shown.astype("string").map(lambda text: "" if text is pd.NA else mask_ids_in(text))
    return MetadataValue.md(markdown_table(shown))


def counts_table(counts: pd.DataFrame) -> MetadataValue:
    return MetadataValue.md(markdown_table(counts) if len(counts) else "（无）")


# Run tags a data team filters runs by in the UI (Runs → filter `recon/county:…`);
# Dagster adds `dagster/partition` for a county partition itself.
COUNTY_TAG = "recon/county"
AS_OF_TAG = "recon/as_of"


def run_tags(county: str | None, as_of: str) -> dict[str, str]:
    """The tags `recon run` launches a run with (the county is known then
    only for a county partition)."""
    return {AS_OF_TAG: as_of, **({COUNTY_TAG: county} if county else {})}


def tag_run(context, county: str, as_of: str) -> None:
    """Tag the run with its county and as-of date once they are known, however
    it was launched (recon run, the UI, the schedule, the sensor)."""
    wanted = {COUNTY_TAG: county, AS_OF_TAG: as_of}
    tags = context.run.tags
    missing = {key: value for key, value in wanted.items() if value and tags.get(key) != value}
    if missing:
        context.instance.add_run_tags(context.run.run_id, missing)
