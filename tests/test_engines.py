"""The pieces of `recon run --executor multiprocess|celery` that need no
broker (issue 18): the multi-county demo drop, the refusals before anything
is launched, and what of the run crosses to other machines."""
import datetime as dt
import json

import pandas as pd
import pytest

from pipelines.cli import UsageProblem, check_broker, main
from pipelines.engines import reconstructable_job, without_password
from recon.demo.counties import generate_counties, province_counties
from recon.layout import counties

AS_OF = "2025-06-30"


def test_recon_demo_counties_writes_counties_of_their_own_names_regions_and_answer_keys(tmp_path, capsys):
    drop = tmp_path / "drop"
    assert main(["demo", "--counties", "3", "--households", "60", "--out", str(drop), "--seed", "5"]) == 0
    names = counties(drop)
    assert len(names) == 3 == len(set(names))
    regions = {json.loads((drop / name / "demo.json").read_text(encoding="utf-8"))["region"] for name in names}
    assert len(regions) == 3
    for name in names:
        key = pd.read_csv(drop / name / "answer_key.csv", dtype=str, keep_default_na=False)
        assert set(key["county"]) == {name} and len(key) > 50
    assert (drop / "recon.yaml").exists()   # the settings for --config DIR/recon.yaml
    assert "下一步 next" in capsys.readouterr().out


def test_recon_demo_refuses_more_counties_than_it_can_name(tmp_path, capsys):
    assert main(["demo", "--counties", "100000", "--households", "60", "--out", str(tmp_path / "d")]) == 2
    assert "counties" in capsys.readouterr().err
    assert len({name for name, _ in province_counties(120)}) == 120


def test_celery_refuses_an_instance_other_machines_cannot_share(tmp_path, capsys):
    generate_counties(tmp_path / "drop", 2, households=60, seed=1, as_of=dt.date.fromisoformat(AS_OF),
                      formats="csv", workers=1)
    code = main(["run", "--data", str(tmp_path / "drop"), "--out", str(tmp_path / "out"), "--as-of", AS_OF,
                 "--executor", "celery"])
    err = capsys.readouterr().err
    assert code == 2 and "PostgreSQL" in err and "SQLite" in err
    assert len(err.strip().splitlines()) == 1


def test_an_unknown_county_is_refused_with_its_name(tmp_path, capsys):
    generate_counties(tmp_path / "drop", 2, households=60, seed=1, as_of=dt.date.fromisoformat(AS_OF),
                      formats="csv", workers=1)
    assert main(["run", "--data", str(tmp_path / "drop"), "--out", str(tmp_path / "out"), "--county", "无此县"]) == 2
    assert "无此县" in capsys.readouterr().err


def test_an_unreachable_broker_stops_the_run_with_one_line_without_password():
    with pytest.raises(UsageProblem) as refused:
        check_broker("pyamqp://guest:s3cret@127.0.0.1:1//")
    assert "127.0.0.1:1" in str(refused.value) and "s3cret" not in str(refused.value)


def test_what_a_task_message_carries_of_the_run_has_no_password():
    assert without_password("postgresql+psycopg://recon:s3cret@db/recon") == "postgresql+psycopg://recon@db/recon"
    assert without_password("postgresql+psycopg://recon@db/recon") == "postgresql+psycopg://recon@db/recon"
    assert without_password(None) is None
    job = reconstructable_job("celery", True, {"data_dir": "/srv/drop", "out_dir": "/srv/out", "as_of": AS_OF,
                                               "config_file": None, "db_url": "postgresql+psycopg://u:s3cret@db/r"})
    carried = json.dumps(job.to_dict(), ensure_ascii=False)
    assert "/srv/drop" in carried and "s3cret" not in carried
    assert job.get_definition().executor_def.name == "celery"
