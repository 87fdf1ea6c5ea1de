"""The Sidecar resource (assets/resources.py): a source prepared in the
sidecar process is the core table core_<source> would compute itself
(checks/core.py), and the GX validation done there is the one done here."""
import datetime as dt

import pandas as pd
from dagster import build_init_resource_context

from assets.resources import Sidecar
from checks import expectations
from checks.core import core_table
from tiny_drop import write_drop

AS_OF = dt.date(2025, 6, 30)


def started(processes: int = 1) -> Sidecar:
    sidecar = Sidecar(processes=processes)
    sidecar.setup_for_execution(build_init_resource_context())
    return sidecar


def test_a_source_prepared_in_the_sidecar_equals_the_one_computed_here(tmp_path):
    drop = write_drop(tmp_path / "drop", households=6)
    sidecar = started()
    try:
        assert sidecar.active and sidecar.prepare(drop, "system", AS_OF)
        prepared = sidecar.take(drop, "system")
        assert sidecar.take(drop, "ledger") is None   # not handed over
    finally:
        sidecar.teardown_after_execution(build_init_resource_context())
    here = core_table(drop, "system", AS_OF)
    pd.testing.assert_frame_equal(prepared.frame, here.frame)
    assert prepared.files == ["system/members.csv"]


def test_nothing_is_taken_after_teardown(tmp_path):
    drop = write_drop(tmp_path / "drop")
    sidecar = started()
    sidecar.prepare(drop, "system", AS_OF)
    sidecar.teardown_after_execution(build_init_resource_context())
    assert not sidecar.active and sidecar.take(drop, "system") is None


def test_processes_0_is_no_sidecar(tmp_path):
    sidecar = started(processes=0)
    assert not sidecar.active and not sidecar.prepare(tmp_path, "system", AS_OF) and sidecar.submit(print) is None


def core_frames(drop) -> dict:
    return {source: core_table(drop, source, AS_OF).frame for source in ("system", "ledger")}


def summary(results: dict) -> dict:
    return {source: (r.success, r.evaluated, r.failed, r.rows, r.previous_rows) for source, r in results.items()}


def test_gx_validation_offered_to_the_sidecar_equals_the_one_computed_here(tmp_path):
    drop = write_drop(tmp_path / "drop", households=6)
    frames = core_frames(drop)
    here, _ = expectations.validate_sources(frames, tmp_path / "here")
    sidecar = started()
    try:
        for source, frame in frames.items():   # as core_<source> does
            expectations.offer(sidecar, source, frame, tmp_path / "there")
        there, docs = expectations.validate(sidecar, frames, tmp_path / "there")
    finally:
        sidecar.teardown_after_execution(build_init_resource_context())
    assert summary(there) == summary(here) and set(there) == {"system", "ledger"}
    assert docs == tmp_path / "there" / "data_docs" / "index.html" and docs.exists()


def test_sources_not_offered_are_validated_in_the_sidecar_all_at_once(tmp_path):
    drop = write_drop(tmp_path / "drop", households=6)
    frames = core_frames(drop)
    here, _ = expectations.validate_sources(frames, tmp_path / "here")
    sidecar = started()
    try:
        expectations.offer(sidecar, "system", frames["system"], tmp_path / "there")   # the ledger never offered
        there, docs = expectations.validate(sidecar, frames, tmp_path / "there")
    finally:
        sidecar.teardown_after_execution(build_init_resource_context())
    assert summary(there) == summary(here) and docs.exists()


def test_without_a_sidecar_nothing_is_offered_and_validation_runs_here(tmp_path):
    drop = write_drop(tmp_path / "drop", households=6)
    frames = core_frames(drop)
    sidecar = started(processes=0)
    expectations.offer(sidecar, "system", frames["system"], tmp_path / "out")
    assert sidecar.offers(tmp_path / "out") == set()
    results, docs = expectations.validate(sidecar, frames, tmp_path / "out")
    assert set(results) == {"system", "ledger"} and docs.exists()


def test_recon_run_starts_the_sidecar_early_and_the_resource_adopts_it(tmp_path):
    """assets/sidecar.py: started before Dagster is imported, handed the
    drop's EARLY_SOURCES biggest sources; the run's resource takes over the
    process and the sources under way, and what it takes is what
    core_<source> would compute."""
    from assets import sidecar as early
    from recon import layout
    drop = write_drop(tmp_path / "drop", households=6)
    biggest = layout.biggest_first(drop, ["ledger", "system"])[0]
    early.start_early(drop)
    early.prepare_early(str(drop), str(tmp_path / "out"), AS_OF.isoformat())
    sidecar = started()
    try:
        assert early.adopt() == (None, {})              # handed over once
        assert {s for s in ("ledger", "system") if sidecar.preparing(drop, s)} == {"ledger", "system"}
        assert sidecar.prepare(drop, biggest, AS_OF)   # already under way: not handed twice
        prepared = sidecar.take(drop, biggest)
    finally:
        sidecar.teardown_after_execution(build_init_resource_context())
    pd.testing.assert_frame_equal(prepared.frame, core_table(drop, biggest, AS_OF).frame)


def test_biggest_first_orders_sources_by_the_size_of_their_files(tmp_path):
    from recon import layout
    for source, size in (("ledger", 10), ("system", 300), ("medical", 20)):
        (tmp_path / source).mkdir()
        (tmp_path / source / "a.csv").write_bytes(b"x" * size)
    (tmp_path / "medical" / "b.csv").write_bytes(b"x" * 30)
    assert layout.biggest_first(tmp_path, ["ledger", "medical", "system"]) == ["system", "medical", "ledger"]


def test_the_run_claims_a_source_the_sidecar_has_not_begun_and_the_sidecar_skips_it(tmp_path):
    """The claim board (assets/sidecar.py): the sidecar is busy, so the run
    takes the ledger back; the sidecar's task for it then does nothing."""
    import time
    drop = write_drop(tmp_path / "drop", households=6)
    sidecar = started()
    try:
        busy = sidecar.submit(time.sleep, 1.0)
        assert sidecar.prepare(drop, "ledger", AS_OF)
        assert sidecar.claim(drop, "ledger") is True and not sidecar.preparing(drop, "ledger")
        assert sidecar.take(drop, "ledger") is None          # nothing to take: the run prepares it
        busy.result()
        # A task that reaches the claimed source answers None instead of reading it.
        from assets.sidecar import prepare_claimed
        assert sidecar.run(prepare_claimed, drop, "ledger", AS_OF) is None
    finally:
        sidecar.teardown_after_execution(build_init_resource_context())


def test_a_source_the_sidecar_has_begun_cannot_be_claimed_and_is_taken_from_it(tmp_path):
    drop = write_drop(tmp_path / "drop", households=6)
    sidecar = started()
    try:
        assert sidecar.prepare(drop, "system", AS_OF)
        sidecar._prepared[(str(drop), "system")].result()     # begun and done there
        assert sidecar.claim(drop, "system") is False
        prepared = sidecar.take(drop, "system")
        assert sidecar.claim(drop, "ledger") is True          # never handed: the run's own
    finally:
        sidecar.teardown_after_execution(build_init_resource_context())
    pd.testing.assert_frame_equal(prepared.frame, core_table(drop, "system", AS_OF).frame)



def test_an_early_sidecar_no_run_takes_over_is_stopped_at_once(tmp_path):
    from assets import sidecar as early
    drop = write_drop(tmp_path / "drop", households=6)
    early.start_early(drop)
    processes = list(early._early["pool"]._processes.values())
    early.abandon()
    assert early.adopt() == (None, {}) and all(not process.is_alive() for process in processes)
    early.start_early(tmp_path)                          # not a single-county drop: nothing started
    assert early.adopt() == (None, {})
