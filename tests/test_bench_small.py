"""Issue 6: the CI-scale benchmark (≈20,000 persons) runs end to end through
bench.run and writes its results. No timing assertions: speed is what the
benchmark reports, not what a test decides."""
import json
import sys
from pathlib import Path

import pytest

# bench/ is a folder of the repository, not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.run import bench, write_results  # noqa: E402

pytestmark = pytest.mark.slow


def test_ci_benchmark_runs_recon_end_to_end_and_writes_results(tmp_path):
    result = bench("ci", work=tmp_path / "work", warm=True)

    assert result["cold"]["returncode"] == 0 and result["warm"]["returncode"] == 0
    assert result["drop"]["persons"] > 15_000
    assert result["cold"]["peak_gb"] > 0
    stages = result["stages"]
    assert set(stages) == {"read", "normalise", "validate", "match", "rules", "outputs"}
    assert all(seconds > 0 for seconds in stages.values())
    assert result["floor"]["csv"] > 0 and result["floor"]["cells"] > 0
    assert result["compare"]["system_rows"] > 15_000 and result["compare"]["datacompy"] > 0
    out = tmp_path / "work" / "out" / "ci"
    assert (out / "mismatches.csv").exists()
    assert json.loads((out / "bench_result.json").read_text(encoding="utf-8"))["scale"] == "ci"

    path = write_results(result, tmp_path / "results-ci.md")
    text = path.read_text(encoding="utf-8")
    assert "## ci: 5,000 households" in text and "Machine: " in text
    assert "| read |" in text and "**end to end**" in text and "datacompy" in text
