"""recon/helper.py: a source prepared in recon run's helper process is
the core table core_<source> would compute itself (docs/internals.md §Core frames)."""
import datetime as dt

import pandas as pd

from checks.schemas import validate
from recon.normalise import normalise
from recon import helper
from recon.read import read_source
from tiny_drop import write_drop

AS_OF = dt.date(2025, 6, 30)


def test_a_source_prepared_in_the_worker_equals_the_one_computed_here(tmp_path):
    drop = write_drop(tmp_path / "drop", households=6)
    helper.start(drop, ["system"], AS_OF)
    try:
        prepared = helper.take(drop, "system")
        assert helper.take(drop, "ledger") is None   # not handed to the worker
    finally:
        helper.stop()
    frame, _ = validate("system", normalise("system", read_source(drop, "system").frame, AS_OF)[0], AS_OF)
    pd.testing.assert_frame_equal(prepared.frame, frame)
    assert prepared.files == ["system/members.csv"]


def test_nothing_is_taken_after_stop(tmp_path):
    drop = write_drop(tmp_path / "drop")
    helper.start(drop, ["system"], AS_OF)
    helper.stop()
    assert helper.take(drop, "system") is None
