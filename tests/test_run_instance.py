"""The in-memory instance `recon run` executes on (pipelines/run_instance.py)
stores what Dagster's own ephemeral instance stores — the same events in the
same order, copied whole into the run history — while holding one
connection per storage; other threads and nested calls still get theirs."""
from __future__ import annotations

import threading

import sqlalchemy

from dagster import (AssetCheckResult, DagsterEventType, DagsterInstance, Definitions, EventRecordsFilter,
                     Output, asset, asset_check)

from pipelines.instance import record_run
from pipelines.run_instance import run_instance


@asset
def county_table() -> Output:
    return Output(3, metadata={"rows": 3})


@asset
def findings(county_table) -> int:
    return 2


@asset_check(asset=findings)
def findings_counted(findings: int) -> AssetCheckResult:
    return AssetCheckResult(passed=findings == 2)


JOB = (Definitions(assets=[county_table, findings], asset_checks=[findings_counted])
       .resolve_implicit_global_asset_job_def())


def event_kinds(instance, run_id: str) -> list[str]:
    return [entry.dagster_event.event_type_value for entry in instance.all_logs(run_id) if entry.dagster_event]


def opened_connections(instance) -> list[int]:
    """A count of the SQLite connections its event and run storages open from now on."""
    opened = [0]
    for storage in (instance.event_log_storage, instance.run_storage):
        sqlalchemy.event.listen(storage._engine, "connect", lambda *_: opened.__setitem__(0, opened[0] + 1))
    return opened


def test_a_run_on_the_held_connection_instance_stores_the_events_dagsters_ephemeral_instance_stores():
    held, plain = run_instance(), DagsterInstance.ephemeral()
    opened_held, opened_plain = opened_connections(held), opened_connections(plain)
    ours = JOB.execute_in_process(instance=held)
    theirs = JOB.execute_in_process(instance=plain)
    assert ours.success and theirs.success
    # Dagster's own opens one per event and run update; the held one only to learn that a table exists.
    assert opened_held[0] <= 2 < 20 < opened_plain[0]
    assert event_kinds(held, ours.run_id) == event_kinds(plain, theirs.run_id)
    assert held.get_run_by_id(ours.run_id).is_success
    materialized = held.get_event_records(EventRecordsFilter(DagsterEventType.ASSET_MATERIALIZATION))
    assert len(materialized) == 2


def test_record_run_copies_a_run_of_the_held_connection_instance_whole(tmp_path):
    held = run_instance()
    result = JOB.execute_in_process(instance=held)
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    history = DagsterInstance.from_config(str(tmp_path))   # SQLite files, as OUT/.dagster_home
    record_run(held, history, result.run_id)
    assert history.get_run_by_id(result.run_id).is_success
    assert event_kinds(history, result.run_id) == event_kinds(held, result.run_id)


def test_another_thread_and_a_nested_call_get_a_connection_of_their_own():
    instance = run_instance()
    result = JOB.execute_in_process(instance=instance)
    seen = {}

    def from_another_thread():
        seen["runs"] = len(instance.get_runs())
        seen["events"] = len(instance.all_logs(result.run_id))
    worker = threading.Thread(target=from_another_thread)
    worker.start()
    worker.join(timeout=30)
    assert seen == {"runs": 1, "events": len(instance.all_logs(result.run_id))}

    storage = instance.run_storage
    with storage.connect() as outer, storage.connect() as inner:   # would deadlock on one held connection
        assert outer is not inner
    assert len(instance.get_runs()) == 1
