"""The real thing: `dagster dev` on workspace.yaml serves the asset graph and
its checks over GraphQL and runs the reconcile job to success on a small drop
(CONTRACT.md §1: the same graph runs in the Dagster UI)."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from dagster_graphql import DagsterGraphQLClient

from tiny_drop import write_drop

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 150
RUN_SECONDS = 180
ASSETS_AND_CHECKS = """
{ assetNodes { assetKey { path }
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } } } }
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    response = requests.post(f"http://127.0.0.1:{port}/graphql", json={"query": query}, timeout=30)
    response.raise_for_status()
    return response.json()["data"]


@pytest.fixture
def dagster_dev(tmp_path):
    """`dagster dev` in its own process group, stopped (group and all) afterwards."""
    drop = write_drop(tmp_path / "drop", households=6)
    home = tmp_path / "dagster_home"
    home.mkdir()
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "RECON_DATA_DIR": str(drop),
           "RECON_OUT_DIR": str(tmp_path / "out"), "RECON_AS_OF": "2025-06-30", "GX_ANALYTICS_ENABLED": "false"}
    dagster = Path(sys.executable).with_name("dagster")
    log = (tmp_path / "dagster_dev.log").open("wb")
    # dagster dev in the background ignores INT/TERM unless restored (ARCHITECTURE.md).
    process = subprocess.Popen(["env", "--default-signal=INT,TERM", str(dagster), "dev", "-w", "workspace.yaml",
                                "-h", "127.0.0.1", "-p", str(port)],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, (tmp_path / "dagster_dev.log").read_text(errors="replace")[-3000:]
            try:
                if graphql(port, ASSETS_AND_CHECKS)["assetNodes"]:
                    break
            except (requests.RequestException, KeyError, TypeError):
                pass
            assert time.monotonic() < deadline, "dagster dev did not serve the asset graph in time"
            time.sleep(2)
        yield port, tmp_path / "out"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def test_dagster_dev_serves_the_graph_with_checks_and_runs_reconcile_to_success(dagster_dev):
    port, out = dagster_dev
    nodes = graphql(port, ASSETS_AND_CHECKS)["assetNodes"]
    assets = {"/".join(n["assetKey"]["path"]) for n in nodes}
    assert {"raw_system", "core_system", "core_households", "out_registry", "out_report"} <= assets
    checks = {("/".join(n["assetKey"]["path"]), c["name"]): c["blocking"]
              for n in nodes for c in n["assetChecksOrError"].get("checks", [])}
    assert checks[("core_system", "required_columns")] is True
    assert checks[("core_ledger", "gx_ledger")] is False

    client = DagsterGraphQLClient("127.0.0.1", port_number=port)
    # The reconcile job runs in one process (its executor is the in-process one, as under recon run).
    run_id = client.submit_job_execution("reconcile")
    deadline = time.monotonic() + RUN_SECONDS
    status = client.get_run_status(run_id).value
    while status not in ("SUCCESS", "FAILURE", "CANCELED"):
        assert time.monotonic() < deadline, f"run still {status} after {RUN_SECONDS}s"
        time.sleep(3)
        status = client.get_run_status(run_id).value
    assert status == "SUCCESS"
    assert (out / "mismatches.csv").exists() and (out / "data_docs" / "index.html").exists()
