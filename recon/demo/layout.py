"""Where and how each source is written: file names, headers (aliases,
spaces, line breaks, full-width brackets), value spellings per village.

`write_drop(drop, frames, villages, formats)` writes every source folder and
returns the placement (file label, row) of the system and ledger rows that
carry a plant mark. "mixed" is the messy demo; "csv" writes every source as
plain UTF-8 CSV with canonical headers (benchmarks)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from recon.demo import cells as c
from recon.demo import extra
from recon.demo.finish import INCOME
from recon.demo.sectors import Frames
from recon.demo.write import Table, write_table

RELATION_WITH_ZHI = {"子": "之子", "女": "之女"}
LEDGER_STYLE = ["has_hhid", "has_head_id", "has_income", "has_type", "fmt", "title", "yesno", "dates", "money",
                "ordinary", "monitored_as"]
STYLES = ("export", "legacy")
# The export's 户类型 of a monitored household, by its 监测对象类别 (CONTRACT.md §2.2).
EXPORT_TYPE = {"脱贫不稳定户": "脱贫户", "边缘易致贫户": "一般农户", "突发严重困难户": "一般农户"}


def export_types(types: pd.Series, categories: pd.Series) -> pd.Series:
    """户类型 as the national export writes it: a monitored household (the demo's
    监测户 with a 监测对象类别) is 脱贫户 or 一般农户 by its category. A 监测户
    without category (a ledger plant) stays as written."""
    export = categories.map(EXPORT_TYPE)
    return export.where((types == "监测户") & export.notna(), types)


def _system_table(system: pd.DataFrame, messy: bool, year: int, county: str, style: str = "legacy") -> Table:
    if style == "export":   # the national export: types by category, 在校生状况 empty for people not at school
        system = system.assign(户类型=export_types(system["户类型"], system["监测对象类别"]),
                               在校生情况=system["在校生情况"].replace("非在校生", ""))
    text = not messy
    months = (lambda s: c.date_text(s, "month")) if messy else c.date_text
    columns = [
        ("县", "县(市、区、旗)", c.text_cells(system["县"])),
        ("乡镇", "乡(镇)", c.text_cells(system["township"])),
        ("行政村", "行政村", c.text_cells(system["village"])),
        ("户编号", "户编号", system["户编号"].astype(object) if text else system["户编号"].astype("int64").astype(object)),
        ("人编号", "人编号", c.text_cells(system["人编号"])),
        ("姓名", "姓名", c.text_cells(system["姓名"])),
        ("性别", "性别", c.text_cells(system["性别"])),
        ("证件号码", "证件号码", c.id_cells(system["证件号码"], text)),
        ("出生日期", "出生日期", c.date_text(system["出生日期"])),
        ("与户主关系", "与户主关系", system["与户主关系"].map(RELATION_WITH_ZHI).fillna(system["与户主关系"]) if messy
         else c.text_cells(system["与户主关系"])),
        ("人数", "人数", system["人数"].astype("int64").astype(object)),
        ("户类型", "户类型", c.text_cells(system["户类型"])),
        ("监测对象类别", "监测对象类别", c.text_cells(system["监测对象类别"])),
        ("纳入监测时间", "识别监测时间", months(system["纳入监测时间"])),
        ("风险是否消除", "风险是否已消除", c.yesno(system["风险是否消除"])),
        ("风险消除时间", "消除监测时间", months(system["风险消除时间"])),
        ("首次帮扶时间", "首次帮扶时间", c.date_text(system["首次帮扶时间"])),
        ("最近回访时间", "最近回访时间", c.date_text(system["最近回访时间"])),
        ("在校生情况", "在校生状况", c.text_cells(system["在校生情况"])),
        ("健康状况", "健康状况", c.text_cells(system["健康状况"])),
        ("劳动技能", "劳动技能", c.text_cells(system["劳动技能"])),
        ("是否参加城乡居民基本医疗保险", "是否参加城乡居民基本医疗保险", c.yesno(system["是否参加城乡居民基本医疗保险"])),
        ("是否参加城镇职工基本医疗保险", "是否参加城镇职工基本医疗保险", c.yesno(system["是否参加城镇职工基本医疗保险"])),
        # The real export asks the opposite question: 是否危房户 = 是 means unsafe.
        ("住房安全", "是否危房户", c.yesno(~system["住房安全"].astype(bool)) if messy else c.yesno(system["住房安全"])),
        ("饮水安全", "是否解决安全饮用水", c.yesno(system["饮水安全"])),
        *[(name, "家庭年纯收入" if name == "家庭纯收入" and messy else name, c.amounts(system[name], text))
          for name in INCOME],
        ("致贫原因", "主要致贫原因", c.text_cells(system["致贫原因"])),
        ("致贫原因2", "致贫/返贫风险2", c.text_cells(system["致贫原因2"])),
        ("户联系电话", "联系电话", c.text_cells(system["户联系电话"])),
        ("是否参加城乡居民基本养老保险", "是否参加城乡居民基本养老保险", c.yesno(system["是否参加城乡居民基本养老保险"])),
        ("是否参加城镇职工基本养老保险", "是否参加城镇职工基本养老保险", c.yesno(system["是否参加城镇职工基本养老保险"])),
        *_assistance_columns(system, messy),
        *_extra_columns(system, messy, text),
    ]
    header = [alias if messy else canonical for canonical, alias, _ in columns]
    frame = pd.DataFrame({i: values.to_numpy() for i, (_, _, values) in enumerate(columns)}, index=system.index)
    if not messy:
        return Table(header, frame)
    # Two sheets split at a household boundary, a title above, notes below.
    starts = system["户编号"].ne(system["户编号"].shift()).to_numpy().nonzero()[0]
    later = starts[starts >= len(system) // 2]
    split = int(later[0]) if len(later) else len(system)
    total_people = int(system["人数"].groupby(system["户编号"]).first().sum())
    trailer = [["合计"] + [""] * 10 + [total_people], ["填表人：张建华    审核人：李明"]]
    frame.insert(0, "序号", range(1, len(frame) + 1))
    return Table(["序号"] + header, frame, title=[f"{county}{year}年脱贫户家庭成员信息表", "单位：人、元"],
                 trailer=trailer, sheets=["Sheet1", "Sheet2"], splits=[split, len(system) - split])


def _assistance_columns(system: pd.DataFrame, messy: bool) -> list:
    """享受低保, 特困供养, 残疾类别, 残疾等级 (recon/demo/assistance.py), as the export spells them."""
    if "享受低保" not in system.columns:
        return []
    def policy(flag: pd.Series, label: str) -> pd.Series:
        return pd.Series(np.where(flag.astype(bool), label, "未享受"), index=flag.index, dtype=object) if messy else c.yesno(flag)
    return [("享受低保", "享受低保政策情况", policy(system["享受低保"], "农村低保")),
            ("特困供养", "享受特困供养政策情况", policy(system["特困供养"], "农村特困")),
            ("残疾类别", "残疾类别", c.text_cells(system["残疾类别"])), ("残疾等级", "残疾等级", c.text_cells(system["残疾等级"]))]


def _extra_columns(system: pd.DataFrame, messy: bool, text: bool) -> list:
    """Columns the contract does not list (recon/demo/extra.py), as the export spells them."""
    if "住房面积" not in system.columns:
        return []
    headers = extra.COLUMNS
    return [("住房面积", headers["住房面积"], c.amounts(system["住房面积"], text)),
            ("是否参加大病保险", headers["是否参加大病保险"], c.text_cells(system["是否参加大病保险"])),
            ("健康帮扶措施", headers["健康帮扶措施"], c.text_cells(system["健康帮扶措施"])),
            ("危房改造时间", headers["危房改造时间"], c.date_text(system["危房改造时间"], "cn" if messy else "iso")),
            ("帮扶责任人", headers["帮扶责任人"], c.text_cells(system["帮扶责任人"])),
            ("帮扶责任人电话", headers["帮扶责任人电话"], c.text_cells(system["帮扶责任人电话"]))]


def _ledger_table(ledger: pd.DataFrame, style: pd.Series, messy: bool) -> Table:
    as_excel = style["fmt"] in ("xlsx", "xls") and messy
    text = not as_excel
    yn = style["yesno"] if messy else "是否"
    if not messy:
        birth = c.date_text(ledger["出生日期"])
    elif style["dates"] == "cell":
        birth = c.date_cells(ledger["出生日期"]) if as_excel else c.date_text(ledger["出生日期"])
    else:
        birth = c.date_text(ledger["出生日期"], style["dates"])
    kind = ledger["户类型"].where(ledger["户类型"] != "一般农户", style["ordinary"] if messy else "一般农户")
    columns = [("县", "县", c.text_cells(ledger["县"])), ("乡镇", "乡（镇）", c.text_cells(ledger["township"])),
               ("行政村", "村", c.text_cells(ledger["village"]))]
    if style["has_hhid"]:
        columns.append(("户编号", "户 编 号", c.text_cells(ledger["户编号"])))
    columns += [("姓名", "姓  名", c.text_cells(ledger["姓名"])),
                ("证件号码", "身份证\n号码", c.id_cells(ledger["证件号码"], text)),
                ("与户主关系", "与户主\n关系", c.text_cells(ledger["与户主关系"])),
                ("性别", "性别", c.text_cells(ledger["性别"])), ("出生日期", "出生日期", birth)]
    if style["has_head_id"]:
        columns.append(("户主证件号码", "户主身份证号", c.id_cells(ledger["户主证件号码"], text)))
    columns.append(("人数", "家庭人口数", ledger["人数"].astype("int64").astype(object)))
    if style["has_type"] and style["monitored_as"] == "category":   # as the export: 户类型 and 监测对象类别
        kind = export_types(kind, ledger["监测对象类别"])
        columns += [("户类型", "户类型", c.text_cells(kind)), ("监测对象类别", "监测对象类别", c.text_cells(ledger["监测对象类别"])),
                    ("风险是否消除", "风险是否消除", c.yesno(ledger["风险是否消除"], yn))]
    elif style["has_type"]:
        columns += [("户类型", "户类型", c.text_cells(kind)), ("风险是否消除", "风险是否消除", c.yesno(ledger["风险是否消除"], yn))]
    if style["has_income"]:
        money = style["money"] if messy else "plain"
        columns += [(name, name, c.amounts(ledger[name], text, money)) for name in INCOME]
    columns.append(("备注", "备注", pd.Series("", index=ledger.index, dtype=object)))
    header = [alias if messy else canonical for canonical, alias, _ in columns]
    frame = pd.DataFrame({i: v.to_numpy() for i, (_, _, v) in enumerate(columns)}, index=ledger.index)
    return Table(header, frame, title=["脱贫户（监测户）户册"] if as_excel and style["title"] else [])


def _simple(frame: pd.DataFrame, columns: list[tuple[str, str, pd.Series]], messy: bool) -> Table:
    header = [alias if messy else canonical for canonical, alias, _ in columns]
    return Table(header, pd.DataFrame({i: v.to_numpy() for i, (_, _, v) in enumerate(columns)}, index=frame.index))


def write_drop(drop: Path, f: Frames, villages: pd.DataFrame, formats: str, as_of_year: int,
               county: str, style: str = "export") -> pd.DataFrame:
    messy = formats == "mixed"
    placements = []
    fmt = (lambda wanted: wanted) if messy else (lambda wanted: "csv")
    ext = {"xlsx": ".xlsx", "xls": ".xls", "csv": ".csv", "csv_bom": ".csv", "csv_gbk": ".csv"}

    system_file = drop / "system" / (f"{county}_脱贫户家庭成员信息{ext[fmt('xlsx')]}")
    placed = write_table(system_file, fmt("xlsx"), _system_table(f.system, messy, as_of_year, county, style))
    placements.append(placed.assign(_mark=f.system["_mark"].to_numpy(), source="system"))

    # Cells are made once per ledger style (not per village: a province has thousands).
    ledger = f.ledger.assign(village_no=f.ledger["hh"].map(_village_of(f)))
    styles = LEDGER_STYLE if messy else LEDGER_STYLE[:4]
    for _, same_style in villages[villages["has_ledger"]].groupby(styles, sort=True):
        rows = ledger[ledger["village_no"].isin(same_style.index)]
        table = _ledger_table(rows, same_style.iloc[0], messy)
        for village_no, positions in sorted(rows.groupby("village_no").indices.items()):
            style = villages.loc[village_no]
            kind = fmt(style["fmt"])
            path = drop / "ledger" / style["township"] / f"{style['village']}户册{ext[kind]}"
            title = [f"{style['township']}{style['village']}{t}" for t in table.title]
            one = Table(table.header, table.cells.iloc[positions], title=title)
            placed = write_table(path, kind, one)
            placements.append(placed.assign(_mark=rows["_mark"].iloc[positions].to_numpy(), source="ledger"))

    edu = f.education
    write_table(drop / "education" / "学籍及资助名单.csv", fmt("csv_gbk"), _simple(edu, [
        ("姓名", "学生姓名", c.text_cells(edu["姓名"])), ("证件号码", "身份证号", c.text_cells(edu["证件号码"])),
        ("学校名称", "就读学校", c.text_cells(edu["学校名称"])), ("学段", "学段", c.text_cells(edu["学段"])),
        ("年级", "年级", c.text_cells(edu["年级"])), ("学籍状态", "学籍状态", c.text_cells(edu["学籍状态"])),
        ("资助项目", "享受资助", c.text_cells(edu["资助项目"]))], messy))
    med = f.medical
    write_table(drop / "medical" / f"{as_of_year}年度参保名单{ext[fmt('xlsx')]}", fmt("xlsx"), _simple(med, [
        ("姓名", "参保人姓名", c.text_cells(med["姓名"])), ("证件号码", "公民身份号码", c.text_cells(med["证件号码"])),
        ("参保年度", "年度", med["参保年度"].astype("int64").astype(object)),
        ("参保状态", "参保状态", c.text_cells(med["参保状态"])), ("险种", "参保险种", c.text_cells(med["险种"])),
        ("资助参保", "是否资助参保", c.text_cells(med["资助参保"])),
        ("个人自付费用", "自付金额", c.amounts(med["个人自付费用"], not messy))], messy))
    for township, rows in f.housing.groupby("township", sort=True):
        with_number = messy is False or hash_stable(township) % 2 == 0
        columns = [("乡镇", "乡镇", c.text_cells(rows["township"])), ("行政村", "行政村", c.text_cells(rows["village"]))]
        if with_number:
            columns.append(("户编号", "户编号", c.text_cells(rows["户编号"])))
        columns += [("姓名", "姓名", c.text_cells(rows["姓名"])),
                    ("证件号码", "户主身份证号", c.text_cells(rows["证件号码"])),
                    ("鉴定等级", "房屋安全等级", c.text_cells(rows["鉴定等级"])),
                    ("鉴定日期", "鉴定日期", c.date_cells(rows["鉴定日期"]) if messy else c.date_text(rows["鉴定日期"])),
                    ("纳入改造", "是否纳入危房改造", c.text_cells(rows["纳入改造"])),
                    ("竣工验收", "竣工验收", c.text_cells(rows["竣工验收"])),
                    ("保障方式", "保障方式", c.text_cells(rows["保障方式"]))]
        write_table(drop / "housing" / f"{township}农村住房安全鉴定{ext[fmt('xls')]}", fmt("xls"), _simple(rows, columns, messy))
    water = f.water
    write_table(drop / "water" / "农村饮水安全台账.csv", fmt("csv_bom"), _simple(water, [
        ("乡镇", "乡镇", c.text_cells(water["township"])), ("行政村", "行政村", c.text_cells(water["village"])),
        ("户编号", "户编号", c.text_cells(water["户编号"])), ("证件号码", "证件号码", c.text_cells(water["证件号码"])),
        ("姓名", "姓名", c.text_cells(water["姓名"])), ("供水方式", "供水方式", c.text_cells(water["供水方式"])),
        *[(name, "用水方便程度达标" if name == "用水方便达标" and messy else name, c.text_cells(water[name]))
          for name in ("水量达标", "水质达标", "用水方便达标", "供水保证率达标", "是否饮水安全")]], messy))
    huk = f.hukou
    write_table(drop / "hukou" / f"户籍状态{ext[fmt('xlsx')]}", fmt("xlsx"), _simple(huk, [
        ("姓名", "姓名", c.text_cells(huk["姓名"])), ("证件号码", "公民身份号码", c.text_cells(huk["证件号码"])),
        ("性别", "性别", c.text_cells(huk["性别"])), ("户籍状态", "人口状态", c.text_cells(huk["户籍状态"])),
        ("注销日期", "变动日期", c.date_cells(huk["注销日期"]) if messy else c.date_text(huk["注销日期"]))], messy))
    placed = pd.concat(placements, ignore_index=True)
    return placed[placed["_mark"] != ""]


def _village_of(f: Frames) -> pd.Series:
    """hh → village_no, from the system rows (every household has one)."""
    return f.system.drop_duplicates("hh").set_index("hh")["village_no"]


def hash_stable(text: str) -> int:
    return sum(text.encode("utf-8"))
