"""Dataset-level expectations (GX Core 1.x): one suite per source, validated
on the core frames of every run, Data Docs written to OUT/data_docs/.

- row count within ±tolerance of the previous run's count for that source
  (counts kept in OUT/.recon/row_counts.json),
- completeness of the key columns (mostly KEY_COMPLETENESS not null),
- coded columns within their value sets (the source declarations, recon/sources).

Personal columns reach GX only as a "present" marker, and result_format
renders no unexpected values: no ID number or name can end up in the docs.
GX imports slowly (seconds): it is imported inside `validate_sources` only."""
from __future__ import annotations

import json
import math
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recon.atomic import atomic_path
from recon.sources import SOURCES

KEY_COMPLETENESS = 0.95
DEFAULT_ROW_COUNT_TOLERANCE = 0.20
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 0, "include_unexpected_rows": False}
PERSONAL_KINDS = ("id", "name")
PRESENT = "•"


@dataclass
class SourceValidation:
    source: str
    success: bool
    evaluated: int                    # expectations run
    failed: list[dict] = field(default_factory=list)   # expectation, column, observed (no personal data)
    previous_rows: int | None = None
    rows: int = 0


def row_counts_path(out_dir: Path) -> Path:
    return Path(out_dir) / ".recon" / "row_counts.json"


def previous_row_counts(out_dir: Path) -> dict[str, int]:
    path = row_counts_path(out_dir)
    try:
        return {k: int(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def save_row_counts(out_dir: Path, counts: dict[str, int]) -> None:
    merged = previous_row_counts(out_dir) | counts
    with atomic_path(row_counts_path(out_dir)) as tmp:
        tmp.write_text(json.dumps(merged, ensure_ascii=False, indent=1), encoding="utf-8")


def shown_frame(source: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The columns the suite looks at; personal columns only as a marker of
    presence, so nothing personal can be rendered."""
    declared = SOURCES[source]
    kind = declared.kinds()
    wanted = [c for c in frame.columns if c in kind and (c in declared.key_columns or c in declared.coded())]
    shown = frame[wanted].copy()
    for column in wanted:
        if kind[column] in PERSONAL_KINDS:
            shown[column] = shown[column].notna().map({True: PRESENT, False: None})
    return shown


def build_suite(gx, source: str, frame: pd.DataFrame, previous_rows: int | None, tolerance: float):
    suite = gx.ExpectationSuite(name=f"recon_{source}")
    if previous_rows:
        suite.add_expectation(gx.expectations.ExpectTableRowCountToBeBetween(
            min_value=math.floor(previous_rows * (1 - tolerance)),
            max_value=math.ceil(previous_rows * (1 + tolerance))))
    declared = SOURCES[source]
    for column in declared.key_columns:
        if column in frame.columns:
            suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column=column, mostly=KEY_COMPLETENESS))
    for column, coded in declared.coded().items():
        if column in frame.columns:
            suite.add_expectation(gx.expectations.ExpectColumnValuesToBeInSet(column=column, value_set=list(coded.values)))
    return suite


def _failed(result) -> list[dict]:
    failed = []
    for r in result.results:
        if r.success:
            continue
        config = r.expectation_config
        observed = r.result.get("observed_value")
        if observed is None and "unexpected_percent" in r.result:
            observed = f"{r.result['unexpected_percent']:.1f}% unexpected"
        failed.append({"expectation": config.type, "column": config.kwargs.get("column", ""),
                       "observed": "" if observed is None else str(observed)})
    return failed


def preload() -> None:
    """Start importing GX (seconds of Python) in a background thread, so that
    it overlaps the reading of the drop instead of following it; the first
    `import great_expectations` of the run then waits for it or finds it done.
    Called by `recon run` before the job starts when it has no helper process
    (which imports GX itself, off this process's interpreter lock)."""
    threading.Thread(target=import_gx, name="recon-gx-import", daemon=True).start()


def _quiet_gx() -> None:
    """Counties' networks are closed: GX must not try to send usage statistics."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def import_gx() -> None:
    _quiet_gx()
    try:
        import great_expectations  # noqa: F401
    except Exception:   # the check's own import reports it where it is used
        pass


def context_for_docs(docs_dir: Path):
    """An ephemeral GX context (nothing stored beside OUT) whose one Data
    Docs site is docs_dir; progress bars off to keep recon's display clean."""
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    for site in list(context.get_config().data_docs_sites or {}):
        context.delete_data_docs_site(site)
    context.add_data_docs_site("recon", {
        "class_name": "SiteBuilder", "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
    return gx, context


class Validation:
    """One run's validation: sources added one at a time, then Data Docs and
    the row counts for the next run (`finish`)."""

    def __init__(self, out_dir: Path, tolerance: float = DEFAULT_ROW_COUNT_TOLERANCE):
        self.out_dir, self.tolerance = Path(out_dir), tolerance
        self.docs_dir = self.out_dir / "data_docs"
        shutil.rmtree(self.docs_dir, ignore_errors=True)  # only this run's results, never stale pages
        self.gx, self.context = context_for_docs(self.docs_dir)
        self.previous = previous_row_counts(self.out_dir)
        self.datasource = self.context.data_sources.add_pandas("recon")
        self.results: dict[str, SourceValidation] = {}

    def add(self, source: str, frame: pd.DataFrame) -> None:
        gx, shown = self.gx, shown_frame(source, frame)
        batch = self.datasource.add_dataframe_asset(name=source).add_batch_definition_whole_dataframe("run")
        suite = self.context.suites.add(build_suite(gx, source, shown, self.previous.get(source), self.tolerance))
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=f"recon_{source}", data=batch, suite=suite))
        result = definition.run(batch_parameters={"dataframe": shown}, result_format=RESULT_FORMAT)
        self.results[source] = SourceValidation(source, bool(result.success), len(result.results), _failed(result),
                                                self.previous.get(source), len(frame))

    def finish(self) -> tuple[dict[str, SourceValidation], Path]:
        self.context.build_data_docs()
        # An empty (broken) source keeps the last good count as the baseline.
        save_row_counts(self.out_dir, {source: r.rows for source, r in self.results.items() if r.rows})
        return self.results, self.docs_dir / "index.html"


def validate_sources(frames: dict[str, pd.DataFrame | None], out_dir: Path,
                     tolerance: float = DEFAULT_ROW_COUNT_TOLERANCE) -> tuple[dict[str, SourceValidation], Path]:
    """Validate every present source; (results per source, Data Docs index).
    Absent sources (None) are not validated. Row counts are saved for the next run."""
    validation = Validation(out_dir, tolerance)
    for source, frame in frames.items():
        if frame is not None:
            validation.add(source, frame)
    return validation.finish()


# --- In the run's sidecar process (assets/resources.py Sidecar) -------------
# Each core_<source> `offer`s its frame as soon as it exists, so the sidecar
# validates while the run goes on; the great_expectations check `validate`s:
# it collects the sidecar's results, or validates here. The sidecar is a
# process of its own for one run: its open validations are that process's state.
_OPEN: dict[str, Validation] = {}     # in the sidecar: validations under way, by output folder


def offer(sidecar, source: str, frame: pd.DataFrame | None, out_dir: Path,
          tolerance: float = DEFAULT_ROW_COUNT_TOLERANCE) -> None:
    """Hand one core frame to the sidecar's validation (only the columns the
    suite reads, personal ones as markers); nothing without a sidecar."""
    if frame is not None and sidecar.submit(_add_in_sidecar, str(out_dir), tolerance, source,
                                            shown_frame(source, frame)) is not None:
        sidecar.note_offer(out_dir, source)


def _add_in_sidecar(out_dir: str, tolerance: float, source: str, shown: pd.DataFrame) -> None:
    if out_dir not in _OPEN:
        _OPEN[out_dir] = Validation(Path(out_dir), tolerance)
    _OPEN[out_dir].add(source, shown)


def _finish_in_sidecar(out_dir: str, sources: set[str]):
    validation = _OPEN.pop(out_dir, None)
    if validation is None or set(validation.results) != sources:   # an offer failed there: validate anew
        return None
    return validation.finish()


def validate(sidecar, frames: dict[str, pd.DataFrame | None], out_dir: Path,
             tolerance: float = DEFAULT_ROW_COUNT_TOLERANCE) -> tuple[dict[str, SourceValidation], Path]:
    """validate_sources' answer: the sidecar's (offered sources, else the whole
    validation sent there), else computed here."""
    present = {source for source, frame in frames.items() if frame is not None}
    done = None
    if sidecar is not None and sidecar.active:
        if sidecar.offers(out_dir) == present:
            done = sidecar.run(_finish_in_sidecar, str(out_dir), present)
        if done is None:
            shown = {source: None if frame is None else shown_frame(source, frame) for source, frame in frames.items()}
            done = sidecar.run(validate_sources, shown, Path(out_dir), tolerance)
    return done if done is not None else validate_sources(frames, out_dir, tolerance)
