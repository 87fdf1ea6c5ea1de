"""The ledger–system comparison, timed two ways on the same core frames:
recon's (match people into households + the identity rules, RULES.md) and
datacompy's PandasCompare joined on 证件号码 — what a data engineer would
reach for instead. Only the comparison is timed, not the reading or the
imports; each side runs five times (timeit's default) and its fastest run counts."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from bench.drops import AS_OF


def core_frames(drop: Path) -> dict[str, pd.DataFrame]:
    """system and ledger as the pipeline has them after normalise + validate."""
    from checks.core import core_table
    return {source: core_table(drop, source, AS_OF).frame for source in ("system", "ledger")}


def recon_comparison(system: pd.DataFrame, ledger: pd.DataFrame) -> tuple[float, int]:
    from checks.rules.context import matched_context
    from checks.rules.run import load_catalog, run_rules
    from recon.settings import Settings
    load_catalog()  # imports, as datacompy's import, are not the comparison
    started = time.perf_counter()
    ctx = matched_context({"system": system, "ledger": ledger}, Settings(), AS_OF, "bench")
    found = run_rules(ctx, groups=("identity",)).findings
    return time.perf_counter() - started, len(found)


def datacompy_comparison(system: pd.DataFrame, ledger: pd.DataFrame) -> tuple[float, int]:
    import datacompy
    # The data columns only: provenance and recon's helper columns (leading "_") would differ by design.
    data = lambda frame: frame[[c for c in frame.columns if not c.startswith("_")]]
    started = time.perf_counter()
    compared = datacompy.PandasCompare(data(ledger), data(system), join_columns="证件号码",
                                       df1_name="ledger", df2_name="system", cast_column_names_lower=False)
    differing = int(len(compared.df1_unq_rows) + len(compared.df2_unq_rows)
                    + (~compared.intersect_rows.filter(like="_match").all(axis=1)).sum())
    return time.perf_counter() - started, differing


def best_of(runs: int, measure, *frames) -> tuple[float, int]:
    """The fastest of `runs` calls (timeit's rule: the others measured the
    machine, not the code), with the result of the last."""
    timings = [measure(*frames) for _ in range(runs)]
    return min(seconds for seconds, _ in timings), timings[-1][1]


def compare(drop: Path, runs: int = 5) -> dict:
    frames = core_frames(drop)
    recon_seconds, findings = best_of(runs, recon_comparison, frames["system"], frames["ledger"])
    datacompy_seconds, differing = best_of(runs, datacompy_comparison, frames["system"], frames["ledger"])
    return {"recon": recon_seconds, "recon_findings": findings, "datacompy": datacompy_seconds,
            "datacompy_differing_rows": differing, "system_rows": len(frames["system"]),
            "ledger_rows": len(frames["ledger"]), "runs": runs}
