"""Scale-out benchmark (issue 18): a multi-county drop run locally (recon's
process per county, `--executor local`) and on Celery (`--executor celery`,
two `recon worker` processes on this machine, RabbitMQ and PostgreSQL of
this machine), reported side by side with the overhead per county.

    .venv/bin/python -m bench.scaleout [--counties 10] [--households 1000] [--executors local,celery,multiprocess]

Needs RabbitMQ on 127.0.0.1:5672 (guest) with rabbitmqctl, and PostgreSQL on
127.0.0.1:5432 (postgres, trust) for the celery run: a vhost and two
databases of its own are made and dropped. Writes the section *scale-out*
of bench/results.md."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.drops import AS_OF, SEED, WORK
from bench.measure import run_child
from bench.run import RESULTS, machine, split_sections

ROOT = Path(__file__).resolve().parents[1]
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BROKER = "pyamqp://guest:guest@127.0.0.1:5672/{vhost}"
SECTION = "scale-out"


def ensure_drop(counties: int, households: int, work: Path = WORK) -> tuple[Path, dict]:
    from recon.demo.counties import generate_counties
    drop = work / "drops" / f"scaleout-{counties}x{households}-csv-seed{SEED}"
    marker = drop / "bench.json"
    if marker.exists():
        return drop, json.loads(marker.read_text(encoding="utf-8"))
    started = time.perf_counter()
    summaries = generate_counties(drop, counties, households=households, seed=SEED, as_of=AS_OF, formats="csv")
    info = {"counties": counties, "households": households * counties,
            "persons": sum(s.persons for s in summaries), "generate_seconds": round(time.perf_counter() - started, 1)}
    marker.write_text(json.dumps(info, indent=1), encoding="utf-8")
    return drop, info


@contextlib.contextmanager
def database(prefix: str):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(SERVER).set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def celery_cluster(work: Path, workers: int = 2):
    """A vhost, an instance and a registry database, `workers` recon workers
    (one process each); the environment a celery run needs."""
    vhost = f"recon_bench_{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True,
                   capture_output=True)
    processes = []
    try:
        with database("recon_bench_instance") as instance, database("recon_bench_registry") as registry:
            home = work / "scaleout_home"
            home.mkdir(parents=True, exist_ok=True)
            (home / "dagster.yaml").write_text((ROOT / "deploy" / "dagster.yaml").read_text(encoding="utf-8"),
                                               encoding="utf-8")
            env = {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_PG_HOST": instance.host,
                   "DAGSTER_PG_USER": instance.username, "DAGSTER_PG_PASSWORD": "trust",
                   "DAGSTER_PG_DB": instance.database, "RECON_CELERY_BROKER": BROKER.format(vhost=vhost),
                   "RECON_DATABASE_URL": registry.render_as_string(hide_password=False)}
            for number in range(workers):
                log = (work / f"scaleout_worker{number}.log").open("wb")
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "pipelines.cli", "worker", "--concurrency", "1", "--name", f"bench{number}@local"],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            time.sleep(15)   # the workers import the graph before they take a step
            yield env
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True)


def run(drop: Path, out: Path, executor: str, env: dict | None = None, workers: int | None = None):
    import shutil
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "pipelines.cli", "run", "--data", str(drop), "--out", str(out),
            "--as-of", AS_OF.isoformat(), "--config", str(drop / "recon.yaml"), "--executor", executor]
    if workers:
        argv += ["--workers", str(workers)]
    log = out.parent / f"{out.name}.log"
    if executor == "celery":
        return run_child(argv, env=env, log=log)
    # The local instance beside the outputs (OUT/.dagster_home), as a user's first run has it.
    saved = os.environ.copy()
    os.environ.pop("DAGSTER_HOME", None)
    try:
        return run_child(argv, log=log)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def section(info: dict, results: dict[str, dict]) -> str:
    counties = info["counties"]
    local = results.get("local")
    lines = [f"## {SECTION}: {counties} counties, {info['households']:,} households, {info['persons']:,} persons (csv)", "",
             f"Issue 18. `python -m bench.scaleout --counties {counties} --households {info['households'] // counties}`"
             " on this machine (2 cores): the same drop run by each executor, each from an empty output folder. "
             "`local` is recon's own process per county (2 at a time, SQLite registry and instance beside the outputs); "
             "`celery` is two `recon worker --concurrency 1` on this machine, RabbitMQ and PostgreSQL (instance and "
             "registry) of this machine, the run workers of `recon run` (4 at a time); `multiprocess` is Dagster's "
             "multiprocess executor (each step a process), run worker per county, SQLite instance.", "",
             "| executor | end to end (s) | per county (s) | overhead per county vs local (s) | CPU (s) | peak RSS (GB) |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, measured in results.items():
        overhead = f"{(measured['wall'] - local['wall']) / counties:+.1f}" if local and name != "local" else ""
        lines.append(f"| {name} | {measured['wall']:.0f} | {measured['wall'] / counties:.1f} | {overhead} | "
                     f"{measured['cpu']:.0f} | {measured['peak_gb']:.2f} |")
    lines += ["", "The CPU column counts `recon run` and its children; the Celery workers, RabbitMQ and PostgreSQL "
              "are outside it (the workers did the steps). On one machine the extra processes only cost: a step on "
              "a worker loads its inputs from OUT/.dagster_storage and writes its events to PostgreSQL, where a local "
              "run keeps frames in memory and copies its events at the end. Celery pays off when worker machines "
              "add cores, which this benchmark cannot show on one machine.", ""]
    return "\n".join(lines) + "\n"


def write_section(text: str, path: Path = RESULTS) -> None:
    head, sections = split_sections(path.read_text(encoding="utf-8"))
    sections[SECTION] = text
    path.write_text(head + "\n".join(sections.values()), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.scaleout", description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=10)
    parser.add_argument("--households", type=int, default=1000, help="per county")
    parser.add_argument("--executors", default="local,celery")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    drop, info = ensure_drop(args.counties, args.households, args.work)
    results = {}
    for executor in args.executors.split(","):
        out = args.work / "out" / f"scaleout-{executor}"
        if executor == "celery":
            with celery_cluster(args.work) as env:
                measured = run(drop, out, executor, env)
        else:
            measured = run(drop, out, executor, workers=2)
        if measured.returncode != 0:
            raise RuntimeError(f"{executor} run failed: see {out.parent / (out.name + '.log')}")
        results[executor] = {"wall": measured.wall, "cpu": measured.cpu, "peak_gb": measured.peak_gb}
        print(executor, results[executor], flush=True)
    text = section(info, results)
    write_section(text, args.results)
    print(text)
    print(f"machine: {machine()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
