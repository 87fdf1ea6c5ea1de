"""recon/read/prefetch.py: a source prepared in recon run's worker process is
the core table core_<source> would compute itself (docs/internals.md §Core frames)."""
import datetime as dt

import pandas as pd

from checks.schemas import validate
from recon.normalise import normalise
from recon.read import prefetch, read_source
from tiny_drop import write_drop

AS_OF = dt.date(2025, 6, 30)


def test_a_source_prepared_in_the_worker_equals_the_one_computed_here(tmp_path):
    drop = write_drop(tmp_path / "drop", households=6)
    prefetch.start(drop, ["system"], AS_OF)
    try:
        prepared = prefetch.take(drop, "system")
        assert prefetch.take(drop, "ledger") is None   # not handed to the worker
    finally:
        prefetch.stop()
    frame, _ = validate("system", normalise("system", read_source(drop, "system").frame, AS_OF)[0], AS_OF)
    pd.testing.assert_frame_equal(prepared.frame, frame)
    assert prepared.files == ["system/members.csv"]


def test_nothing_is_taken_after_stop(tmp_path):
    drop = write_drop(tmp_path / "drop")
    prefetch.start(drop, ["system"], AS_OF)
    prefetch.stop()
    assert prefetch.take(drop, "system") is None
