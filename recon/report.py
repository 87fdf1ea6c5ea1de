"""report.html (CONTRACT.md §4): one self-contained page that opens offline.
Charts are inline SVG (recon/charts.py) with Chinese titles, labels and
township names as text; styles are inline; every user-derived text is
escaped and any ID-like number masked.
"""
from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pandas as pd

from recon.atomic import atomic_path
from recon.bureaus import bureaus, names_source
from recon.charts import BROWSER_FONTS, bar_chart, line_chart
from recon.guarantees import GUARANTEES
from recon.ids import mask_ids_in
from recon.labels import SEVERITY_LABELS, STATUS_LABELS
from recon.lists import township_key

SEVERITIES = SEVERITY_LABELS
STATUSES = {status: STATUS_LABELS[status] for status in ("new", "open", "reopened")}   # the open ones
CLASSES = ("A", "B", "C")

_FONTS = ",".join(f'"{font}"' if " " in font else font for font in BROWSER_FONTS)
STYLE = """
body{font-family:FONTS;margin:2em;color:#222}
h1{font-size:1.6em} h2{border-bottom:2px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0} th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left}
th{background:#eee} td.n{text-align:right} .note{color:#666}
.notice{border:1px solid #E6A100;background:#FFF8E1;padding:.2em 1em;margin:1em 0}
svg.chart{display:block;width:100%;max-width:60em;height:auto;margin:.6em 0}
"""
# Severity colours of the charts: the lists' red / yellow, and grey for low.
SEVERITY_COLOURS = ["#C0392B", "#E6A100", "#8E9BA8"]
STYLE = STYLE.replace("FONTS", _FONTS)


# ---- text -----------------------------------------------------------------

def scrub(value) -> str:
    """Text safe to put in the page: ID-like numbers masked, HTML escaped."""
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return html.escape(mask_ids_in(text))


LABEL_MAX = 24   # characters of a chart label; the table beside the chart has the whole text


def chart_labels(values: pd.Series) -> pd.Index:
    """User text as chart labels (townships, rule titles: a few dozen): ID-like
    numbers masked, cut to LABEL_MAX; the SVG writer escapes the rest."""
    def label(value) -> str:
        text = mask_ids_in(str(value)) if pd.notna(value) else ""
        return text if len(text) <= LABEL_MAX else text[:LABEL_MAX - 1] + "…"
    return pd.Index([label(v) for v in values])


def table_html(frame: pd.DataFrame, numeric: tuple[str, ...] = ()) -> str:
    """An HTML table of an (aggregated, small) frame; every cell scrubbed."""
    if frame.empty:
        return '<p class="note">（无）</p>'
    head = "".join(f"<th>{scrub(c)}</th>" for c in frame.columns)
    is_number = [c in numeric or pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{scrub(v)}</td>' if n else f"<td>{scrub(v)}</td>"
                         for v, n in zip(row, is_number)) + "</tr>"
        for row in frame.astype(object).to_numpy().tolist())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ---- sections -------------------------------------------------------------

def _as_frame(counts, columns: list[str]) -> pd.DataFrame:
    """dict / Series / frame of (key, count) as a two-column frame."""
    if counts is None:
        return pd.DataFrame(columns=columns)
    if isinstance(counts, pd.DataFrame):
        return counts.iloc[:, :2].set_axis(columns, axis=1)
    return pd.Series(counts, dtype="Int64").rename_axis(columns[0]).reset_index(name=columns[1])


def totals_section(current, resolved, suppressed, household_status, input_problems, counts_by_source) -> str:
    status = current["status"].astype("string").map(STATUSES).value_counts() if len(current) else pd.Series(dtype=int)
    registered = household_status["class"].astype("string").isin(CLASSES).sum() if len(household_status) else 0
    totals = pd.DataFrame({"项目": ["未销号问题", *[f"　其中{v}" for v in STATUSES.values()], "本次销号",
                                    "已豁免（未列入清单）", "建档户（脱贫户、监测对象）", "无法读取的输入行/文件"],
                           "数量": [len(current), *[int(status.get(v, 0)) for v in STATUSES.values()], len(resolved),
                                    _suppressed_by_rule(suppressed)["数量"].sum(), int(registered), len(input_problems)]})
    sources = _as_frame(counts_by_source, ["来源", "行数"])
    return ("<h2>概况</h2>" + table_html(totals) + "<h3>各数据源读入行数</h3>" + table_html(sources))


def notes_section(notes: list[str]) -> str:
    """Sentences about the data a reader should know before the numbers."""
    if not notes:
        return ""
    return '<div class="notice"><h2>请注意</h2>' + "".join(f"<p>{scrub(note)}</p>" for note in notes) + "</div>"


def township_section(current, resolved) -> str:
    found = pd.crosstab(township_key(current), current["severity"].astype("string")) if len(current) else pd.DataFrame()
    table = found.reindex(columns=list(SEVERITIES), fill_value=0)
    done = township_key(resolved).value_counts() if len(resolved) else pd.Series(dtype=int)
    table = table.join(done.rename("本次销号"), how="outer").fillna(0).astype(int).rename(columns=SEVERITIES)
    table.insert(3, "合计", table[list(SEVERITIES.values())].sum(axis=1))
    table = table.sort_values("合计", ascending=False).rename_axis("乡镇").reset_index()
    heading = "<h2>各乡镇问题（按严重程度）</h2>"
    if table.empty:
        return heading + table_html(table)
    by_severity = table.set_index(chart_labels(table["乡镇"]))[list(SEVERITIES.values())]
    chart = bar_chart(by_severity, "各乡镇未销号问题（按严重程度）", "未销号问题数", colours=SEVERITY_COLOURS,
                      legend_title="严重程度")
    return heading + chart + table_html(table)


def rule_section(current, rule_titles: dict[str, str]) -> str:
    if current.empty:
        return "<h2>各规则问题数</h2>" + table_html(pd.DataFrame())
    by_rule = current.groupby(current["rule"].astype("string"), observed=True).size().rename("数量")
    table = by_rule.sort_values(ascending=False, kind="stable").rename_axis("规则").reset_index()
    table.insert(1, "名称", table["规则"].map(rule_titles).fillna(""))
    severity = current.drop_duplicates("rule").set_index("rule")["severity"].map(SEVERITIES)
    table.insert(2, "严重程度", table["规则"].map(severity).fillna(""))
    # One bar per rule, labelled by code and title: the chart grows with the catalog (60+ rules).
    labels = chart_labels((table["规则"] + " " + table["名称"]).str.strip())
    chart = bar_chart(table.set_index(labels)[["数量"]], "各规则未销号问题数", "问题数")
    return "<h2>各规则问题数</h2>" + chart + table_html(table)


def trend_section(history: pd.DataFrame) -> str:
    """Findings open at each as-of date (new, open and reopened), per township."""
    heading = "<h2>各乡镇未销号问题趋势</h2>"
    if history is None or history.empty:
        return heading + '<p class="note">暂无历次运行记录。</p>'
    frame = history.assign(as_of=pd.to_datetime(history["as_of"]).dt.strftime("%Y-%m-%d"),
                           township=township_key(history))
    wide = (frame.pivot_table(index="as_of", columns="township", values="open_findings", aggfunc="sum")
            .fillna(0).astype(int))
    table = wide.T.rename_axis("乡镇").reset_index()
    chart = line_chart(wide.set_axis(chart_labels(pd.Series(wide.columns)), axis=1),
                       "各乡镇未销号问题数（历次运行）", "未销号问题数")
    return heading + chart + table_html(table)


def _status_counts(current: pd.DataFrame, resolved: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per value of `column`: open findings per status (新发现, 持续, 重现), 未销号合计 and 本次销号."""
    found = (pd.crosstab(current[column].astype("string"), current["status"].astype("string")) if len(current)
             else pd.DataFrame(index=pd.Index([], dtype=object)))
    table = found.reindex(columns=list(STATUSES), fill_value=0).rename(columns=STATUSES)
    table["未销号合计"] = table[list(STATUSES.values())].sum(axis=1)
    done = resolved[column].astype("string").value_counts() if len(resolved) else pd.Series(dtype=int)
    return table.join(done.rename("本次销号"), how="outer").fillna(0).astype(int).sort_index()


def bureau_section(current: pd.DataFrame, resolved: pd.DataFrame, source_history: pd.DataFrame | None,
                   rule_titles: dict[str, str]) -> str:
    """Per sector bureau (the bureau lists, 三单制): the findings resting on its
    data by status and rule, and how many were open at each run."""
    heading = "<h2>各部门核查清单（问题涉及的部门数据）</h2>"
    overview, parts, trend = [], [], {}
    history = _or_empty(source_history, ["as_of", "source", "open_findings"])
    for name, bureau in bureaus().items():
        mine = current[names_source(current["source"], name)] if len(current) else current
        done = resolved[names_source(resolved["source"], name)] if len(resolved) else resolved
        if len(history):
            runs = history[names_source(history["source"], name)]
            trend[bureau] = runs.groupby(pd.to_datetime(runs["as_of"]).dt.strftime("%Y-%m-%d"))["open_findings"].sum()
        if mine.empty and done.empty:
            continue
        by_rule = _status_counts(mine, done, "rule").rename_axis("规则").reset_index()
        by_rule.insert(1, "名称", by_rule["规则"].map(rule_titles).fillna(""))
        totals = by_rule.drop(columns=["规则", "名称"]).sum()
        overview.append({"部门": bureau, **totals.to_dict()})
        parts.append(f"<h3>{scrub(bureau)}</h3>" + table_html(by_rule))
    if not overview:
        return heading + '<p class="note">本次没有涉及行业部门数据的问题。</p>'
    table = pd.DataFrame(overview)
    wide = pd.DataFrame(trend).fillna(0).astype(int).sort_index()
    wide = wide.loc[:, (wide != 0).any(axis=0)] if len(wide) else wide
    trend_html = ""
    if len(wide.columns):
        trend_html = ("<h3>各部门未销号问题数（历次运行）</h3>"
                      + line_chart(wide.set_axis(chart_labels(pd.Series(wide.columns)), axis=1),
                                   "各部门数据相关的未销号问题数（历次运行）", "未销号问题数")
                      + table_html(wide.T.rename_axis("部门").reset_index()))
    return (heading + '<p class="note">每个部门一份核查清单（bureaus/ 文件夹），列出依据该部门数据发现的问题。</p>'
            + table_html(table) + trend_html + "".join(parts))


def guarantee_section(household_status: pd.DataFrame) -> str:
    """两不愁三保障: share of registered households without each gap, and the A/B/C split."""
    status = household_status.assign(**{"class": household_status["class"].astype("string")})
    registered = status[status["class"].isin(CLASSES)]
    if registered.empty:
        return '<h2>“三保障”和饮水安全达标率</h2><p class="note">没有建档户的分类结果。</p>'
    gaps = registered["gaps"].astype("string").fillna("")
    met = pd.DataFrame({g: ~gaps.str.contains(rf"(?:^|;)\s*{g}\s*(?:;|$)", regex=True) for g in (guarantee.gap for guarantee in GUARANTEES)},
                       index=registered.index)
    overall = (met.mean() * 100).round(1)
    per_township = (met.groupby(township_key(registered.rename(columns={"乡镇": "township"}))).mean() * 100).round(1)
    per_township = per_township.rename_axis("乡镇").reset_index()
    per_township.insert(1, "建档户数", registered.groupby(
        township_key(registered.rename(columns={"乡镇": "township"}))).size().to_numpy())
    rates = overall.rename("达标率（%）").rename_axis("保障").reset_index()
    classes = registered["class"].value_counts().reindex(list(CLASSES), fill_value=0)
    class_table = classes.rename("户数").rename_axis("分类").reset_index()
    class_table["占比（%）"] = (class_table["户数"] / classes.sum() * 100).round(1)
    rate_chart = bar_chart(overall.to_frame("达标率"), "建档户各项保障达标率", "达标率（%）", horizontal=False,
                           limit=100)
    class_chart = bar_chart(classes.set_axis([f"{c}类" for c in classes.index]).to_frame("户数"),
                            "建档户分类", "户数", horizontal=False)
    return ("<h2>“三保障”和饮水安全达标率</h2><p class=\"note\">建档户中没有该项缺口的比例。</p>"
            + rate_chart + table_html(rates) + table_html(per_township)
            + "<h2>建档户分类（A/B/C）</h2>" + class_chart + table_html(class_table))


def _suppressed_by_rule(suppressed) -> pd.DataFrame:
    if suppressed is None or len(suppressed) == 0:
        return pd.DataFrame({"规则": pd.Series(dtype=str), "数量": pd.Series(dtype=int)})
    if "count" in suppressed.columns:
        counts = suppressed.groupby("rule")["count"].sum()
    else:
        counts = suppressed.groupby("rule").size()
    return counts.rename("数量").rename_axis("规则").reset_index()


def gaps_section(skipped, suppressed, input_problems) -> str:
    skipped_table = (skipped[["rule", "reason"]].set_axis(["规则", "原因"], axis=1)
                     if skipped is not None and len(skipped) else pd.DataFrame())
    problems = (input_problems.groupby(input_problems["file"].astype("string").fillna("")).size()
                .sort_values(ascending=False).rename("问题数").rename_axis("文件").reset_index()
                if input_problems is not None and len(input_problems) else pd.DataFrame())
    return ("<h2>未运行的规则</h2>" + table_html(skipped_table)
            + "<h2>已豁免的问题（按规则）</h2>" + table_html(_suppressed_by_rule(suppressed))
            + "<h2>无法读取的输入（按文件）</h2>" + table_html(problems))


def _or_empty(frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """An absent input (None, or a frame without its columns) as an empty frame."""
    if frame is None or not set(columns) <= set(frame.columns):
        return pd.DataFrame(columns=columns)
    return frame


def write_report(out_path, *, county: str, as_of: dt.date, current: pd.DataFrame, resolved: pd.DataFrame,
                 suppressed: pd.DataFrame, history: pd.DataFrame, household_status: pd.DataFrame,
                 skipped: pd.DataFrame, input_problems: pd.DataFrame, counts_by_source,
                 rule_titles: dict[str, str], notes: list[str] | None = None,
                 source_history: pd.DataFrame | None = None) -> Path:
    """Write report.html atomically and return its path; `rule_titles` maps
    rule codes to their titles (the catalog's); `source_history`: the
    registry's open findings per run and finding source (the bureaus' trends)."""
    titles = rule_titles
    household_status = _or_empty(household_status, ["户编号", "乡镇", "行政村", "class", "gaps"])
    input_problems = _or_empty(input_problems, ["file", "sheet", "row", "column", "problem"])
    history = _or_empty(history, ["as_of", "township", "open_findings"])
    suppressed = _or_empty(suppressed, ["rule"])
    skipped = _or_empty(skipped, ["rule", "reason"])
    body = "".join([
        notes_section(notes or []),
        totals_section(current, resolved, suppressed, household_status, input_problems, counts_by_source),
        township_section(current, resolved),
        rule_section(current, titles),
        trend_section(history),
        bureau_section(current, resolved, source_history, titles),
        guarantee_section(household_status),
        gaps_section(skipped, suppressed, input_problems),
    ])
    title = f"{scrub(county)} 防返贫监测数据比对报告（截至 {as_of:%Y-%m-%d}）"
    page = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{STYLE}</style></head><body><h1>{title}</h1>{body}</body></html>")
    out_path = Path(out_path)
    with atomic_path(out_path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return out_path
