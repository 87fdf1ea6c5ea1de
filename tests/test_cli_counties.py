"""`recon run` on a multi-county drop (CONTRACT.md §2 DIR/<county>/…): counties
run side by side with --workers, each with its own outputs; a county that
cannot complete does not stop the others, and the exit status says which."""
import datetime as dt

import pandas as pd

from pipelines.cli import main
from recon.demo import MIN_HOUSEHOLDS, generate
from tiny_drop import write_drop

AS_OF = "2025-06-30"


def two_counties(root, broken: str | None = None):
    """Two demo counties with planted findings; `broken` gets a system export without its ID column."""
    for seed, (county, region) in enumerate((("甲县", "430321"), ("乙县", "430322"))):
        if county == broken:
            write_drop(root / county, county=county, region=region, system_id_header="编号")
        else:
            generate(root / county, households=MIN_HOUSEHOLDS, seed=seed, as_of=dt.date.fromisoformat(AS_OF),
                     formats="csv", county_name=county, region=region)
    return root


def test_workers_run_every_county_with_its_own_outputs_and_findings(tmp_path):
    drop = two_counties(tmp_path / "drop")
    config = drop / "甲县" / "recon.yaml"   # the demo's export-style settings, alike for both counties
    assert main(["run", "--data", str(drop), "--out", str(tmp_path / "out"), "--as-of", AS_OF, "--workers", "2",
                 "--config", str(config)]) == 0
    for county in ("甲县", "乙县"):
        out = tmp_path / "out" / county
        assert (out / "report.html").exists() and list((out / "townships").glob(f"{county}_*.xlsx"))
        found = pd.read_csv(out / "mismatches.csv", dtype=str, keep_default_na=False)
        planted = pd.read_csv(drop / county / "answer_key.csv", dtype=str, keep_default_na=False)
        assert set(found["county"]) == {county}
        assert set(found["rule"]) == set(planted["rule"])   # every rule ran in the worker


def test_a_county_that_cannot_complete_is_named_and_the_others_still_run(tmp_path, capsys):
    drop = two_counties(tmp_path / "drop", broken="乙县")
    assert main(["run", "--data", str(drop), "--out", str(tmp_path / "out"), "--as-of", AS_OF, "--workers", "2"]) == 2
    assert (tmp_path / "out" / "甲县" / "mismatches.csv").exists()
    assert not (tmp_path / "out" / "乙县" / "mismatches.csv").exists()
    error = capsys.readouterr().err
    assert "乙县" in error and "证件号码" in error and "甲县:" not in error


def test_the_counties_are_in_the_run_history_before_any_county_worker_starts(tmp_path, monkeypatch):
    """Workers adding the same new counties to the instance at once collided on
    its unique key (a county's run then crashed): `recon run` adds them first."""
    import pipelines.cli as cli
    from pipelines.instance import open_instance
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))   # a new instance: no county known yet
    drop = tmp_path / "drop"
    for county, region in (("甲县", "430321"), ("乙县", "430322")):
        write_drop(drop / county, county=county, region=region)
    seen = {}

    def instead_of_workers(recon, county_names, workers, home):
        seen["partitions"] = sorted(open_instance(home).get_dynamic_partitions("county"))
        return 0

    monkeypatch.setattr(cli, "run_counties_in_parallel", instead_of_workers)
    assert main(["run", "--data", str(drop), "--out", str(tmp_path / "out"), "--as-of", AS_OF, "--workers", "2"]) == 0
    assert seen["partitions"] == ["乙县", "甲县"]
