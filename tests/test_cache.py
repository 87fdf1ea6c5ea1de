"""The Parquet cache of normalised sources (issue 6, recon/cache.py): an
unchanged source is not read twice, and anything that could change its core
frame — a file's content or name, the as-of date, the code — is a new key."""
import datetime as dt

import pandas as pd
from dagster import DagsterInstance, mem_io_manager

from assets.resources import ReconConfig
from pipelines.graph import build_definitions
from recon import cache
from recon.tables import CoreTable
from tiny_drop import write_drop

AS_OF = dt.date(2025, 6, 30)


def run(drop, out):
    recon = ReconConfig(data_dir=str(drop), out_dir=str(out), as_of=AS_OF.isoformat())
    defs = build_definitions(recon, io_manager=mem_io_manager, partitioned=False)
    result = defs.resolve_job_def("reconcile").execute_in_process(instance=DagsterInstance.ephemeral())
    from_cache = {s: result.asset_materializations_for_node(f"raw_{s}")[0].metadata["from_cache"].value
                  for s in ("system", "ledger")}
    return result, from_cache


def test_rerun_on_unchanged_files_takes_core_frames_from_cache_identical_to_a_fresh_read(tmp_path):
    drop, out = write_drop(tmp_path / "drop"), tmp_path / "out"
    first, first_cached = run(drop, out)
    second, second_cached = run(drop, out)

    assert first_cached == {"system": False, "ledger": False}
    assert second_cached == {"system": True, "ledger": True}
    assert len(list((out / ".cache" / "system").glob("*.parquet"))) == 2   # frame and problems
    for source in ("core_system", "core_ledger"):
        fresh, cached = first.output_for_node(source), second.output_for_node(source)
        pd.testing.assert_frame_equal(cached.frame, fresh.frame)
        pd.testing.assert_frame_equal(cached.problems, fresh.problems)
        assert (cached.notes, cached.files) == (fresh.notes, fresh.files)
    pd.testing.assert_frame_equal(second.output_for_node("out_registry").current.drop(columns=["status"]),
                                  first.output_for_node("out_registry").current.drop(columns=["status"]))


def test_key_changes_with_file_content_file_name_and_as_of_but_not_with_a_copy(tmp_path):
    drop = write_drop(tmp_path / "a")
    key = cache.source_key(drop, "system", AS_OF)

    assert cache.source_key(write_drop(tmp_path / "b"), "system", AS_OF) == key
    assert cache.source_key(drop, "system", dt.date(2025, 7, 1)) != key
    assert cache.source_key(drop, "ledger", AS_OF) != key
    members = drop / "system" / "members.csv"
    members.rename(members.with_name("members2.csv"))
    assert cache.source_key(drop, "system", AS_OF) != key
    members.with_name("members2.csv").rename(members)
    members.write_bytes(members.read_bytes().replace(b"20000", b"20001"))
    assert cache.source_key(drop, "system", AS_OF) != key


def test_key_changes_when_the_reading_code_changes(tmp_path, monkeypatch):
    drop = write_drop(tmp_path / "drop")
    key = cache.source_key(drop, "system", AS_OF)
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another version of recon")
    assert cache.source_key(drop, "system", AS_OF) != key


def test_damaged_cache_entry_is_a_miss_not_an_error(tmp_path):
    frame = pd.DataFrame({"证件号码": pd.array(["a", None], dtype="string"), "人数": pd.array([1, None], dtype="Int64")})
    problems = pd.DataFrame({"file": pd.array(["x.csv"], dtype="string")})
    cache.store(tmp_path, "k", CoreTable("system", frame, problems, ["note"], ["system/x.csv"]))
    hit = cache.load(tmp_path, "system", "k")
    pd.testing.assert_frame_equal(hit.frame, frame)
    assert hit.notes == ["note"]

    (tmp_path / ".cache" / "system" / "k.parquet").write_bytes(b"not parquet")
    assert cache.load(tmp_path, "system", "k") is None
    assert cache.load(tmp_path, "system", "other") is None
