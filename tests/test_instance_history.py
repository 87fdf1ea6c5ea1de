"""Every `recon run` is a run the data team sees in the Dagster UI (issue 22):
two runs of one county at two as-of dates, read back from DAGSTER_HOME
through Dagster's own API — two successful runs tagged with the county and
the as-of date, the outputs' materializations carrying the counts of the
mismatches.csv they wrote, the checks' results — and served by `recon ui`
over GraphQL."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import requests
from sqlalchemy.engine import make_url
from dagster import AssetCheckKey, AssetKey, DagsterInstance, DagsterRunStatus

from files import write_csv
from pipelines.cli import main
from pipelines.instance import DEFAULT_HOME, instance_home
from throwaway_db import fresh_database
from tiny_drop import LEDGER_HEADER, household_rows, write_drop

ROOT = Path(__file__).resolve().parents[1]

COUNTY = "历史县"
AS_OF = ("2025-05-31", "2025-06-30")
STARTUP_SECONDS = 150


def read_mismatches(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def expected_counts(mismatches: pd.DataFrame) -> dict[str, int]:
    status, severity = mismatches["status"].value_counts(), mismatches["severity"].value_counts()
    return {"rows": len(mismatches),
            **{f"status_{s}": int(status.get(s, 0)) for s in ("new", "open", "reopened")},
            **{f"severity_{s}": int(severity.get(s, 0)) for s in ("high", "medium", "low")}}


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """Two months of one county recorded into a DAGSTER_HOME of its own;
    each month's mismatches.csv kept for comparison."""
    root = tmp_path_factory.mktemp("history")
    drop, out, home = root / "drop", root / "out", root / "dagster_home"
    write_drop(drop, county=COUNTY, households=6)
    # Two households of the system export missing from the ledger: findings to count.
    write_csv(drop / "ledger" / "东村.csv", [LEDGER_HEADER, *(r[:7] for r in household_rows(COUNTY, 6)[:-4])])
    kept = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home))
        for as_of in AS_OF:
            assert main(["run", "--data", str(drop), "--out", str(out), "--as-of", as_of]) == 0
            kept[as_of] = read_mismatches(out / "mismatches.csv")
    return home, drop, out, kept


def test_two_runs_are_recorded_successful_and_tagged_with_county_and_as_of(history):
    home, _, _, _ = history
    assert (home / "dagster.yaml").exists()
    with DagsterInstance.from_config(str(home)) as instance:
        runs = sorted(instance.get_runs(), key=lambda run: run.tags["recon/as_of"])
        assert [run.status for run in runs] == [DagsterRunStatus.SUCCESS] * 2
        assert [run.tags["recon/as_of"] for run in runs] == list(AS_OF)
        assert {run.tags["recon/county"] for run in runs} == {COUNTY}
        assert {run.job_name for run in runs} == {"reconcile"}
        records = instance.get_run_records()
        assert all(record.start_time and record.end_time for record in records)


def test_each_run_materialises_the_outputs_with_the_counts_of_its_mismatches_csv(history):
    home, _, out, kept = history
    with DagsterInstance.from_config(str(home)) as instance:
        runs = {run.run_id: run.tags["recon/as_of"] for run in instance.get_runs()}
        records = instance.fetch_materializations(AssetKey("out_mismatches"), limit=10).records
        assert len(records) == 2
        for record in records:
            metadata = {key: value.value for key, value in record.asset_materialization.metadata.items()}
            as_of = runs[record.run_id]
            assert {key: metadata[key] for key in expected_counts(kept[as_of])} == expected_counts(kept[as_of])
            assert metadata["path"] == str((out / "mismatches.csv").resolve())
        # The second month: the same findings, now open rather than new.
        assert expected_counts(kept[AS_OF[0]])["status_new"] > 0
        assert expected_counts(kept[AS_OF[1]])["status_open"] == expected_counts(kept[AS_OF[0]])["status_new"]
        for asset in ("core_system", "core_ledger", "out_findings", "out_registry", "out_township_lists", "out_report"):
            assert len(instance.fetch_materializations(AssetKey(asset), limit=10).records) == 2, asset
        registry = instance.fetch_materializations(AssetKey("out_registry"), limit=1).records[0]
        per_month = registry.asset_materialization.metadata["findings_per_month"].value
        assert all(as_of in per_month for as_of in AS_OF)
        checks = instance.event_log_storage.get_asset_check_execution_history(
            AssetCheckKey(AssetKey("core_system"), "required_columns"), limit=10)
        assert len(checks) == 2 and all(c.status.value == "SUCCEEDED" for c in checks)


def test_without_dagster_home_the_instance_is_beside_the_outputs(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert instance_home(tmp_path / "out") == (tmp_path / "out").resolve() / DEFAULT_HOME
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    assert instance_home(tmp_path / "out") == (tmp_path / "elsewhere").resolve()


def test_an_unusable_instance_stops_the_run_with_one_line(tmp_path, monkeypatch, capsys):
    drop = write_drop(tmp_path / "drop", households=2)
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("storage:\n  no_such_storage: {}\n", encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert main(["run", "--data", str(drop), "--out", str(tmp_path / "out"), "--as-of", AS_OF[0]]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("recon: Dagster 实例不可用")
    assert not (tmp_path / "out" / "mismatches.csv").exists()


def test_run_history_off_records_nothing(tmp_path, monkeypatch):
    drop = write_drop(tmp_path / "drop", households=2)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RECON_RUN_HISTORY", "off")
    assert main(["run", "--data", str(drop), "--out", str(tmp_path / "out"), "--as-of", AS_OF[0]]) == 0
    assert not (tmp_path / "home").exists()


RUNS = """{ runsOrError { ... on Runs { results { runId status jobName tags { key value } } } } }"""
MATERIALIZATIONS = """{ assetOrError(assetKey: {path: ["out_mismatches"]}) { ... on Asset {
    assetMaterializations { runId metadataEntries { label ... on IntMetadataEntry { intValue } } } } } }"""


@pytest.mark.slow
def test_recon_ui_serves_the_recorded_runs_over_graphql(history, tmp_path):
    """`recon ui` (dagster dev, started as an installed command would be) on
    the instance the two runs were recorded in."""
    from test_webserver import free_port, graphql
    home, drop, out, kept = history
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "GX_ANALYTICS_ENABLED": "false"}
    recon = shutil.which("recon", path=str(Path(sys.executable).parent)) or "recon"
    log = (tmp_path / "recon_ui.log").open("wb")
    # Not from the repository: the code location must load from the installed package.
    process = subprocess.Popen([recon, "ui", "--data", str(drop), "--out", str(out), "--port", str(port)],
                               cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, (tmp_path / "recon_ui.log").read_text(errors="replace")[-3000:]
            try:
                runs = graphql(port, RUNS)["runsOrError"]["results"]
                if graphql(port, "{ assetNodes { id } }")["assetNodes"]:
                    break
            except (requests.RequestException, KeyError, TypeError):
                pass
            assert time.monotonic() < deadline, "recon ui did not serve in time"
            time.sleep(2)
        assert [run["status"] for run in runs] == ["SUCCESS", "SUCCESS"]
        tags = [{tag["key"]: tag["value"] for tag in run["tags"]} for run in runs]
        assert sorted(t["recon/as_of"] for t in tags) == list(AS_OF)
        assert {t["recon/county"] for t in tags} == {COUNTY}
        events = graphql(port, MATERIALIZATIONS)["assetOrError"]["assetMaterializations"]
        by_run = {run["runId"]: t["recon/as_of"] for run, t in zip(runs, tags)}
        for event in events:
            shown = {e["label"]: e["intValue"] for e in event["metadataEntries"] if "intValue" in e}
            counts = expected_counts(kept[by_run[event["runId"]]])
            assert {key: shown[key] for key in counts} == counts
        assert len(events) == 2
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


@pytest.fixture
def dagster_postgres():
    """A database of its own on the test server for a Dagster instance (its
    `runs` table would meet the registry's in the session's database)."""
    with fresh_database("recon_dagster") as url:
        yield url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.postgres
def test_recon_run_records_into_a_postgresql_instance(dagster_postgres, tmp_path, monkeypatch):
    """The shared instance of docs/operations.md (*Growing past one machine*):
    deploy/dagster.yaml (PostgreSQL storage) in DAGSTER_HOME is used as it is."""
    home = tmp_path / "home"
    home.mkdir()
    url = make_url(dagster_postgres)
    if (url.port or 5432) != 5432:
        pytest.skip("deploy/dagster.yaml names port 5432")
    config = (ROOT / "deploy" / "dagster.yaml").read_text(encoding="utf-8")
    (home / "dagster.yaml").write_text(config, encoding="utf-8")
    for name, value in (("HOST", url.host), ("USER", url.username), ("PASSWORD", url.password or "trust"),
                        ("DB", url.database)):
        monkeypatch.setenv(f"DAGSTER_PG_{name}", value)
    drop = write_drop(tmp_path / "drop", county=COUNTY, households=6)
    write_csv(drop / "ledger" / "东村.csv", [LEDGER_HEADER, *(r[:7] for r in household_rows(COUNTY, 6)[:-2])])
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    out = tmp_path / "out"
    assert main(["run", "--data", str(drop), "--out", str(out), "--as-of", AS_OF[1]]) == 0
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == config
    with DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        (run,) = instance.get_runs()
        assert run.status == DagsterRunStatus.SUCCESS
        assert (run.tags["recon/county"], run.tags["recon/as_of"]) == (COUNTY, AS_OF[1])
        (record,) = instance.fetch_materializations(AssetKey("out_mismatches"), limit=5).records
        metadata = {key: value.value for key, value in record.asset_materialization.metadata.items()}
        counts = expected_counts(read_mismatches(out / "mismatches.csv"))
        assert {key: metadata[key] for key in counts} == counts
