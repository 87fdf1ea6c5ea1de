"""The Dagster operations a data team watches: definitions load, asset checks
(blocking and warning), GX Data Docs, the monthly schedule, the drop sensor
and county partitions (docs/operations.md)."""
import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest
from dagster import (DagsterInstance, Definitions, build_schedule_context, build_sensor_context, instance_for_test,
                     mem_io_manager)

from assets.partitions import COUNTY_PARTITIONS, counties
from assets.resources import ReconConfig
from checks.rules.run import prior_groups
from pipelines.graph import build_definitions
from recon.sources import DATA_SOURCES
from tiny_drop import write_drop

AS_OF = "2025-06-30"


def definitions(drop: Path, out: Path, partitioned: bool | None = None) -> Definitions:
    recon = ReconConfig(data_dir=str(drop), out_dir=str(out), as_of=AS_OF)
    return build_definitions(recon, io_manager=mem_io_manager, partitioned=partitioned)


def run(defs: Definitions, partition: str | None = None, instance: DagsterInstance | None = None):
    instance = instance or DagsterInstance.ephemeral()
    if partition:
        instance.add_dynamic_partitions(COUNTY_PARTITIONS.name, [partition])
    return defs.resolve_job_def("reconcile").execute_in_process(instance=instance, partition_key=partition,
                                                             raise_on_error=False)


def materialised(result) -> set[str]:
    return {e.event_specific_data.materialization.asset_key.to_user_string()
            for e in result.get_asset_materialization_events()}


def checks(result) -> dict[tuple[str, str], object]:
    return {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """The whole graph once, in-process, on a demo drop."""
    from recon.demo import MIN_HOUSEHOLDS, generate
    root = tmp_path_factory.mktemp("demo")
    generate(root / "drop", households=MIN_HOUSEHOLDS, seed=3, as_of=dt.date.fromisoformat(AS_OF), formats="csv")
    defs = definitions(root / "drop", root / "out")
    return defs, run(defs), root / "out"


def test_definitions_load_with_job_schedule_sensor_and_checks(demo_run):
    defs, _result, _out = demo_run
    Definitions.validate_loadable(defs)
    repo = defs.get_repository_def()
    assert {"monthly_reconciliation"} == {s.name for s in repo.schedule_defs}
    assert {"drop_sensor"} == {s.name for s in repo.sensor_defs}
    check_keys = {(k.asset_key.to_user_string(), k.name) for k in repo.asset_graph.asset_check_keys}
    assert ("core_system", "required_columns") in check_keys and ("core_hukou", "gx_hukou") in check_keys


def test_rule_groups_and_outputs_read_the_county_through_core_county(demo_run):
    """Layers (docs/internals.md): every core_<source> and the match feed core_county, and each
    findings_<group> reads core_county and the groups it names, not fifteen tables one by one."""
    defs, result, _out = demo_run
    graph = defs.get_repository_def().asset_graph
    parents = {key.to_user_string(): {parent.to_user_string() for parent in graph.get(key).parent_keys}
               for key in graph.get_all_asset_keys()}
    assert parents["core_county"] == {f"core_{s}" for s in DATA_SOURCES} | {
        "core_households", "core_ledger_households", "core_people", "core_links"}
    assert parents["findings_identity"] == {"core_county"}
    assert parents["findings_monitoring"] - {"core_county"} == {f"findings_{g}" for g in prior_groups("monitoring")}
    assert "core_county" in materialised(result)


def test_demo_drop_materialises_every_asset_with_checks_passed_and_data_docs(demo_run):
    defs, result, out = demo_run
    assert result.success
    assert {"raw_drop", "core_system", "core_households", "core_people", "findings_monitoring", "out_report",
            "out_mismatches"} <= materialised(result)
    evaluations = checks(result)
    blocking = [e for (asset, name), e in evaluations.items() if name in ("required_columns", "valid_rows",
                                                                         "one_county_per_household")]
    assert len(blocking) == 6 and all(e.passed for e in blocking)
    assert ("core_ledger", "gx_ledger") in evaluations and ("core_system", "input_problems") in evaluations
    # One generated check per pandera schema, every source.
    assert {asset for asset, name in evaluations if name == "pandera_schema"} == {f"core_{s}" for s in DATA_SOURCES}
    docs = out / "data_docs" / "index.html"
    assert docs.exists()
    assert evaluations[("core_system", "gx_system")].metadata["data_docs"].path == str(docs)
    assert json.loads((out / ".recon" / "row_counts.json").read_text())["system"] > 0


def test_data_docs_hold_no_id_number_of_the_drop(demo_run):
    defs, result, out = demo_run
    ids = result.output_for_node("core_system").frame["证件号码"].dropna().head(50)
    pages = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in (out / "data_docs").rglob("*.html"))
    assert pages and not any(i in pages for i in ids)


def test_row_count_drop_beyond_tolerance_fails_the_gx_check_as_warning(tmp_path):
    drop = write_drop(tmp_path / "drop", households=10)
    out = tmp_path / "out"
    (out / ".recon").mkdir(parents=True)
    (out / ".recon" / "row_counts.json").write_text(json.dumps({"system": 200}))
    result = run(definitions(drop, out))
    gx = checks(result)[("core_system", "gx_system")]
    assert result.success and not gx.passed and gx.severity.value == "WARN"


def test_system_export_without_id_column_fails_blocking_check_and_stops_downstream(tmp_path):
    drop = write_drop(tmp_path / "drop", system_id_header="编号")
    result = run(definitions(drop, tmp_path / "out"))
    assert not result.success
    required = checks(result)[("core_system", "required_columns")]
    assert not required.passed and required.severity.value == "ERROR"
    assert "证件号码" in required.metadata["missing_columns"].value
    assert "证件号码" in required.description
    assert materialised(result) & {"core_households", "out_findings", "out_registry", "out_report"} == set()
    assert not (tmp_path / "out" / "mismatches.csv").exists()


def test_two_county_drop_runs_one_partition_per_county_with_outputs_each(tmp_path):
    write_drop(tmp_path / "drop" / "甲县", county="甲县", region="430321")
    write_drop(tmp_path / "drop" / "乙县", county="乙县", region="430322")
    assert counties(tmp_path / "drop") == sorted(["甲县", "乙县"])
    defs = definitions(tmp_path / "drop", tmp_path / "out")
    assert defs.resolve_job_def("reconcile").partitions_def == COUNTY_PARTITIONS
    instance = DagsterInstance.ephemeral()
    for county in counties(tmp_path / "drop"):
        assert run(defs, county, instance).success
        assert (tmp_path / "out" / county / "mismatches.csv").exists()
    assert sorted(instance.get_dynamic_partitions("county")) == sorted(["甲县", "乙县"])


def test_monthly_schedule_runs_at_six_on_the_first_in_beijing_time(tmp_path, monkeypatch):
    monkeypatch.delenv("RECON_SCHEDULE_CRON", raising=False)
    defs = definitions(write_drop(tmp_path / "drop"), tmp_path / "out")
    schedule = defs.get_schedule_def("monthly_reconciliation")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 1 * *", "Asia/Shanghai")
    context = build_schedule_context(instance=DagsterInstance.ephemeral(),
                                     scheduled_execution_time=dt.datetime(2025, 7, 1, 6),
                                     resources={"recon": ReconConfig(data_dir=str(tmp_path / "drop"), out_dir="o")})
    request = schedule.evaluate_tick(context).run_requests
    assert len(request) == 1 and request[0].partition_key is None


def test_monthly_schedule_requests_one_run_per_county(tmp_path):
    write_drop(tmp_path / "drop" / "甲县", county="甲县")
    write_drop(tmp_path / "drop" / "乙县", county="乙县")
    defs = definitions(tmp_path / "drop", tmp_path / "out")
    with instance_for_test() as instance:
        context = build_schedule_context(instance=instance, scheduled_execution_time=dt.datetime(2025, 7, 1, 6),
                                         repository_def=defs.get_repository_def(),
                                         resources={"recon": ReconConfig(data_dir=str(tmp_path / "drop"), out_dir="o")})
        requests = defs.get_schedule_def("monthly_reconciliation").evaluate_tick(context).run_requests
        assert sorted(r.partition_key for r in requests) == ["乙县", "甲县"]
        assert sorted(instance.get_dynamic_partitions("county")) == ["乙县", "甲县"]


def test_schedule_cron_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RECON_SCHEDULE_CRON", "0 7 15 * *")
    defs = definitions(write_drop(tmp_path / "drop"), tmp_path / "out")
    assert defs.get_schedule_def("monthly_reconciliation").cron_schedule == "0 7 15 * *"


# ---- the drop sensor ---------------------------------------------------------------------------

def tick(defs: Definitions, drop: Path, cursor: str | None = None, instance: DagsterInstance | None = None):
    sensor = defs.get_sensor_def("drop_sensor")
    instance = instance or DagsterInstance.ephemeral()
    context = build_sensor_context(cursor=cursor, instance=instance, repository_def=defs.get_repository_def(),
                                   instance_ref=instance.get_ref() if instance.is_persistent else None,
                                   resources={"recon": ReconConfig(data_dir=str(drop), out_dir="o")})
    return sensor.evaluate_tick(context)


def age(folder: Path, seconds: float = 120) -> None:
    """Make every file look written `seconds` ago (settled)."""
    past = time.time() - seconds
    for path in folder.rglob("*"):
        os.utime(path, (past, past))


def test_sensor_launches_once_for_new_files_and_not_again_for_the_same_files(tmp_path):
    drop = write_drop(tmp_path / "drop")
    age(drop)
    defs = definitions(drop, tmp_path / "out")
    first = tick(defs, drop)
    assert len(first.run_requests) == 1 and first.run_requests[0].run_key
    again = tick(defs, drop, cursor=first.cursor)
    assert again.run_requests == [] and again.skip_message == "no new or changed files"
    cursor = json.loads(first.cursor)
    assert set(cursor) == {"system/members.csv", "ledger/东村.csv"} and all(len(h) == 64 for h in cursor.values())


def test_sensor_waits_for_a_half_written_file_until_it_is_stable(tmp_path):
    drop = write_drop(tmp_path / "drop")
    age(drop)
    defs = definitions(drop, tmp_path / "out")
    first = tick(defs, drop)
    (drop / "system" / "镇B.csv").write_text("县,户编号,姓名,证件号码\n", encoding="utf-8")   # mtime: now
    (drop / "ledger" / "~$东村.xlsx").write_bytes(b"lock")                                  # never data
    waiting = tick(defs, drop, cursor=first.cursor)
    assert waiting.run_requests == [] and "settle" in waiting.skip_message
    age(drop / "system")
    settled = tick(defs, drop, cursor=first.cursor)
    assert len(settled.run_requests) == 1 and settled.run_requests[0].run_key != first.run_requests[0].run_key
    assert "ledger/~$东村.xlsx" not in json.loads(settled.cursor)


def test_sensor_waits_while_a_download_is_unfinished(tmp_path):
    drop = write_drop(tmp_path / "drop")
    (drop / "system" / "big.xlsx.crdownload").write_bytes(b"partial")
    age(drop)
    assert tick(definitions(drop, tmp_path / "out"), drop).run_requests == []


def test_sensor_requests_one_run_per_changed_county_and_adds_the_partitions(tmp_path):
    drop = tmp_path / "drop"
    write_drop(drop / "甲县", county="甲县")
    write_drop(drop / "乙县", county="乙县")
    age(drop)
    defs = definitions(drop, tmp_path / "out")
    with instance_for_test() as instance:
        first = tick(defs, drop, instance=instance)
        assert sorted(r.partition_key for r in first.run_requests) == ["乙县", "甲县"]
        assert sorted(first.dynamic_partitions_requests[0].partition_keys) == ["乙县", "甲县"]
        instance.add_dynamic_partitions("county", ["甲县", "乙县"])
        (drop / "乙县" / "system" / "补充.csv").write_text("县,户编号,姓名,证件号码\n", encoding="utf-8")
        age(drop / "乙县")
        second = tick(defs, drop, cursor=first.cursor, instance=instance)
        assert [r.partition_key for r in second.run_requests] == ["乙县"] and not second.dynamic_partitions_requests
