"""The one way a source becomes its core table: read (recon/read) →
normalise (recon/normalise.py) → validate (checks/schemas.py). The core
asset, the sidecar process, the benchmark and the tests all call these."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from checks.schemas import validate
from recon import problems as P
from recon.normalise import normalise
from recon.read import ReadResult, read_source
from recon.sources import Source, source as declaration
from recon.tables import CoreTable


def core_table(drop: Path, source: str | Source, as_of: dt.date) -> CoreTable:
    """drop/<source>/ as a validated core table, with the seconds each stage
    took (`source` by name, or a county's declaration with its own columns)."""
    started = time.perf_counter()
    read = read_source(drop, source)
    table = core_from_read(read, source, as_of)
    table.seconds = {"read": time.perf_counter() - started - sum(table.seconds.values()), **table.seconds}
    return table


def core_from_read(read: ReadResult, source: str | Source, as_of: dt.date) -> CoreTable:
    """What normalise and validate make of files already read."""
    started = time.perf_counter()
    frame, parse_problems = normalise(source, read.frame, as_of)
    normalised = time.perf_counter()
    source = declaration(source).name
    frame, schema_problems = validate(source, frame, as_of)
    validated = time.perf_counter()
    failures = schema_problems.groupby("column").size().to_dict() if len(schema_problems) else {}
    return CoreTable(source, frame, P.concat([read.problems, parse_problems, schema_problems]), read.notes,
                     read.files, seconds={"normalise": normalised - started, "validate": validated - normalised},
                     schema_failures={str(column): int(cells) for column, cells in failures.items()})
