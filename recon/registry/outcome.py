"""What recording one run in the registry gives back (Registry.record_run);
free of SQLAlchemy, so the assets that pass it on can name its type
without importing the database layer."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from recon.problems import problems

# The statuses of a reported finding (mismatches.csv); the registry's models take them from here.
REPORTED = ("new", "open", "reopened")


@dataclass
class RunOutcome:
    current: pd.DataFrame     # reported findings: lifecycle.OUTCOME_COLUMNS (+ other input columns)
    resolved: pd.DataFrame    # resolved on this run, last known display fields, status resolved
    suppressed: pd.DataFrame  # found but exempted: lifecycle.OUTCOME_COLUMNS + reason, status suppressed
    history: pd.DataFrame     # as_of, township, open_findings, new, open, reopened, resolved, suppressed
    problems: pd.DataFrame = field(default_factory=problems)  # feedback rows naming unknown issues
    counts: dict = field(default_factory=dict)
    run_id: int | None = None
    # As history, per finding source ("system|medical") instead of township: the bureaus' trends.
    source_history: pd.DataFrame | None = None
