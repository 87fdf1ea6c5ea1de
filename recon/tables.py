"""The table one source of the drop becomes (docs/internals.md §Core frames):
its validated core frame — None when the folder is absent — with the input
problems, reader notes and files behind it. What core_<source> hands on,
what the Parquet cache stores and what the sidecar process prepares."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from recon import problems as P


@dataclass
class CoreTable:
    source: str
    frame: pd.DataFrame | None
    problems: pd.DataFrame = field(default_factory=P.problems)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)   # paths read, relative to the drop
    seconds: dict[str, float] = field(default_factory=dict)   # stage → seconds spent making it (read, normalise, …)
    # Cells the pandera schema failed, per column (what the schema's asset check reports).
    schema_failures: dict[str, int] = field(default_factory=dict)

    @property
    def present(self) -> bool:
        return self.frame is not None
