"""Counties on a real distributed engine (issue 18): `recon run --executor
celery` against this machine's RabbitMQ and PostgreSQL, with two `recon
worker` processes.

- a 4-county demo drop gives the same outputs as a local run, its steps ran
  on both workers, and every run is SUCCESS, with its partition, in the
  PostgreSQL instance;
- neither the broker's messages (every one, through RabbitMQ's firehose
  tracer) nor the instance's tables hold a full ID of the drop;
- a worker process killed inside the registry transaction fails that
  county's run with a line naming it, the other county completes, the
  registry keeps nothing of the killed run; after a broker restart, the
  rerun of that county completes.

A fresh RabbitMQ vhost and fresh PostgreSQL databases per module; skipped
without a broker unless RECON_REQUIRE_RABBITMQ=1 (CI sets it)."""
from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from pipelines.cli import main
from recon.demo.counties import generate_counties
from throwaway_db import fresh_database, require_server
from test_privacy import leaks, real_ids

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.slow, pytest.mark.xdist_group("celery")]

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2025-06-30"
HOUSEHOLDS = 60
CSV_OUTPUTS = ("mismatches.csv", "household_status.csv", "input_problems.csv")
BROKER_HOST, BROKER_PORT = "127.0.0.1", 5672

# `recon worker` with faults planted for the tests: the worker process that
# records a county's findings dies inside the registry transaction (rows
# written, not committed) when the file <ARMED>.<county> exists (it claims
# the file first, so only one process dies, once); it holds that step for
# two minutes, writing its worker's name to <ARMED>.inside, when
# <ARMED>.slow.<county> exists.
WORKER = r'''
import os, signal, sys, time
armed = os.environ["RECON_TEST_ARMED"]
name = sys.argv[sys.argv.index("--name") + 1]
import recon.registry.store as store
real_record = store._record
def record(connection, county, *args, **kwargs):
    if os.path.exists(f"{armed}.slow.{county}"):   # hold the step: the test kills this whole worker
        with open(f"{armed}.inside", "w") as inside:
            inside.write(name)
        time.sleep(120)
    outcome = real_record(connection, county, *args, **kwargs)
    try:
        os.rename(f"{armed}.{county}", f"{armed}.fired")
    except OSError:
        return outcome
    os.kill(os.getpid(), signal.SIGKILL)
store._record = record
from pipelines.cli import main
sys.exit(main(sys.argv[1:]))
'''


def broker_reachable() -> bool:
    try:
        socket.create_connection((BROKER_HOST, BROKER_PORT), timeout=2).close()
        return True
    except OSError:
        return False


def rabbitmqctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.fixture(scope="module")
def vhost():
    """A RabbitMQ vhost of this module, every message published in it copied
    by the firehose tracer into the queue `firehose`; the broker URL."""
    if not broker_reachable() or not shutil_which("rabbitmqctl"):
        reason = f"RabbitMQ not reachable at {BROKER_HOST}:{BROKER_PORT} (or no rabbitmqctl)"
        if os.environ.get("RECON_REQUIRE_RABBITMQ") == "1":
            pytest.fail(reason + " (RECON_REQUIRE_RABBITMQ=1)")
        pytest.skip(reason)
    import fcntl
    lock = open(Path(os.environ.get("TMPDIR", "/tmp")) / "recon-rabbitmq-tests.lock", "w")
    # One xdist worker at a time runs these tests: one restarts the broker, which would cut
    # another worker's runs off (--dist loadgroup should keep them together; this makes sure).
    fcntl.flock(lock, fcntl.LOCK_EX)
    name = f"recon_test_{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        url = f"pyamqp://guest:guest@{BROKER_HOST}:{BROKER_PORT}/{name}"
        import kombu
        with kombu.Connection(url) as connection:
            channel = connection.channel()
            channel.queue_declare("firehose", durable=False, auto_delete=False)
            channel.queue_bind("firehose", "amq.rabbitmq.trace", "publish.#")
        rabbitmqctl("trace_on", "-p", name)
        yield url
    finally:
        subprocess.run(["rabbitmqctl", "trace_off", "-p", name], capture_output=True, timeout=60)
        subprocess.run(["rabbitmqctl", "delete_vhost", name], capture_output=True, timeout=60)
        lock.close()


def shutil_which(name: str) -> str | None:
    import shutil
    return shutil.which(name)


@pytest.fixture(scope="module")
def cluster(vhost, tmp_path_factory):
    """The PostgreSQL instance (deploy/dagster.yaml) and registry, two
    workers; the environment `recon run --executor celery` needs."""
    root = tmp_path_factory.mktemp("celery")
    require_server()
    with fresh_database("recon_celery_instance") as instance_url, fresh_database("recon_celery_registry") as registry:
        home = root / "dagster_home"
        home.mkdir()
        (home / "dagster.yaml").write_text((ROOT / "deploy" / "dagster.yaml").read_text(encoding="utf-8"),
                                           encoding="utf-8")
        env = {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_PG_HOST": instance_url.host,
               "DAGSTER_PG_USER": instance_url.username, "DAGSTER_PG_PASSWORD": instance_url.password or "trust",
               "DAGSTER_PG_DB": instance_url.database, "RECON_CELERY_BROKER": vhost,
               "RECON_DATABASE_URL": registry.render_as_string(hide_password=False),
               "RECON_TEST_ARMED": str(root / "armed"), "PYTHONUNBUFFERED": "1"}
        (root / "worker.py").write_text(WORKER, encoding="utf-8")
        workers = {}
        try:
            for name in ("w1", "w2"):
                log = root / f"{name}.log"
                workers[name] = (subprocess.Popen(
                    [sys.executable, str(root / "worker.py"), "worker", "--concurrency", "1", "--name", f"{name}@test"],
                    cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True), log)
            deadline = time.monotonic() + 120
            while not all("ready." in log.read_text(errors="replace") for _, log in workers.values()):
                assert all(p.poll() is None for p, _ in workers.values()), "a worker did not start"
                assert time.monotonic() < deadline, "workers not ready in time"
                time.sleep(1)
            yield {"root": root, "env": env, "home": home, "broker": vhost, "instance_url": instance_url, "registry": registry,
                   "workers": workers}
        finally:
            for process, _ in workers.values():
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process, _ in workers.values():
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


def recon_run(cluster, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--as-of", AS_OF, "--executor", "celery", *args],
                          cwd=ROOT, env=cluster["env"], capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def four_counties(cluster):
    """The 4-county demo drop, run locally (the reference) and with Celery."""
    root = cluster["root"]
    drop = root / "drop"
    summaries = generate_counties(drop, 4, households=HOUSEHOLDS, seed=3, as_of=dt.date.fromisoformat(AS_OF),
                                  formats="csv")
    names = [summary.county for summary in summaries]
    config = str(drop / "recon.yaml")
    assert main(["run", "--data", str(drop), "--out", str(root / "local"), "--as-of", AS_OF, "--config", config,
                 "--workers", "2"]) == 0
    result = recon_run(cluster, "--data", str(drop), "--out", str(root / "celery"), "--config", config)
    return {"drop": drop, "names": names, "result": result}


def test_a_four_county_drop_on_two_celery_workers_matches_local_succeeds_in_postgres_and_leaks_no_id(
        four_counties, cluster):
    result = four_counties["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    root = cluster["root"]
    for county in four_counties["names"]:
        for name in CSV_OUTPUTS:
            assert (root / "celery" / county / name).read_bytes() == (root / "local" / county / name).read_bytes(), \
                (county, name)
        assert sorted(p.name for p in (root / "celery" / county / "townships").glob("*.xlsx")) == \
            sorted(p.name for p in (root / "local" / county / "townships").glob("*.xlsx"))
        assert (root / "celery" / county / "report.html").exists()
        # The same progress display as a local run: a line per step, the county's summary.
        assert re.search(rf"✓ {county} .*out_registry", result.stderr)
        assert f"{county} 问题 findings:" in result.stderr
    # Intermediate frames went through the shared storage under OUT.
    assert (root / "celery" / ".dagster_storage").is_dir()
    steps_ran_on_both_workers_and_every_run_is_success_in_the_postgresql_instance(four_counties, cluster)
    no_full_id_in_the_brokers_messages_or_the_instance_tables(four_counties, cluster, cluster["broker"])


def steps_ran_on_both_workers_and_every_run_is_success_in_the_postgresql_instance(four_counties, cluster):
    from dagster import AssetKey, DagsterInstance, DagsterRunStatus
    for name, (_, log) in cluster["workers"].items():
        assert len(re.findall(r"Task execute_plan\[[\w-]+\] received", log.read_text(errors="replace"))) > 0, name
    old = os.environ.copy()
    os.environ.update({key: value for key, value in cluster["env"].items() if key.startswith("DAGSTER_")})
    try:
        with DagsterInstance.get() as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            runs = [run for run in instance.get_runs() if run.tags.get("dagster/partition") in four_counties["names"]]
            assert sorted(run.tags["dagster/partition"] for run in runs) == sorted(four_counties["names"])
            assert {run.status for run in runs} == {DagsterRunStatus.SUCCESS}
            assert sorted(instance.get_dynamic_partitions("county")) == sorted(four_counties["names"])
            # What the UI's partition view reads: a materialization per county partition.
            shown = instance.get_materialized_partitions(AssetKey("out_mismatches"))
            assert shown == set(four_counties["names"])
            # Which worker ran each step, as the instance recorded it.
            hosts = set()
            for run in runs:
                for record in instance.get_records_for_run(run.run_id, limit=10_000).records:
                    event = record.event_log_entry.dagster_event
                    if event is not None and event.event_type_value == "ENGINE_EVENT":
                        value = event.engine_event_data.metadata.get("Celery worker")
                        if value is not None:
                            hosts.add(value.value)
            assert hosts == {"w1@test", "w2@test"}
    finally:
        os.environ.clear()
        os.environ.update(old)


def broker_messages(url: str) -> list[str]:
    """Every message the firehose tracer copied so far (drained): body and headers as text."""
    import kombu
    texts = []
    with kombu.Connection(url) as connection:
        channel = connection.channel()
        while True:
            message = channel.basic_get("firehose", no_ack=True)
            if message is None:
                return texts
            texts.append(message.body.decode("utf-8", "replace") if isinstance(message.body, bytes)
                         else str(message.body))
            texts.append(repr(message.headers))


def no_full_id_in_the_brokers_messages_or_the_instance_tables(four_counties, cluster, vhost):
    drop = four_counties["drop"]
    ids = set().union(*(real_ids(drop / county) for county in four_counties["names"]))
    assert len(ids) > 400
    messages = broker_messages(vhost)
    assert any("execute_plan" in message for message in messages)     # task messages were seen
    assert any("STEP_SUCCESS" in message for message in messages)     # and the results sent back
    assert leaks("\n".join(messages), ids) == set()
    # Every table of the instance's database (runs, event_logs, asset keys, partitions, …).
    dump = subprocess.run(["pg_dump", "--data-only", "-h", cluster["instance_url"].host, "-U",
                           cluster["instance_url"].username, cluster["instance_url"].database],
                          capture_output=True, text=True, check=True).stdout
    assert "STEP_SUCCESS" in dump
    assert leaks(dump, ids) == set()
    # The captured step logs under DAGSTER_HOME and what the workers printed.
    for path in [*cluster["home"].rglob("*"), *(log for _, log in cluster["workers"].values())]:
        if path.is_file():
            assert leaks(path.read_bytes().decode("utf-8", "replace"), ids) == set(), path
    assert leaks(four_counties["result"].stderr + four_counties["result"].stdout, ids) == set()


def two_counties(drop: Path, names: tuple[str, str], region: int) -> list[str]:
    """Two demo counties named apart from every other test's (the registry is the module's)."""
    from recon.demo import generate
    for number, name in enumerate(names):
        generate(drop / name, households=HOUSEHOLDS, seed=region + number, as_of=dt.date.fromisoformat(AS_OF),
                 formats="csv", county_name=name, region=str(region + number))
    return list(names)


def registry_rows(cluster, county: str) -> dict[str, int]:
    engine = create_engine(cluster["registry"])
    try:
        with engine.connect() as connection:
            return {
                "findings": connection.execute(text("select count(*) from findings where county = :c"), {"c": county}).scalar(),
                "distinct": connection.execute(text("select count(distinct issue_id) from findings where county = :c"),
                                               {"c": county}).scalar(),
                "runs": connection.execute(text("select count(*) from runs where county = :c"), {"c": county}).scalar(),
            }
    finally:
        engine.dispose()


def test_a_worker_killed_mid_step_fails_its_county_only_and_after_a_broker_restart_the_rerun_completes(
        cluster, vhost):
    """On a drop of two counties other than the 4-county drop's."""
    root = cluster["root"]
    drop = root / "fault_drop"
    victim, other = two_counties(drop, ("故障甲县", "故障乙县"), 430351)
    out = root / "fault_out"
    (root / f"armed.{victim}").write_text("", encoding="utf-8")
    failed = recon_run(cluster, "--data", str(drop), "--out", str(out))
    assert (root / "armed.fired").exists(), "no worker process was killed"
    assert failed.returncode == 2, failed.stderr[-3000:]
    last = failed.stderr.strip().splitlines()[-1]
    assert last.startswith("recon: ") and victim in last and "out_registry" in last and other not in last, last
    assert (out / other / "mismatches.csv").exists() and not (out / victim / "mismatches.csv").exists()
    # Killed inside the registry transaction: nothing of that run is kept.
    assert registry_rows(cluster, victim) == {"findings": 0, "distinct": 0, "runs": 0}
    assert all(process.poll() is None for process, _ in cluster["workers"].values())   # Celery replaced its process

    rabbitmqctl("stop_app")
    try:
        time.sleep(2)
    finally:
        rabbitmqctl("start_app")
    rabbitmqctl("await_startup")
    rerun = recon_run(cluster, "--data", str(drop), "--out", str(out), "--county", victim)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    found = pd.read_csv(out / victim / "mismatches.csv", dtype=str, keep_default_na=False)
    assert registry_rows(cluster, victim) == {"findings": len(found), "distinct": len(found), "runs": 1}
    assert len(found) > 0


def test_a_whole_worker_lost_mid_step_fails_the_county_whose_step_it_held_and_names_the_worker(cluster):
    """Last of the module: the worker holding a step is killed with its processes, as losing
    its machine would. Its step was acknowledged when taken, so no one else runs it: recon
    run must notice."""
    root = cluster["root"]
    drop = root / "lost_drop"
    names = two_counties(drop, ("失联甲县", "失联乙县"), 430361)
    out = root / "lost_out"
    victim = names[0]
    (root / f"armed.slow.{victim}").write_text("", encoding="utf-8")
    run = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--as-of", AS_OF, "--executor", "celery",
                            "--data", str(drop), "--out", str(out)], cwd=ROOT, env=cluster["env"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 400
        while not (root / "armed.inside").exists():
            assert time.monotonic() < deadline and run.poll() is None, "no worker reached the held step"
            time.sleep(0.2)
        holder = (root / "armed.inside").read_text(encoding="utf-8")
        worker, _ = cluster["workers"][holder.split("@")[0]]
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        _, err = run.communicate(timeout=400)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 2, err[-3000:]
    last = err.strip().splitlines()[-1]
    assert f"{victim}: 运行未完成（out_registry）" in last and holder in last and names[1] not in last, last
    assert (out / names[1] / "mismatches.csv").exists()
