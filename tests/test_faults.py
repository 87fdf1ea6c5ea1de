"""Faults (issue 7, CONTRACT.md §1): an unreachable database stops the run
with one line and nothing written; a process killed while writing outputs
leaves the previous outputs whole; killed inside the registry transaction
leaves the registry as it was; a rerun afterwards succeeds."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import create_engine, inspect, text

from pipelines.cli import main
from tiny_drop import LEDGER_HEADER, write_drop

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2025-06-30"
LATER = "2025-07-31"   # a month no other test of this module records
CSV_OUTPUTS = ("mismatches.csv", "household_status.csv", "input_problems.csv")

# Runs `recon run` with a SIGKILL planted by RECON_FAULT:
#   replace:N  just before the N-th rename of a finished temp file into OUT
#   xlsx       while a township list is being written (before its workbook is closed)
#   registry   inside record_run's transaction, after the rows are written, before the commit
RUNNER = r'''
import os, signal, sys
fault, out = os.environ["RECON_FAULT"], os.path.realpath(sys.argv[sys.argv.index("--out") + 1])
die = lambda: os.kill(os.getpid(), signal.SIGKILL)
if fault.startswith("replace:"):
    import recon.atomic
    real, left = os.replace, [int(fault.split(":")[1])]
    def replace(src, dst, *a, **k):
        if os.path.realpath(str(dst)).startswith(out):
            left[0] -= 1
            if left[0] == 0:
                die()
        return real(src, dst, *a, **k)
    recon.atomic.os.replace = replace
elif fault == "xlsx":
    import xlsxwriter
    xlsxwriter.Workbook.close = lambda self: die()
elif fault == "registry":
    import recon.registry.store as store
    real_record = store._record
    def record(*a, **k):
        real_record(*a, **k)
        die()
    store._record = record
from pipelines.cli import main
sys.exit(main(sys.argv[1:]))
'''


def run_killed(tmp_path: Path, drop: Path, out: Path, fault: str, as_of: str = AS_OF) -> subprocess.CompletedProcess:
    script = tmp_path / "fault_runner.py"
    script.write_text(RUNNER, encoding="utf-8")
    env = {**os.environ, "RECON_FAULT": fault, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(script), "run", "--data", str(drop), "--out", str(out),
                           "--as-of", as_of], env=env, capture_output=True, text=True, timeout=600)


def snapshot(out: Path) -> dict[str, bytes]:
    files = [*(out / n for n in (*CSV_OUTPUTS, "report.html")), *sorted((out / "townships").glob("*.xlsx"))]
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in files}


def assert_outputs_whole(out: Path, before: dict[str, bytes]) -> None:
    """Every previous output is still there and complete (the old bytes or a
    new file that parses to the end); no temp file is visible as an output."""
    for name, old in before.items():
        path = out / name
        assert path.exists(), name
        if path.read_bytes() == old:
            continue
        if name.endswith(".csv"):
            pd.read_csv(path, encoding="utf-8-sig")
        elif name.endswith(".xlsx"):
            openpyxl.load_workbook(path, read_only=True).close()
        else:
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")
    visible = [p for p in out.rglob("*") if p.suffix == ".tmp" and not p.name.startswith(".")]
    assert visible == []


def registry_rows(out: Path) -> dict[str, list]:
    engine = create_engine(f"sqlite:///{out / 'recon.db'}")
    with engine.connect() as connection:
        rows = {table: sorted(map(tuple, connection.execute(text(f'SELECT * FROM "{table}"')).all()), key=repr)
                for table in inspect(connection).get_table_names()}
    engine.dispose()
    return rows


def drop_with_findings(root: Path) -> Path:
    """The tiny drop plus a ledger household with a broken ID: findings, so a township list is written."""
    drop = write_drop(root)
    with open(drop / "ledger" / "东村.csv", "a", encoding="utf-8") as ledger:
        ledger.write(",".join(["测试县", "城关镇", "东村", "", "王五", "43032119800101123", "户主"]) + "\n")
    assert len(LEDGER_HEADER) == 7
    return drop


@pytest.fixture(scope="module")
def previous_run(tmp_path_factory):
    """A drop and an OUT holding one complete earlier run, with a township list."""
    root = tmp_path_factory.mktemp("faults")
    drop = drop_with_findings(root / "drop")
    out = root / "out"
    assert main(["run", "--data", str(drop), "--out", str(out), "--as-of", "2025-05-31"]) == 0
    assert list((out / "townships").glob("*.xlsx"))
    return drop, out


def test_unreachable_database_exits_non_zero_with_one_line_without_password_and_writes_nothing(tmp_path, capsys):
    drop = write_drop(tmp_path / "drop")
    out = tmp_path / "out"
    code = main(["run", "--data", str(drop), "--out", str(out), "--as-of", AS_OF,
                 "--db", "postgresql+psycopg://postgres:secret123@127.0.0.1:1/x"])
    captured = capsys.readouterr()
    assert code != 0
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "secret123" not in captured.err + captured.out
    assert "127.0.0.1" in lines[0]
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["replace:1", "replace:3", "xlsx"])
def test_killed_while_writing_outputs_leaves_the_previous_outputs_whole(previous_run, tmp_path, fault):
    drop, out = previous_run
    before = snapshot(out)
    killed = run_killed(tmp_path, drop, out, fault)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert_outputs_whole(out, before)


@pytest.mark.slow
def test_killed_inside_the_registry_transaction_leaves_the_registry_as_before_and_a_rerun_succeeds(
        previous_run, tmp_path):
    drop, out = previous_run
    before = registry_rows(out)
    killed = run_killed(tmp_path, drop, out, "registry", as_of=LATER)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert registry_rows(out) == before
    outputs = snapshot(out)
    assert main(["run", "--data", str(drop), "--out", str(out), "--as-of", LATER]) == 0
    assert_outputs_whole(out, outputs)
    runs = registry_rows(out)
    assert sum(len(rows) for rows in runs.values()) > sum(len(rows) for rows in before.values())


def test_a_stale_temp_file_of_a_killed_run_is_swept_by_the_next_write(tmp_path):
    from recon.atomic import write_csv
    stale = tmp_path / ".mismatches.abc123.csv.tmp"
    stale.write_text("half a fi", encoding="utf-8")
    hour_ago = time.time() - 7200
    os.utime(stale, (hour_ago, hour_ago))
    fresh = tmp_path / ".mismatches.def456.csv.tmp"   # another writer's, still in progress
    fresh.write_text("busy", encoding="utf-8")
    write_csv(pd.DataFrame({"a": [1]}), tmp_path / "mismatches.csv")
    assert not stale.exists() and fresh.exists()
    assert (tmp_path / "mismatches.csv").read_text(encoding="utf-8-sig") == "a\n1\n"
