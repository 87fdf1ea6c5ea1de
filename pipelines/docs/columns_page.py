"""docs/columns.md, generated from the source declarations (`python -m
pipelines.docs`): per source folder the accepted header names of each column,
how its values are read, which columns find the header row and which rules
need a column; then the value sets with their accepted spellings and the
returned lists' columns. Generated so that a new spelling in recon/sources/
or recon/values.py reaches the users' page (a test fails until it does)."""
from __future__ import annotations

import pandas as pd

from recon.feedback import FEEDBACK_COLUMNS
from recon.markdown import markdown_table
from recon.sources import PERSON_COLUMNS, SOURCES, Column
from recon.values import GRADES, SEX, YES_NO

KIND_NAMES = {
    "id": "证件号码", "name": "姓名", "text": "文本", "code": "限定取值", "relation": "与户主关系",
    "sex": "性别", "date": "日期", "month": "日期或月份", "yesno": "是/否", "amount": "金额（元）",
    "int": "整数", "grade": "鉴定等级", "year": "年度", "health": "健康状况（可多项）",
    "codes": "限定取值（可多项）", "phone": "电话号码",
}
FEEDBACK_NOTES = {
    "issue_id": "问题编号（用它找到表头行，必须保留、不要改动）",
    "rule": "规则编码",
    "status_text": "填“已整改”或“核实无误”；空着表示还没有处理（部门核查清单中叫核查结果）",
    "responsible": "整改责任人（核查清单：核查人）",
    "done_on": "整改完成时间（核查清单：核查日期）",
    "reason": "核实说明：填“核实无误”时必须写明理由",
}


def generated_notice() -> str:
    return ("> 本页由程序根据代码自动生成（`python -m pipelines.docs`），请不要手工修改；"
            "代码改了以后重新运行这条命令。")


def columns_page() -> str:
    """The whole of docs/columns.md."""
    parts = [INTRO.format(notice=generated_notice()),
             "## 各数据共有的人员列 / Columns of every person-level source\n\n",
             "下面这些列在每个按人记录的文件夹（system、ledger、education、medical、housing、water、hukou）中"
             "都按同样的列名识别，各节不再重复列出。\n\n",
             markdown_table(columns_table(PERSON_COLUMNS))]
    for source in SOURCES:
        parts.append(source_section(source))
    parts += [VALUE_SETS_INTRO, markdown_table(value_sets_table()),
              KINDS_INTRO, markdown_table(kinds_table()),
              FEEDBACK_INTRO, markdown_table(feedback_table())]
    return "".join(parts)


INTRO = """\
# 可识别的列名和取值 / Accepted columns and values

{notice}

这里列出每个文件夹的文件中，recon 认得哪些列名、每一列的值怎样读。文件怎么放、表头和编码的要求见
[input.md](input.md)，各规则见 [rules.md](rules.md)。

- 列名比较前先去掉所有空白（包括全角空格和单元格内的换行）以及中英文括号，所以“乡（镇）”“乡(镇)”“乡 镇”是同一个列名。
  每一行“可用的列名”中的任何一个写法都可以。
- 每节开头写明这个文件夹的**关键列**：文件中第一个同时含有全部关键列的行才算表头。缺一个关键列，这个工作表就不读，
  原因写进 input_problems.csv。
- 各节最后的“缺少时不运行的规则”：缺少那个文件夹或那一列时，这些规则不运行（见 rules.md）。其他列可以没有。
- 不认得的列不会出错，只是不读。

"""

VALUE_SETS_INTRO = """
## 限定取值的列 / Value sets

“取值”为“限定取值”的列，值按文字（标签）比对，不按代码数字比对（各省给同一张代码表编的号不一样）。
比对前去掉所有空白，全角字母数字当作半角，英文不分大小写。不在下表中的值记入 input_problems.csv，按“不知道”处理。

"""

KINDS_INTRO = """
## 各类值怎么读 / How values are read

空着的格子一律是“不知道”：不当作“否”，也不当作 0。读不懂的值记入 input_problems.csv，这一格按“不知道”处理，这一行其他格照常使用。

"""

FEEDBACK_INTRO = """
## feedback/ 退回的整改清单和核查清单 / Returned lists

乡镇填好后退回的整改清单（recon 生成的 `townships/*.xlsx`）和部门填好后退回的核查清单（`bureaus/*.xlsx`）
按下列列名读回。表头行是含有“问题编号”的那一行。

"""


def source_section(source: str) -> str:
    declared = SOURCES[source]
    columns = declared.columns
    shared = person_level(source)
    own = {name: spec for name, spec in columns.items() if not (shared and PERSON_COLUMNS.get(name) == spec)}
    heading = (f"\n## {source}/ — {declared.title}\n\n{declared.rows}。\n\n"
               f"关键列（表头行必须有）：{'、'.join(declared.key_columns)}。\n\n")
    base = extended_source(source)
    if base:
        own = {name: spec for name, spec in own.items() if SOURCES[base].columns.get(name) != spec}
        heading += f"列与 {base}/ 相同（见上节），另有：\n\n"
    elif shared:
        heading += "除上面共有的人员列外：\n\n"
    return heading + markdown_table(columns_table(own)) + needs_lines(source)


def person_level(source: str) -> bool:
    """A source holding every person column (exemptions is not one)."""
    return all(name in SOURCES[source].columns for name in PERSON_COLUMNS)


def extended_source(source: str) -> str | None:
    """An earlier source whose columns this one repeats in full (ledger = system + more)."""
    names = list(SOURCES)
    for earlier in names[:names.index(source)]:
        columns = SOURCES[earlier].columns
        repeated = all(SOURCES[source].columns.get(name) == spec for name, spec in columns.items())
        if repeated and len(columns) > len(PERSON_COLUMNS):
            return earlier
    return None


def columns_table(columns: dict[str, Column]) -> pd.DataFrame:
    rows = []
    for name, column in columns.items():
        value = KIND_NAMES[column.kind] + (f"；{column.note}" if column.note else "")
        rows.append({"列": name, "可用的列名": "、".join(column.names), "取值": value})
    return pd.DataFrame(rows, columns=["列", "可用的列名", "取值"])


def needs_lines(source: str) -> str:
    """Which rules do not run without the folder (the optional ones) or one of its columns."""
    from checks.rules.catalog import catalog_rules   # the catalog needs recon, not the other way round
    without_folder, without_column = [], {}
    for rule in catalog_rules():
        for needed, columns in rule.needs:
            if needed != source:
                continue
            without_folder.append(rule.code)
            for column in columns:
                without_column.setdefault(column, []).append(rule.code)
    lines = []
    if not SOURCES[source].required and without_folder:
        lines.append(f"- 没有 {source}/ 文件夹（或其中没有可读的文件）：{'、'.join(dict.fromkeys(without_folder))}")
    lines += [f"- 没有“{column}”列：{'、'.join(codes)}" for column, codes in without_column.items()]
    return "\n缺少时不运行的规则：\n\n" + "\n".join(lines) + "\n" if lines else ""


def value_sets_table() -> pd.DataFrame:
    """Every coded column once (a column several sources share is one row), with the folders that have it."""
    rows: dict[tuple, dict] = {}
    for source, declared in SOURCES.items():
        for name, column in declared.coded().items():
            row = rows.setdefault((name, column.values, tuple(column.spellings.items())), {
                "列": name, "文件夹": [], "标准取值": "、".join(column.values),
                "也接受的写法": "；".join(f"{spelling} = {label}" for spelling, label in column.spellings.items())})
            row["文件夹"].append(source)
    table = pd.DataFrame(list(rows.values()), columns=["列", "文件夹", "标准取值", "也接受的写法"])
    table["文件夹"] = table["文件夹"].map("、".join)
    return table


def spelled(mapping: dict, meaning) -> str:
    return "、".join(spelling for spelling, value in mapping.items() if value == meaning)


def kinds_table() -> pd.DataFrame:
    """How each kind of value is read; the spellings come from recon/values.py."""
    chinese_grades = [spelling for spelling in GRADES if not spelling.isascii()]
    health_column = SOURCES["system"].columns["健康状况"]
    health = "；".join(f"{spelling} = {label}" for spelling, label in health_column.spellings.items())
    relation_column = PERSON_COLUMNS["与户主关系"]
    relations = "，".join(f"{spelling} = {label}" for spelling, label in relation_column.spellings.items())
    notes = {
        "yesno": f"是：{spelled(YES_NO, True)}；否：{spelled(YES_NO, False)}（不分大小写，全角半角均可）",
        "date": "2023-05-01、2023/5/1、2023.5.1、2023年5月1日、20230501、Excel 的日期格式和日期序号；带时间的只取日期",
        "month": "同“日期”；也可以只写月份（202305、2023-05、2023年5月），按该月 1 日算",
        "amount": "12345.6、12,345.6、12345.6元、¥12345.6，全角数字也可以",
        "int": "3、3.0、3人（也可带 口、个、户、名）",
        "year": "2024、2024年、2024年度",
        "sex": f"男：{spelled(SEX, '男')}；女：{spelled(SEX, '女')}",
        "grade": (f"A、B、C、D（不分大小写，可带“级”，如 C级）；{'、'.join(g + '级' for g in chinese_grades)} "
                  f"依次为 A、B、C、D"),
        "health": f"{'、'.join(health_column.values)}，几项之间用 , 、 或 ; 隔开；也接受 {health}",
        "relation": (f"去掉开头的“之”再比较：之子 = 子，之女 = 女；{relations}。认得的关系："
                     f"{'、'.join(relation_column.values)}；其他写法记入 input_problems.csv，但照原样保留"),
        "name": "去掉首尾空白；比较两处姓名时还去掉中间的空白，少数民族姓名的各种间隔点（· • ‧ ・ ．）算同一个",
        "id": "见 input.md“证件号码怎样读”：去空白、全角转半角、x 转 X、15 位转 18 位、检查校验位和出生日期",
        "text": "去掉首尾空白（包括全角空格）",
        "code": "见上一节",
        "codes": "同“限定取值”，一格可以写几项，用 , 、 或 ; 隔开（如 因病、因残）",
        "phone": ("去掉空白、-、—、括号和号码前的 +86/86；11 位手机号（1 开头，第二位 3–9）或带区号的固定电话"
                  "（0 开头，共 10–12 位）算格式正确；其他写法（太短、有字母、“无”、“0”）保留原样，由 PHN01 报告"),
    }
    return pd.DataFrame({"类型": [KIND_NAMES[kind] for kind in KIND_NAMES],
                         "怎样读": [notes[kind] for kind in KIND_NAMES]})


def feedback_table() -> pd.DataFrame:
    return pd.DataFrame([{"列": headers[0], "可用的列名": "、".join(headers), "用途": FEEDBACK_NOTES[name]}
                         for name, headers in FEEDBACK_COLUMNS.items()])
