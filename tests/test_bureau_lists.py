"""Bureau verification lists (三单制, RULES.md §Lifecycle and lists, CONTRACT.md
§4 bureaus/): one workbook per sector bureau whose data a finding's source
names, holding exactly those findings with the bureau's own record beside
them, written like the township lists (colours, masking, formula safety,
print set-up), and read back from feedback/ like them."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from recon.bureaus import bureau_records, bureaus, names_source, write_bureau_lists
from recon.feedback import read_feedback
from recon.labels import BUREAUS
from recon.lists import BUREAU_LIST
from recon.registry import issue_id, open_registry
from recon.settings import Settings
from recon.sources import SOURCES
from factories import make_id
from registry_helpers import FEB, JAN, by_key, findings
from test_lists import AS_OF, COUNTY, GREEN, HOSTILE, RED, YELLOW, fill, fit_to

ID_A, ID_B, ID_C = make_id(seq="111"), make_id(seq="222"), make_id(seq="333")
HEADERS = list(BUREAU_LIST.headers)


def finding(issue: str, source: str, **overrides) -> dict:
    row = {
        "issue_id": issue, "rule": "MED01", "severity": "high", "source": source, "county": COUNTY,
        "township": "甲镇", "village": "一村", "household_id": "H1", "id_number": ID_A, "name": "张三",
        "file": "", "row": None, "field": "参保状态", "expected": "正常参保", "actual": "无记录",
        "message": "未参加基本医疗保险", "status": "new", "first_seen": AS_OF, "last_seen": AS_OF,
        "category": "医疗", "claimed_fixed": False,
    }
    row.update(overrides)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=list(finding("x", "system")))


def records(*rows: tuple) -> pd.DataFrame:
    """A bureau's core frame: (_file, _row, 证件号码, 户编号[, 乡镇, 行政村]) per row."""
    columns = ["_file", "_row", "证件号码", "户编号", "乡镇", "行政村"]
    table = pd.DataFrame([row + ("",) * (len(columns) - len(row)) for row in rows], columns=columns)
    table["证件号码"] = table["证件号码"].replace("", pd.NA).astype("string")
    return table.astype({"_row": "int64"})


def write(tmp_path: Path, current: pd.DataFrame, resolved: pd.DataFrame | None = None,
          settings: Settings = Settings(), cores: dict | None = None) -> dict[str, Path]:
    paths = write_bureau_lists(current, resolved if resolved is not None else frame(), tmp_path, COUNTY, AS_OF,
                               settings, cores or {})
    return {path.name.split("_")[1]: path for path in paths}


def rows_of(sheet) -> list[dict]:
    header = [c.value for c in sheet[1]]
    out = []
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if all(v is None for v in row):
            break
        out.append(dict(zip(header, row)))
    return out


def listed(path: Path) -> dict[str, dict]:
    """问题编号 → row, over every finding sheet but 已销号."""
    book = openpyxl.load_workbook(path)
    return {r["问题编号"]: r for name in book.sheetnames[1:] if name != "已销号" for r in rows_of(book[name])}


# ---- which bureaus, which findings -------------------------------------------

def test_the_bureau_map_agrees_with_the_source_declarations_and_skips_absent_sources():
    assert set(BUREAUS) == {"education", "medical", "housing", "water", "hukou", "civil", "disability", "pension"}
    for name, source in SOURCES.items():
        if source.bureau:
            assert BUREAUS.get(name, source.bureau) == source.bureau, name
    assert set(bureaus()) == {name for name in BUREAUS if name in SOURCES}   # civil … only once declared
    assert "system" not in bureaus() and "ledger" not in bureaus()


def test_a_source_names_a_bureau_only_as_a_whole_part():
    sources = pd.Series(["system|medical", "medical", "housing|medical", "system|ledger", "medicalx", None, "hukou"])
    assert names_source(sources, "medical").tolist() == [True, True, True, False, False, False, False]


def test_each_bureau_list_holds_exactly_the_findings_naming_that_bureau(tmp_path):
    current = frame(finding("med", "system|medical"), finding("hou", "housing", rule="HOU01", category="住房"),
                    finding("edu", "system|education", rule="EDU01", category="教育"),
                    finding("huk", "hukou", rule="HUK01", category="身份信息"),
                    finding("led", "system|ledger", rule="ID03", category="身份信息"),
                    finding("sys", "system", rule="ID01", category="身份信息"),
                    finding("two", "medical|housing", rule="MED02"))
    resolved = frame(finding("wat", "system|water", rule="WAT02", category="饮水", status="resolved"))
    paths = write(tmp_path, current, resolved)
    assert sorted(paths) == sorted(["医保局", "住建局", "教育局", "公安局", "水利局"])   # none for system, ledger
    assert all(p.parent == tmp_path / "bureaus" and p.name == f"{COUNTY}_{b}_核查清单_2025-06-30.xlsx"
               for b, p in paths.items())
    held = {bureau: set(listed(path)) for bureau, path in paths.items()}
    assert held == {"医保局": {"med", "two"}, "住建局": {"hou", "two"}, "教育局": {"edu"}, "公安局": {"huk"},
                    "水利局": set()}
    done = rows_of(openpyxl.load_workbook(paths["水利局"])["已销号"])
    assert [(r["问题编号"], r["三色"]) for r in done] == [("wat", "绿")]


def test_no_list_without_a_bureau_finding(tmp_path):
    assert write(tmp_path, frame(finding("sys", "system"), finding("led", "system|ledger"))) == {}


# ---- the bureau's own record -------------------------------------------------

def test_the_bureaus_own_record_is_beside_the_finding(tmp_path):
    medical = records(("参保.xlsx#Sheet1", 7, ID_B, "H2"), ("参保.xlsx#Sheet1", 9, ID_A, "H1"),
                      ("参保.xlsx#Sheet1", 12, ID_A, "H1"))
    housing = records(("住房.xls#Sheet1", 4, ID_C, "H1"))
    water = records(("饮水.csv", 3, "", "", "甲镇", "一村"), ("饮水.csv", 5, ID_C, ""))
    system = pd.DataFrame({"证件号码": pd.array([ID_A, ID_C], dtype="string"), "户编号": ["H1", "H1"]})
    current = frame(
        finding("by_id", "system|medical"),                                    # first row of ID_A: 9
        finding("own", "system|medical", id_number=ID_A, file="参保.xlsx#Sheet1", row=12),   # its own row
        finding("none", "system|medical", id_number=ID_C),                     # MED01: no record
        finding("house", "system|housing", rule="HOU02", category="住房"),      # by household (owner ID_C)
        finding("water", "system|water", rule="WAT02", category="饮水"),        # a member's ID on the row
        finding("village", "water", rule="WAT01", category="饮水", household_id="H9", id_number=None),
    )
    cores = {"medical": medical, "housing": housing, "water": water, "system": system}
    paths = write(tmp_path, current, cores=cores)
    beside = {issue: (row["部门文件"], row["部门行号"]) for path in paths.values()
              for issue, row in listed(path).items()}
    assert beside == {"by_id": ("参保.xlsx#Sheet1", 9), "own": ("参保.xlsx#Sheet1", 12), "none": ("", None),
                      "house": ("住房.xls#Sheet1", 4), "water": ("饮水.csv", 5), "village": ("饮水.csv", 3)}
    headers = [c.value for c in openpyxl.load_workbook(paths["医保局"])["医疗"][1]]
    assert headers == HEADERS
    assert headers[headers.index("行号") + 1:headers.index("行号") + 3] == ["部门文件", "部门行号"]
    assert headers[-4:] == ["核查结果", "核查人", "核查日期", "核实说明"]


def test_a_person_finding_is_not_given_another_members_record():
    medical = records(("参保.xlsx#Sheet1", 7, ID_B, "H1"))
    found = bureau_records(frame(finding("a", "system|medical")), medical, "medical")
    assert found["bureau_file"].isna().all() and found["bureau_row"].isna().all()


def test_no_records_without_the_bureaus_data():
    found = bureau_records(frame(finding("a", "system|medical")), None, "medical")
    assert found.isna().all().all()


# ---- written like the township lists -----------------------------------------

def test_colours_as_in_the_township_lists(tmp_path):
    long_ago = AS_OF - dt.timedelta(days=31)
    current = frame(finding("reopened", "medical", status="reopened"), finding("new", "medical"),
                    finding("overdue", "medical", status="open", first_seen=long_ago),
                    finding("claimed", "medical", status="open", claimed_fixed=True))
    [path] = write(tmp_path, current, frame(finding("gone", "medical", status="resolved"))).values()
    book = openpyxl.load_workbook(path)
    colour_col = HEADERS.index("三色")
    seen = {row[0].value: (row[colour_col].value, fill(row[colour_col]))
            for name in ("医疗", "已销号") for row in book[name].iter_rows(min_row=2) if row[0].value
            and not str(row[0].value).startswith("部门负责人")}
    assert seen == {"reopened": ("红", RED), "overdue": ("红", RED), "claimed": ("红", RED),
                    "new": ("黄", YELLOW), "gone": ("绿", GREEN)}


def test_id_numbers_masked_as_the_mask_id_numbers_setting_says(tmp_path):
    current = frame(finding("a", "system|medical", actual=f"证件号码 {ID_B}"))
    [row] = listed(write(tmp_path / "masked", current)["医保局"]).values()
    assert row["证件号码"] == ID_A[:6] + "********" + ID_A[-4:] and ID_B not in row["实为"]
    [row] = listed(write(tmp_path / "full", current, settings=Settings(mask_id_numbers=False))["医保局"]).values()
    assert row["证件号码"] == ID_A and ID_B in row["实为"]


def test_no_cell_is_a_formula_whatever_the_input_held(tmp_path):
    current = frame(*[finding(f"h{i}", "system|medical", name=text, message=text, actual=text, village=text,
                              household_id=text) for i, text in enumerate(HOSTILE)])
    medical = records(*[(text, 3, ID_A, "") for text in HOSTILE[:1]])
    [path] = write(tmp_path, current, cores={"medical": medical}).values()
    book = openpyxl.load_workbook(path)
    cells = [c for s in book for row in s.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells) and {c.hyperlink for c in cells} == {None}
    rows = rows_of(book["医疗"])
    assert {(r["姓名"], r["问题描述"]) for r in rows} == {(text, text) for text in HOSTILE}
    assert {r["部门文件"] for r in rows} == {HOSTILE[0]}


def test_every_sheet_prints_like_a_township_list_with_the_bureaus_signature(tmp_path):
    [path] = write(tmp_path, frame(finding("a", "system|medical"), finding("b", "system|medical", township="乙镇")),
                   frame(finding("r", "medical", status="resolved"))).values()
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "医疗", "已销号"]
    for sheet in book.worksheets:
        assert (sheet.page_setup.orientation, int(sheet.page_setup.paperSize)) == ("landscape", 9), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and fit_to(sheet) == (1, 0), sheet.title
        header = sheet.oddHeader.center.text
        assert COUNTY in header and "医保局" in header and "核查清单" in header and "2025-06-30" in header
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    for name, findings_on_sheet in (("医疗", 2), ("已销号", 1)):
        sheet = book[name]
        assert sheet.print_title_rows == "$1:$1" and sheet.freeze_panes == "A2"
        assert "部门负责人（签字）" in sheet.cell(findings_on_sheet + 3, 1).value
        [validation] = sheet.data_validations.dataValidation
        column = openpyxl.utils.get_column_letter(HEADERS.index("核查结果") + 1)
        assert str(validation.sqref).startswith(f"{column}2") and "核实无误" in validation.formula1
    # The summary has a row per township (a bureau's list spans the county).
    summary = book["汇总"]
    table = {row[0]: row for row in summary.iter_rows(min_row=5, values_only=True) if row[0] is not None}
    assert [c.value for c in summary[4]][0] == "乡镇" and set(table) == {"甲镇", "乙镇", "合计"}


# ---- returned bureau lists -----------------------------------------------------

def fill_in(path: Path, answers: dict[str, tuple[str, str | None]], target: Path) -> None:
    """A bureau clerk fills 核查结果 (and 核实说明) of the rows answered and saves into `target`."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        header = [cell.value for cell in sheet[1]]
        if "问题编号" not in header:
            continue
        issue, result, reason = (header.index(h) + 1 for h in ("问题编号", "核查结果", "核实说明"))
        for row in range(2, sheet.max_row + 1):
            answer = answers.get(sheet.cell(row, issue).value)
            if answer:
                sheet.cell(row, result).value, sheet.cell(row, reason).value = answer
                sheet.cell(row, header.index("核查人") + 1).value = "王五"
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)


@pytest.fixture
def registry(registry_url, tmp_path):
    opened = open_registry(registry_url, tmp_path)
    yield opened
    opened.close()


def test_a_returned_bureau_list_claims_fixed_and_verified_for_the_next_run(registry, county, tmp_path):
    jan = registry.record_run(county, JAN, findings("A", "B", "C").assign(source="system|medical"))
    [written] = write_bureau_lists(jan.current, jan.resolved, tmp_path / "out", county, JAN, Settings(), {})
    assert written.name == f"{county}_医保局_核查清单_{JAN:%Y-%m-%d}.xlsx"
    a, b = issue_id("ID02", "A", county), issue_id("ID02", "B", county)
    fill_in(written, {a: ("已整改", None), b: ("核实无误", "医保系统登记有误，已更正")},
            tmp_path / "drop" / "feedback" / written.name)

    claims, problems = read_feedback(tmp_path / "drop")
    assert problems.empty
    assert sorted(claims[["issue_id", "status_text"]].values.tolist()) == sorted([[a, "已整改"], [b, "核实无误"]])
    assert set(claims["list_as_of"]) == {pd.Timestamp(JAN)}

    feb = registry.record_run(county, FEB, findings("A", "B", "C").assign(source="system|medical"), feedback=claims)
    current = feb.current.set_index("key")
    assert current.loc["A", "claimed_fixed"] and current.loc["A", "message"].endswith("（整改未到位）")
    assert by_key(feb.suppressed) == {"B": "suppressed"} and by_key(feb.current) == {"A": "open", "C": "open"}


def test_a_bad_answer_on_a_bureau_list_is_an_input_problem_naming_its_column(tmp_path):
    county = "测试县"
    current = findings("A", "B").assign(issue_id=lambda f: [issue_id("ID02", k, county) for k in f["key"]],
                                        status="new", source="hukou")
    [written] = write_bureau_lists(current, current.iloc[:0], tmp_path / "out", county, JAN, Settings(), {})
    a, b = issue_id("ID02", "A", county), issue_id("ID02", "B", county)
    fill_in(written, {a: ("核实无误", None), b: ("正在核查", None)}, tmp_path / "drop" / "feedback" / written.name)
    claims, problems = read_feedback(tmp_path / "drop")
    assert claims.empty
    assert sorted(problems["column"]) == ["核实说明", "核查结果"]
    assert all("核查结果" in text for text in problems["problem"])


# ---- the demo county, as a user runs it --------------------------------------

def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    from pipelines.cli import main
    from recon.demo import generate

    root = tmp_path_factory.mktemp("bureau_e2e")
    drop, out = root / "drop", root / "out"
    generate(drop, households=300, seed=7)
    assert main(["run", "--data", str(drop), "--out", str(out), "--as-of", "2025-06-30",
                 "--config", str(drop / "recon.yaml")]) == 0
    return drop, out


@pytest.mark.slow
def test_demo_bureau_lists_hold_exactly_their_bureaus_findings(demo_run):
    _, out = demo_run
    found = read_csv(out / "mismatches.csv")
    lists = {p.name.split("_")[1]: p for p in (out / "bureaus").glob("*.xlsx")}
    named = {bureau: set(found.loc[names_source(found["source"], name), "issue_id"]) for name, bureau in bureaus().items()}
    assert set(lists) == {bureau for bureau, ids in named.items() if ids}
    assert {"教育局", "医保局", "住建局", "水利局", "公安局"} <= set(lists)
    for bureau, path in lists.items():
        rows = listed(path)
        assert set(rows) == named[bureau], bureau
        name = next(n for n, b in bureaus().items() if b == bureau)
        assert all(name in r["来源"].split("|") for r in rows.values()), bureau
        assert all(r["证件号码"] == "" or r["证件号码"] is None or "********" in r["证件号码"] for r in rows.values())
    # The medical bureau sees its insurance rows beside most of its findings.
    medical = listed(lists["医保局"])
    assert sum(r["部门行号"] is not None for r in medical.values()) >= len(medical) // 2
    assert "各部门核查清单" in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_demo_returned_bureau_list_changes_the_next_run(demo_run, tmp_path):
    from pipelines.cli import main

    drop, out = demo_run
    found = read_csv(out / "mismatches.csv")
    mine = found[names_source(found["source"], "medical")]
    claimed, verified = mine["issue_id"].iloc[0], mine["issue_id"].iloc[1]
    path = next((out / "bureaus").glob("*_医保局_核查清单_2025-06-30.xlsx"))
    next_drop = tmp_path / "drop"
    shutil.copytree(drop, next_drop)
    fill_in(path, {claimed: ("已整改", None), verified: ("核实无误", "经医保局核实，参保信息无误")},
            next_drop / "feedback" / path.name)
    assert main(["run", "--data", str(next_drop), "--out", str(out), "--as-of", "2025-07-31",
                 "--config", str(drop / "recon.yaml")]) == 0
    again = read_csv(out / "mismatches.csv").set_index("issue_id")
    assert again.loc[claimed, "status"] == "open" and again.loc[claimed, "message"].endswith("（整改未到位）")
    assert verified not in again.index
    new_list = listed(next((out / "bureaus").glob("*_医保局_核查清单_2025-07-31.xlsx")))
    assert new_list[claimed]["三色"] == "红" and verified not in new_list


def html_tables(page: str) -> list[pd.DataFrame]:
    """The report's tables (header row, then numbers as int)."""
    tables = []
    for table in re.findall(r"<table>(.*?)</table>", page, flags=re.S):
        rows = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]
        body = [[int(v) if v.isdigit() else v for v in row] for row in rows[1:]]
        tables.append(pd.DataFrame(body, columns=rows[0]))
    return tables


def test_the_report_has_a_section_per_bureau_with_statuses_and_the_trend(registry, county):
    from recon.report import bureau_section

    registry.record_run(county, JAN, pd.concat([findings("A", "B").assign(source="system|medical"),
                                                findings("C", rule="HOU01").assign(source="housing")]))
    feb = registry.record_run(county, FEB, pd.concat([findings("A").assign(source="system|medical"),
                                                      findings("C", rule="HOU01").assign(source="housing"),
                                                      findings("D").assign(source="system")]))
    page = bureau_section(feb.current, feb.resolved, feb.source_history, {"ID02": "性别与证件号码不符"})
    assert page.index("<h3>医保局</h3>") < page.index("<h3>住建局</h3>") and "教育局" not in page
    overview = html_tables(page)[0].set_index("部门")
    assert overview.loc["医保局", ["持续", "未销号合计", "本次销号"]].tolist() == [1, 1, 1]
    assert overview.loc["住建局", ["持续", "未销号合计", "本次销号"]].tolist() == [1, 1, 0]
    trend = html_tables(page)[1].set_index("部门")
    assert trend.loc["医保局", [f"{JAN:%Y-%m-%d}", f"{FEB:%Y-%m-%d}"]].tolist() == [2, 1]


def test_records_without_any_usable_key_find_nothing():
    """A bureau file whose rows carry no ID, 户编号 or village (the bad-input corpus) is no error."""
    empty = records(("参保.xlsx#Sheet1", 3, "", ""))
    for source in ("medical", "housing", "water"):
        found = bureau_records(frame(finding("a", f"system|{source}")), empty, source,
                               pd.DataFrame({"证件号码": pd.array([pd.NA], dtype="string"), "户编号": [""]}))
        assert found["bureau_file"].isna().all(), source
