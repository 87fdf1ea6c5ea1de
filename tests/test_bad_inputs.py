"""Bad input files never crash recon (issue 7): every file of the corpus
(tests/badfiles/make_corpus.py) laid over a small good drop gives an input
problem naming it (and sheet/row/column where that applies), the run exits 0
and the good files are still read."""
import resource
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "badfiles"))

from make_corpus import EXCEL_MAX_ROWS, EXPECT, build_corpus, write_huge_xlsx  # noqa: E402
from pipelines.cli import main  # noqa: E402
from recon.read import read_source  # noqa: E402
from tiny_drop import write_drop  # noqa: E402

AS_OF = "2025-06-30"


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    """One `recon run` on a good tiny drop with the whole corpus beside its files."""
    root = tmp_path_factory.mktemp("bad")
    drop = write_drop(root / "drop")
    corpus = build_corpus(drop)
    expect = dict(EXPECT)
    code = main(["run", "--data", str(drop), "--out", str(root / "out"), "--as-of", AS_OF])
    problems = pd.read_csv(root / "out" / "input_problems.csv", dtype=str, keep_default_na=False)
    return code, drop, corpus, expect, problems, root / "out"


def test_corpus_has_at_least_40_bad_files_of_every_kind(corpus_run):
    _, drop, corpus, expect, _, _ = corpus_run
    assert len(corpus) >= 40
    assert {p.relative_to(drop).as_posix() for p in corpus} == set(expect)
    assert {p.parent.name for p in corpus} >= {"system", "ledger", "education", "medical", "housing", "water", "hukou"}


def test_run_with_the_bad_corpus_completes_with_exit_0_and_every_output(corpus_run):
    code, _, _, _, _, out = corpus_run
    assert code == 0
    for name in ("mismatches.csv", "household_status.csv", "input_problems.csv", "report.html"):
        assert (out / name).stat().st_size > 0


def test_every_bad_file_is_named_in_input_problems_with_sheet_row_and_column(corpus_run):
    _, _, _, expect, problems, _ = corpus_run
    missing = []
    for relpath, want in expect.items():
        hits = problems[(problems["file"] == relpath) & problems["problem"].str.contains(want.problem, regex=False)]
        if want.sheet is not None:
            hits = hits[hits["sheet"] == want.sheet]
        if want.row is not None:
            hits = hits[(hits["row"] == str(want.row)) & (hits["column"] == (want.column or ""))]
        if hits.empty:
            missing.append((relpath, want))
    assert missing == []


def test_the_good_files_are_still_read_beside_the_bad_ones(corpus_run):
    _, _, _, _, _, out = corpus_run
    status = pd.read_csv(out / "household_status.csv", dtype=str)
    assert len(status) == 4  # the tiny drop's four system households


def test_a_cell_quoted_in_a_problem_is_cut_to_one_readable_line(corpus_run):
    _, _, _, _, problems, _ = corpus_run
    (text,) = problems.loc[problems["file"] == "water/超长单元格.csv", "problem"]
    assert len(text) < 80 and text.endswith("…'")


def test_header_split_over_two_merged_rows_is_read_with_data_rows_numbered_as_the_sheet(tmp_path):
    build_corpus(tmp_path)
    frame = read_source(tmp_path, "housing").frame
    merged = frame[frame["_path"] == "housing/合并表头.xlsx"]
    assert merged["_row"].tolist() == [4, 5, 6]
    assert merged["鉴定等级"].tolist() == ["A", "A", "E级"]


def test_a_file_with_only_its_header_is_an_input_problem_not_only_a_note(tmp_path):
    build_corpus(tmp_path)
    problems = read_source(tmp_path, "ledger").problems
    (row,) = problems[problems["file"] == "ledger/只有表头.xlsx"].to_dict("records")
    assert row["sheet"] == "Sheet1" and row["row"] == 2 and "只有表头" in row["problem"]


@pytest.mark.slow
def test_a_sheet_filled_to_excel_row_1048576_is_read_whole_in_bounded_time(tmp_path):
    path = write_huge_xlsx(tmp_path / "hukou" / "全县户籍.xlsx")
    started = time.perf_counter()
    result = read_source(tmp_path, "hukou")
    seconds = time.perf_counter() - started
    assert len(result.frame) == EXCEL_MAX_ROWS - 1
    assert result.frame["_row"].iloc[-1] == EXCEL_MAX_ROWS
    assert result.frame["户籍状态"].iloc[-1] == "失踪"   # the planted cell in the very last row
    assert result.problems.empty
    assert seconds < 120, f"reading {path.name} took {seconds:.0f}s"
    # ru_maxrss is KiB on Linux: the whole test process stays under 2.5 GB.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 2.5 * 1024 * 1024
