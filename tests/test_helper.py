"""recon/helper.py: a source prepared in recon run's helper process is the
core table core_<source> would compute itself (docs/internals.md §Core
frames), and the GX validation done there is the one done here."""
import datetime as dt

import pandas as pd

from checks.schemas import validate
from recon import expectations, helper
from recon.normalise import normalise
from recon.read import read_source
from tiny_drop import write_drop

AS_OF = dt.date(2025, 6, 30)


def test_a_source_prepared_in_the_helper_equals_the_one_computed_here(tmp_path):
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


def core_frames(drop) -> dict:
    return {source: validate(source, normalise(source, read_source(drop, source).frame, AS_OF)[0], AS_OF)[0]
            for source in ("system", "ledger")}


def summary(results: dict) -> dict:
    return {source: (r.success, r.evaluated, r.failed, r.rows, r.previous_rows) for source, r in results.items()}


def test_gx_validation_offered_to_the_helper_equals_the_one_computed_here(tmp_path):
    drop = write_drop(tmp_path / "drop", households=6)
    frames = core_frames(drop)
    here, _ = expectations.validate_sources(frames, tmp_path / "here")
    helper.start(drop, [], AS_OF, then=(expectations.import_gx,))
    try:
        for source, frame in frames.items():   # as core_<source> does
            expectations.offer(source, frame, tmp_path / "there")
        there, docs = expectations.validate(frames, tmp_path / "there")
    finally:
        helper.stop()
    assert summary(there) == summary(here) and set(there) == {"system", "ledger"}
    assert docs == tmp_path / "there" / "data_docs" / "index.html" and docs.exists()


def test_sources_not_offered_are_validated_in_the_helper_all_at_once(tmp_path):
    drop = write_drop(tmp_path / "drop", households=6)
    frames = core_frames(drop)
    here, _ = expectations.validate_sources(frames, tmp_path / "here")
    helper.start(drop, [], AS_OF)
    try:
        expectations.offer("system", frames["system"], tmp_path / "there")   # the ledger never offered
        there, docs = expectations.validate(frames, tmp_path / "there")
    finally:
        helper.stop()
    assert summary(there) == summary(here) and docs.exists()


def test_without_a_helper_nothing_is_offered_and_validation_runs_here(tmp_path):
    drop = write_drop(tmp_path / "drop", households=6)
    frames = core_frames(drop)
    expectations.offer("system", frames["system"], tmp_path / "out")
    assert not helper.active() and not helper.submit(print)
    results, docs = expectations.validate(frames, tmp_path / "out")
    assert set(results) == {"system", "ledger"} and docs.exists()
