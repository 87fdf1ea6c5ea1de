"""Columns of the system export that the contract does not list (CONTRACT.md
§2: real exports carry ≈180 columns) — 住房面积, 是否参加大病保险, 健康帮扶措施,
危房改造时间, 帮扶责任人, 帮扶责任人电话 — with plausible values, so that a
county's own checks (RULES.md §Profiles, examples/county_checks.yaml) have
columns to read in the demo drop.

No catalog rule reads these columns, and they are drawn from a generator of
their own (seeded from the demo's seed): the answer key and every built-in
rule's findings stay exactly as they are without them. A few values are
doubtful on purpose (a tiny dwelling, a measure missing for a sick member, a
malformed phone, a renovation dated before 2014), as in real exports, so the county's checks find something."""
from __future__ import annotations

import numpy as np
import pandas as pd

# canonical name (as examples/county_checks.yaml declares it) → header in the messy export
COLUMNS = {"住房面积": "住房面积（平方米）", "是否参加大病保险": "是否参加大病保险", "健康帮扶措施": "健康帮扶措施",
           "危房改造时间": "危房改造竣工时间", "帮扶责任人": "帮扶责任人", "帮扶责任人电话": "帮扶责任人联系电话"}
# The stream of these draws: apart from the demo's own, so adding a column never moves a plant.
STREAM = 21
SICK = ("长期慢性病", "患有大病")
MEASURES = np.array(["家庭医生签约服务", "先诊疗后付费", "大病专项救治", "医疗救助", "慢病门诊报销"])
DISABILITY_MEASURE = "残疾人康复服务"
CADRE_SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗"))
CADRE_GIVEN = np.array(["建国", "晓东", "海燕", "志强", "丽娟", "文华", "国庆", "春梅", "明辉", "玉兰", "德明", "红霞"])


def add_columns(system: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The system member rows with the extra columns (household fields repeat on member rows)."""
    rng = np.random.default_rng([seed, STREAM])
    households = system.drop_duplicates("hh").set_index("hh")
    n = len(households)
    registered = households["户类型"].isin(["脱贫户", "监测户"]).to_numpy() | households["监测对象类别"].fillna("").ne("").to_numpy()

    # 住房面积: most 40–200 m², a few very small ones, a few left empty.
    area = np.clip(rng.normal(105, 35, n), 36, 260).round(1)
    area = np.where(rng.random(n) < 0.03, rng.uniform(8, 14.5, n).round(1), area)
    area = np.where(rng.random(n) < 0.01, np.nan, area)
    # 危房改造时间: about one household in six had its house renovated, 2016–2020.
    renovated = rng.random(n) < 0.17
    days = rng.integers(0, (pd.Timestamp("2020-12-31") - pd.Timestamp("2016-03-01")).days, n)
    when = pd.Timestamp("2016-03-01") + pd.to_timedelta(days, unit="D")
    # A few typed with a wrong year (before 建档立卡 in 2014), as clerks do.
    typo = rng.random(n) < 0.02
    when = when.where(~typo, when - pd.DateOffset(years=8))
    when = pd.Series(when, index=households.index).where(renovated)
    # 帮扶责任人 and their phone: registered households have one (a few left blank), a few phones malformed.
    cadre = pd.Series(np.char.add(rng.choice(CADRE_SURNAMES, n), rng.choice(CADRE_GIVEN, n)), index=households.index)
    has_cadre = registered & (rng.random(n) >= 0.03)
    cadre = cadre.where(has_cadre, "")
    mobile = np.char.add(rng.choice(["138", "139", "158", "187", "152"], n),
                         np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8))
    short = rng.random(n) < 0.03
    phone = pd.Series(np.where(short, np.char.ljust(mobile, 10).astype("U10"), mobile), index=households.index)
    phone = phone.where(has_cadre, "")

    hh = system["hh"]
    persons = len(system)
    health = system["健康状况"].fillna("").astype(str)
    sick = health.str.contains("|".join(SICK)).to_numpy()
    disabled = health.str.contains("残疾").to_numpy()
    first, second = rng.choice(MEASURES, persons), rng.choice(MEASURES, persons)
    both = np.where(first == second, first, np.char.add(np.char.add(first, "、"), second))
    measures = np.where(rng.random(persons) < 0.5, first, both)
    # Sick members mostly have measures; a very few healthy ones carry one (an error of the export).
    measures = np.where((sick & (rng.random(persons) >= 0.12)) | (~sick & (rng.random(persons) < 0.005)), measures, "")
    measures = np.where(disabled & ~sick & (rng.random(persons) < 0.5), DISABILITY_MEASURE, measures)
    insured = system["是否参加城乡居民基本医疗保险"].astype(bool).to_numpy()
    serious = np.where(insured, rng.random(persons) >= 0.02, False)
    serious_cells = pd.Series(np.where(serious, "是", "否"), index=system.index).where(rng.random(persons) >= 0.01, "")

    return system.assign(
        住房面积=hh.map(pd.Series(area, index=households.index)).to_numpy(),
        是否参加大病保险=serious_cells.to_numpy(object),
        健康帮扶措施=measures.astype(object),
        危房改造时间=hh.map(when).to_numpy(),
        帮扶责任人=hh.map(cadre).to_numpy(object),
        帮扶责任人电话=hh.map(phone).to_numpy(object),
    )
