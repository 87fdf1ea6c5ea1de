"""A tiny but real data drop for the Dagster tests: a few households in
system/ and ledger/ CSV files, one county per call (CONTRACT.md §2)."""
from __future__ import annotations

from pathlib import Path

from factories import make_id
from files import write_csv

SYSTEM_HEADER = ["县", "乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "人数", "户类型",
                 "家庭纯收入", "人均纯收入"]
LEDGER_HEADER = ["县", "乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系"]


def household_rows(county: str, households: int, region: str = "430321") -> list[list]:
    rows = []
    for h in range(households):
        household = f"{region}{h:06d}"
        for m, relation in enumerate(("户主", "配偶")):
            person_id = make_id(region, f"19{60 + h % 30:02d}0{1 + m}15", f"{h % 900:03d}")
            rows.append([county, "城关镇", "东村", household, f"张{'一二三四五六七八九'[h % 9]}{m}", person_id,
                         relation, 2, "脱贫户", 20000, 10000])
    return rows


def write_drop(root: Path, county: str = "测试县", households: int = 4, system_id_header: str = "证件号码",
               region: str = "430321") -> Path:
    """system/ and ledger/ of one county under `root`; `system_id_header`
    renames the ID column of the system export (e.g. to break it)."""
    rows = household_rows(county, households, region)
    header = [system_id_header if c == "证件号码" else c for c in SYSTEM_HEADER]
    write_csv(Path(root) / "system" / "members.csv", [header, *rows])
    write_csv(Path(root) / "ledger" / "东村.csv", [LEDGER_HEADER, *(r[:7] for r in rows)])
    return Path(root)
