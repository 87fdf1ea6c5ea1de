"""docs/rules.md, generated from the rule registry (`python -m pipelines.docs`):
how a clerk reads a finding, the catalog table (`recon rules --format
markdown` with the default settings), the settings, and one section per rule
with its meaning and what to do about it.

The page is written for township and county clerks, in Chinese. The texts
that are not about one rule (reading a finding, the settings) live here; a
rule's own texts live with the rule."""
from __future__ import annotations

import json

import pandas as pd

from checks.rules.base import GROUPS, Rule
from checks.rules.catalog import catalog_rules, catalog_table, setting_value
from checks.rules.run import group_names
from pipelines.docs.columns_page import generated_notice
from recon.markdown import markdown_table
from recon.settings import Settings, config_schema
from recon.sources import SOURCES

SEVERITY_NAMES = {"high": "高", "medium": "中", "low": "低"}
LEVEL_NAMES = {"row": "一行数据", "person": "一个人", "household": "一户", "village": "一个村"}

INTRO = """\
# 核对规则 / Rule catalog

{notice}

本页列出 recon 做的每一项核对（规则）：查什么、需要哪些数据、读取哪些设置，以及发现问题后该怎么处理。
规则编码（如 ID01、MON03）就是 mismatches.csv 的 `rule` 列和整改清单的“规则”列。
数据怎么准备见 [input.md](input.md)，可识别的列名见 [columns.md](columns.md)，
各个输出文件见 [outputs.md](outputs.md)。

想看本县配置下每条规则的设置值，运行：

```sh
recon rules --config 本县配置.yaml            # 表格
recon rules --config 本县配置.yaml --format csv > 规则目录.csv
```

## 怎样看一条问题 / Reading a finding

每条问题（finding）占一行：哪条规则、哪个乡镇哪个村、哪一户（户编号）、哪个人（证件号码、姓名）、
问题出在哪一项（字段），两边各是什么（应为、实为），以及一句问题描述。
来自某一行数据的问题还写明文件名和行号（Excel 为工作表中的行号，CSV 为第几行），可以直接找到那一行。

### 严重程度 / severity

| severity | 清单中 | 意思 |
|---|---|---|
| high | 高 | 关系到识别是否准确、“三保障”和饮水安全是否落实，应优先核实 |
| medium | 中 | 两处数据互相矛盾，核实后要统一 |
| low | 低 | 可能是录入小错误或需要留意的情况 |

### 状态 / status

| status | 清单中 | 意思 |
|---|---|---|
| new | 新发现 | 上次核对时没有这条问题 |
| open | 持续 | 上次核对时已报，这次仍然存在 |
| reopened | 重现 | 以前销号过，这次又出现了（回头看发现的反弹） |
| resolved | 已销号 | 上次有、这次没有了；列在整改清单的“已销号”工作表 |
| unchecked | — | 上次有，这次因为缺数据该规则没有运行：既不销号也不报，等下次数据齐了再核对 |

“上次”是指同一个县、统计截止日期更早的最近一次核对。同一个截止日期重跑，会替换那一次的结果。
同一条问题每次核对的问题编号（issue_id）都相同，可以按它跟踪。

### 三色 / colours

- **红**：重现的问题；清单退回时填了“已整改”、这次却仍然发现的问题（问题描述后加“（整改未到位）”）；
  首次发现后超过 overdue_days 天（默认 {overdue_days} 天）仍未销号的问题。
- **黄**：其他未销号的问题。
- **绿**：本次销号的问题。

### 反馈：已整改、核实无误 / Feedback

整改清单每行后面留有四列给乡镇填写：整改责任人、整改情况、整改完成时间、核实说明。

- 整改情况填 **已整改**：表示已经改正。下次核对时问题不再出现，就销号（绿）；仍然出现，就标红并注明“整改未到位”。
- 整改情况填 **核实无误**，并在核实说明中写明理由：表示经核实数据没有错，问题不成立（例如孩子在省外就读）。
  这条问题以后不再报告，直到它所依据的数据（字段、应为、实为）发生变化。没写理由的不算。
- 填好的清单放进下次数据的 `feedback/` 文件夹；不要改文件名中的日期，也不要改“问题编号”一列。
- 县里的豁免清单（`exemptions/` 文件夹）也可以让某条规则对某个人或某一户不再报告。
  被豁免的问题不会悄悄消失：报告中按规则列出豁免的数量。

### 用语 / Terms

- **建档户**：系统中的脱贫户或监测户。规则没有特别说明时，只看建档户和它们的成员。
- **监测户**：纳入监测的户（监测对象）——系统中“监测对象类别”有值（脱贫不稳定户、边缘易致贫户、突发严重困难户），
  或者户类型写的是“监测户”。脱贫不稳定户的户类型仍是脱贫户，所以它既是脱贫户，也是监测户。
- **脱贫户**：户类型为脱贫户的户，不论是否纳入监测；规则写“没有纳入监测的脱贫户”时才不含监测户。
- **成员**：建档户中户籍没有注销的人。**已注销**：公安户籍数据中为死亡注销或迁出注销，且注销日期不晚于统计截止日期。
- **户的信息**（人数、户类型、风险是否消除、各项日期和收入、住房安全、饮水安全）按户主那一行读；没有户主的户按它的第一行读。
- **年龄**：按证件号码中的出生日期，算到统计截止日期的周岁。证件号码无效的人不做与年龄有关的检查。
- **统计截止日期**：运行时 `--as-of` 给的日期，不给就是当天。年龄、学年、各种期限都按它算。
- **空着的格子**算“不知道”，不当作 0 或“否”；规则要用的值不知道时，不报问题。

### 规则没有运行时

一条规则需要的数据源（文件夹）或列缺少时，这条规则不运行；报告的“未运行的规则”一节和 `recon run`
结束时的提示会写明缺什么。下表“needs”一列和下面各规则的“需要的数据”说明每条规则要什么。
"""

SETTINGS_INTRO = """\
## 设置项 / Settings

设置项写在配置文件（YAML）中，运行时用 `--config 文件` 指定；没写的取默认值。写错设置项名或值的，
`recon run` 和 `recon rules` 都会用一行说明哪里不对，不会开始核对。例如：

```yaml
# yaml-language-server: $schema=/path/to/recon/docs/config.schema.json
monitoring_threshold: {2024: 7300, 2025: 8700}
compulsory_age_max: 16
mask_id_numbers: true
stage_ages: {小学: [6, 14]}        # 只改写出的学段，其余学段用默认值
rules:
  MON04: {enabled: false}          # 不运行这条规则
  ID03: {severity: low}            # 改变这条规则的严重程度
```

`rules:` 下按规则编码写 `enabled`（true 或 false，默认 true）和 `severity`（high、medium 或 low，
默认用下面目录中的），编码须是本页目录中的规则。停用的规则不运行，报告、`recon rules` 和 Dagster
界面中写明“配置中已停用”；它以前发现、尚未销号的问题不会被销号，重新启用后继续为“持续”。

本县自己的核查（`checks:`）和导出表中目录没有列出的列（`columns:`）写法见 [checks.md](checks.md)。

第一行注释让编辑器（如 VS Code 的 YAML 扩展）按 [config.schema.json](config.schema.json) 检查配置文件、
提示设置项名称和说明：`$schema=` 后写这个文件的路径（相对于配置文件，或绝对路径）。

"""


def rules_page() -> str:
    """The whole of docs/rules.md."""
    defaults = Settings()
    rules = catalog_rules()
    parts = [INTRO.format(notice=generated_notice(), overdue_days=defaults.overdue_days),
             "\n## 规则一览 / Catalog\n\n按默认设置列出；本县的设置值用 `recon rules --config` 查看。\n\n",
             markdown_table(catalog_table(defaults)), "\n",
             SETTINGS_INTRO, markdown_table(settings_table(defaults, rules))]
    for group in group_names():
        in_group = [rule for rule in rules if rule.group == group]
        if in_group:
            parts.append(f"\n## {GROUPS[group].title}\n")
            parts += [rule_section(rule, defaults) for rule in in_group]
    return "".join(parts)


def settings_table(settings: Settings, rules: list[Rule]) -> pd.DataFrame:
    """Every setting with its default, what it means (the field's description,
    which is also the JSON Schema's) and the rules of the catalog that read it."""
    rows = []
    for name in Settings.setting_names():
        readers = [rule.code for rule in rules if name in rule.settings]
        rows.append({"设置项": f"`{name}`", "默认值": setting_value(getattr(settings, name)),
                     "含义": Settings.model_fields[name].description, "读取它的规则": "、".join(readers) or "—"})
    return pd.DataFrame(rows)


def config_schema_page() -> str:
    """docs/config.schema.json: the config's JSON Schema, `rules:` offering the catalog's codes."""
    titles = {rule.code: rule.title for rule in catalog_rules()}
    return json.dumps(config_schema(titles), ensure_ascii=False, indent=2) + "\n"


def rule_section(rule: Rule, defaults: Settings) -> str:
    lines = [f"\n### {rule.code} {rule.title}\n",
             f"- 严重程度：{SEVERITY_NAMES[rule.severity]}（{rule.severity}）",
             f"- 一条问题对应：{LEVEL_NAMES[rule.level]}",
             f"- 需要的数据：{needs_sentence(rule)}",
             f"- 读取的设置：{settings_sentence(rule, defaults)}",
             f"- 整改清单工作表：{rule.category}",
             "",
             f"**含义**：{rule.meaning}",
             "",
             f"**怎么处理**：{rule.action}",
             ""]
    return "\n".join(lines)


def needs_sentence(rule: Rule) -> str:
    """`system/（系统导出）的列 户类型；medical/（医保数据）` — or that the required sources suffice."""
    if not rule.needs:
        return "必需的 system/ 和 ledger/ 即可"
    parts = []
    for source, columns in rule.needs:
        folder = f"{source}/（{SOURCES[source].title}）"
        parts.append(f"{folder}的列 {'、'.join(columns)}" if columns else folder)
    return "；".join(parts) + "——缺少时本规则不运行"


def settings_sentence(rule: Rule, defaults: Settings) -> str:
    if not rule.settings:
        return "无"
    return "、".join(f"`{name}`（默认 {setting_value(getattr(defaults, name))}）" for name in rule.settings)
