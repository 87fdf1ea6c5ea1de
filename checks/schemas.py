"""pandera schemas of the core frames (docs/internals.md §Core frames), one per
source, built from the source declarations (recon/sources/) plus domain checks.

`validate` reports every failing cell as an input problem; its row flows on.
A cell that is not a value as the contract reads it (a type it cannot have,
a label outside its value set) is set to unknown (NA). A value that is only
implausible (人数 0, a negative income, a date far off) stays a value: the
contract does not bound it, and RULES.md's unknown is only an empty cell, so
the rule that reports it (HH01 for 人数 0) must still see it.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from recon.problems import PATH, concat, problems, row_problems
from recon.sources import DATA_SOURCES, SOURCES, Column

DTYPES = {
    "date": "datetime64[ns]", "month": "datetime64[ns]", "yesno": pd.BooleanDtype(),
    "amount": pd.Float64Dtype(), "int": pd.Int64Dtype(), "year": pd.Int64Dtype(),
}
STRING = pd.StringDtype()
# Columns added by recon.normalise beside the canonical ones.
DERIVED = {"_id_raw": STRING, "_id_valid": bool, "_id_problem": STRING, "_name_key": STRING,
           "_cert_category": STRING, "_cert_grade": STRING}

NOT_IN_SET = "不在取值范围内"  # quoted as 不在取值范围内：'xx'; other checks say ，实际为 xx
FIXED_SETS = {"sex": ("男", "女"), "grade": ("A", "B", "C", "D")}
EARLIEST_DATE = pd.Timestamp("1900-01-01")


# Marks a plausibility check: its failures are reported, the value is kept.
KEEPS_VALUE = "只报告，不清空：值照常用于规则"


def _plausible(check: pa.Check) -> pa.Check:
    check.description = KEEPS_VALUE
    return check


def _checks(declared: Column, as_of: dt.date) -> list[pa.Check]:
    """Value-set checks (a failing cell is not a value) and plausibility
    checks (_plausible: the contract states no such bound)."""
    checks = []
    column, kind = declared.name, declared.kind
    if kind == "code" and declared.values:
        checks.append(pa.Check.isin(declared.values, error=NOT_IN_SET))
    if kind in FIXED_SETS:
        checks.append(pa.Check.isin(FIXED_SETS[kind], error=NOT_IN_SET))
    if kind in ("health", "codes"):
        label = "(?:" + "|".join(declared.values) + ")"
        checks.append(pa.Check.str_matches(f"^{label}(?:、{label})*$", error=NOT_IN_SET))
    if kind in ("date", "month"):
        # Only a birth date can never lie after the as-of date; other dates may
        # (an earlier month rerun on a later export, a deregistration just after
        # it), so they are only held to a year beyond it, past which it's a typo.
        latest = pd.Timestamp(as_of) if column == "出生日期" else pd.Timestamp(as_of) + pd.DateOffset(years=1)
        checks.append(_plausible(pa.Check.in_range(EARLIEST_DATE, latest,
                                                   error=f"{column}应在1900-01-01到{latest:%Y-%m-%d}之间")))
    if column == "人数":
        checks.append(_plausible(pa.Check.in_range(1, 30, error="人数应在1到30之间")))
    if declared.minimum is not None:
        least = declared.minimum
        checks.append(_plausible(pa.Check.ge(least, error=f"{column}不应为负数" if least == 0
                                             else f"{column}不应小于{least:g}")))
    if kind == "year":
        checks.append(_plausible(pa.Check.in_range(1990, as_of.year + 1,
                                                   error=f"{column}应在1990到{as_of.year + 1}之间")))
    return checks


def schema_for(source: str, as_of: dt.date, checks: str = "all") -> pa.DataFrameSchema:
    """The core-frame schema of one source at an as-of date (dates may not lie
    after it). `checks`: "all", "values" (dtypes and value sets: failing
    cells are cleared) or "plausibility" (failing cells are only reported)."""
    def wanted(check: pa.Check) -> bool:
        return checks == "all" or (check.description == KEEPS_VALUE) == (checks == "plausibility")

    # The plausibility checks run on the frame the values pass has coerced: no dtypes of their own.
    typed = checks != "plausibility"
    columns = {
        name: pa.Column(DTYPES.get(column.kind, STRING) if typed else None,
                        [c for c in _checks(column, as_of) if wanted(c)], nullable=True, required=False)
        for name, column in SOURCES[source].columns.items()
    }
    if typed:
        columns |= {column: pa.Column(dtype, nullable=column != "_id_valid", required=False)
                    for column, dtype in DERIVED.items()}
    return pa.DataFrameSchema(columns, name=f"core_{source}", coerce=typed, strict=False)


# For showing the schemas (e.g. as Dagster types): dated today.
SCHEMAS: dict[str, pa.DataFrameSchema] = {source: schema_for(source, dt.date.today()) for source in DATA_SOURCES}


def validate(source: str, frame: pd.DataFrame, as_of: dt.date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(frame with the cells that are not values set to NA, the input
    problems of every failing cell; implausible values are kept)."""
    as_of = as_of or dt.date.today()
    index = frame.index
    work, found = _clear_non_values(schema_for(source, as_of, "values"), frame.reset_index(drop=True))
    found.append(_implausible(schema_for(source, as_of, "plausibility"), work))
    found_problems = concat(found).sort_values(["file", "sheet", "row"], kind="stable", ignore_index=True)
    return work.set_axis(index), found_problems


def _clear_non_values(schema: pa.DataFrameSchema, work: pd.DataFrame) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The frame coerced, failing cells reported and set to NA (`work` is
    positionally indexed: failure_cases index = position)."""
    found = []
    # A second pass sees the frame with failing cells cleared: a check that
    # could not even run on an uncoercible column then runs, and only what
    # still fails on the whole frame is reported as such.
    for _ in range(2):
        try:
            work = schema.validate(work, lazy=True)
            break
        except SchemaErrors as errors:
            cases = errors.failure_cases
        on_cells = cases["index"].notna() & cases["column"].notna()
        cell_cases = cases[on_cells].drop_duplicates(["column", "index"])
        found.append(_cell_problems(work, cell_cases))
        for column, failing in cell_cases.groupby("column")["index"]:  # columns, not rows
            work.loc[failing.astype(int).to_numpy(), column] = pd.NA
    else:
        found.append(_frame_problems(work, cases[~on_cells]))
    return work, found


def _implausible(schema: pa.DataFrameSchema, work: pd.DataFrame) -> pd.DataFrame:
    """Problems of the cells the plausibility checks fail; the values stay."""
    try:
        schema.validate(work, lazy=True, inplace=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        on_cells = cases["index"].notna() & cases["column"].notna()
        return concat([_cell_problems(work, cases[on_cells].drop_duplicates(["column", "index"])),
                       _frame_problems(work, cases[~on_cells])])
    return problems()


def _cell_problems(work: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    # Shown as the clerk typed it: no midnight time of a date, no .0 of a whole number.
    value = cases["failure_case"].astype(str).str.replace(r" 00:00:00$|\.0$", "", regex=True)
    check = cases["check"].astype(str)
    text = (check + "，实际为 " + value).where(check != NOT_IN_SET, check + "：'" + value + "'")
    typed = check.str.match(r"(coerce_)?dtype\(")
    text = text.where(~typed, "无法识别的值：'" + value + "'")
    found = []
    for column, group in text.groupby(cases["column"]):  # columns, not rows
        positions = cases.loc[group.index, "index"].astype(int).to_numpy()
        per_row = pd.Series(group.to_numpy(), index=positions).reindex(work.index)
        found.append(row_problems(work, per_row.notna(), column, per_row))
    return concat(found)


def _frame_problems(work: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """A failure not tied to a cell: one file-level problem per file."""
    if cases.empty or PATH not in work.columns:
        return problems()
    files = pd.Series(work[PATH].dropna().unique(), name="file")
    failures = pd.DataFrame({
        "column": cases["column"],
        "problem": (cases["column"].fillna("").astype(str) + " 未通过检查：" + cases["check"].astype(str)).str.strip(),
    }).drop_duplicates()
    return problems(files.to_frame().merge(failures, how="cross").to_dict("records"))
