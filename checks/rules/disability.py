"""Disability (残疾人): DIS01–DIS03 (RULES.md §Disability), the 残联's
certificates against the system's 健康状况 and 残疾类别.

A certificate (CONTRACT.md §2.11) is valid when 证件状态 says so or the
column is absent, not valid when it says so, and of unknown standing when
the cell is empty; a 20-character 残疾人证 number gives its person (the first
18 characters) and, where the row's cells are empty, category and grade
(recon/normalise.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from checks.rules.base import RuleContext, empty_findings, findings, group, rule
from checks.rules.common import joined_per_group, members, person_codes, persons_among

GROUP = group("disability", order=100, title="残疾人 / disability", category="兜底保障")

VALID = ("有效", "正常")
NOT_VALID = ("注销", "过期", "失效")
DIS_ACTION = "与残联核对残疾人证：系统填错的改正健康状况或残疾类别；证件信息有误的请残联核实。"


def certificates(ctx: RuleContext) -> pd.DataFrame:
    """Certificates with a valid person number: standing (valid / not valid /
    unknown) and the person code of recon.match."""
    certs = ctx.source("disability")
    certs = certs[certs["_id_valid"].to_numpy(bool)]
    if "证件状态" in certs.columns:
        status = certs["证件状态"]
        standing = np.select([status.isin(VALID).fillna(False).to_numpy(bool),
                              status.isin(NOT_VALID).fillna(False).to_numpy(bool)], ["valid", "not valid"], "unknown")
    else:
        standing = np.full(len(certs), "valid")
    return certs.assign(standing=standing, person=person_codes(ctx, certs["证件号码"]))


def disabled(persons: pd.DataFrame) -> pd.Series:
    """健康状况 holds 残疾 (NA where unknown)."""
    health = persons["健康状况"].astype("string")
    return health.str.contains("(?:^|、)残疾(?:、|$)", regex=True)


@rule("DIS01", group=GROUP, level="person", severity="medium", key=("id_number",), title="持证残疾人健康状况未填残疾",
      needs=(("disability", ()), ("system", ("健康状况",))), action=DIS_ACTION,
      meaning="残联数据中这名成员持有有效的残疾人证，但系统中的健康状况没有“残疾”。")
def certified_not_disabled(ctx: RuleContext) -> pd.DataFrame:
    persons, certs = members(ctx), certificates(ctx)
    holds = persons_among(ctx, certs.loc[certs["standing"] == "valid", "person"].to_numpy())[persons["_person"].to_numpy()]
    hit = persons[holds & (~disabled(persons)).fillna(False).to_numpy(bool)]
    if hit.empty:
        return empty_findings()
    message = (hit["name"].astype("string").fillna("该成员") + "持有有效的残疾人证，但系统中健康状况为“"
               + hit["健康状况"].astype("string") + "”，没有残疾，请核实")
    return findings(hit.assign(source="system|disability", field="健康状况", actual=hit["健康状况"], expected="残疾",
                               message=message))


@rule("DIS02", group=GROUP, level="person", severity="medium", key=("id_number",), title="系统填残疾但无残疾人证",
      needs=(("disability", ()), ("system", ("健康状况",))), action=DIS_ACTION,
      meaning="系统中健康状况为“残疾”，但残联数据中没有这名成员有效（或状态不明）的残疾人证：可能未办证或证件已失效。")
def disabled_without_certificate(ctx: RuleContext) -> pd.DataFrame:
    persons, certs = members(ctx), certificates(ctx)
    backed = persons_among(ctx, certs.loc[certs["standing"] != "not valid", "person"].to_numpy())[persons["_person"].to_numpy()]
    hit = persons[disabled(persons).fillna(False).to_numpy(bool) & ~backed]
    if hit.empty:
        return empty_findings()
    message = (hit["name"].astype("string").fillna("该成员") + "在系统中健康状况为残疾，但残联数据中没有其有效的残疾人证，"
               "请核实是否需要办证或更正健康状况")
    return findings(hit.assign(source="system|disability", field="健康状况", actual="残疾", expected="持有效残疾人证",
                               message=message))


@rule("DIS03", group=GROUP, level="person", severity="low", key=("id_number",), title="残疾类别与残疾人证不符",
      needs=(("disability", ("残疾类别",)), ("system", ("残疾类别",))), action=DIS_ACTION,
      meaning="系统中的残疾类别与这名成员有效残疾人证上的类别都不一样（例如系统填“肢体”，证上是“视力”）。")
def category_differs(ctx: RuleContext) -> pd.DataFrame:
    persons, certs = members(ctx), certificates(ctx)
    certs = certs[(certs["standing"] == "valid").to_numpy() & certs["残疾类别"].notna().to_numpy(bool)]
    system_category = persons["残疾类别"].astype("string")
    with_certs = persons_among(ctx, certs["person"].to_numpy())[persons["_person"].to_numpy()]
    pairs = pd.MultiIndex.from_arrays([certs["person"].to_numpy(), certs["残疾类别"].astype("string").to_numpy()])
    same = pd.MultiIndex.from_arrays([persons["_person"].to_numpy(), system_category.to_numpy()]).isin(pairs)
    hit_mask = system_category.notna().to_numpy(bool) & with_certs & ~same
    hit = persons[hit_mask]
    if hit.empty:
        return empty_findings()
    categories = joined_per_group(certs["person"], certs["残疾类别"], "、")
    on_certificate = categories.reindex(hit["_person"].to_numpy()).to_numpy()
    message = (hit["name"].astype("string").fillna("该成员") + "在系统中的残疾类别为“" + hit["残疾类别"].astype("string")
               + "”，残疾人证上为“" + pd.Series(on_certificate, index=hit.index, dtype="string") + "”，请核实")
    return findings(hit.assign(source="system|disability", field="残疾类别", actual=hit["残疾类别"],
                               expected=pd.Series(on_certificate, index=hit.index, dtype="string"), message=message))
