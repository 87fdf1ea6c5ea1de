"""The clean county of the demo: places, households and their members, built
as whole DataFrames (numpy draws, no per-person Python) so that 2.5 million
households take seconds, not hours.

Everything here is consistent by construction: valid unique IDs whose birth
date and sex digit agree with the person, one 户主 per household, plausible
ages per relationship, incomes above the monitoring threshold. Plants
(recon/demo/plants.py) then break it on purpose."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from faker import Faker
from faker.providers.person.zh_CN import Provider as NameProvider

from recon.ids import check_chars

REGION = "522425"
COUNTY = "青岩县"
MONITORING_START = pd.Timestamp("2021-01-01")
# Below this many households the county is laid out for one plant per rule:
# few villages (one tiny, one big enough for the MON04 burst) and fixed shares
# of household types, so that every seed can plant every rule.
SMALL_COUNTY = 250

# Place-name syllables: deterministic draws, no look-ups.
_PLACE = list("安平和兴隆福寿宁清河山石桥龙凤鸣泉溪松柏桃李梅竹云水田坝岭沟坪湾塘堡寨营")
_MINORITY_GIVEN = ["阿卜杜拉", "买买提", "古丽", "艾买提", "热依拉", "阿依古丽", "努尔", "艾力", "吐尔逊",
                   "帕提古丽", "阿不都", "依明", "再努尔", "米日古丽"]

# Household compositions: roles in member order (first is always 户主).
TEMPLATES = [
    ("户主",), ("户主", "配偶"), ("户主", "子"), ("户主", "配偶", "子"), ("户主", "配偶", "女"),
    ("户主", "配偶", "母亲"), ("户主", "配偶", "子", "女"), ("户主", "配偶", "子", "子"),
    ("户主", "配偶", "女", "母亲"), ("户主", "配偶", "子", "女", "母亲"),
    ("户主", "配偶", "子", "儿媳", "孙子"), ("户主", "配偶", "子", "儿媳", "孙子", "孙女"),
    ("户主", "配偶", "子", "女", "父亲", "母亲"), ("户主", "配偶", "子", "儿媳", "孙子", "孙女", "孙子"),
]
_TEMPLATE_WEIGHTS = np.array([6, 10, 4, 12, 10, 5, 14, 6, 5, 7, 7, 6, 3, 5], dtype=float)
# Age offsets from the 户主 (years), per role: (low, high) inclusive.
_OFFSET = {"户主": (0, 0), "配偶": (-5, 5), "子": (-38, -20), "女": (-38, -20), "儿媳": (-36, -20),
           "父亲": (22, 32), "母亲": (20, 30), "孙子": (-58, -42), "孙女": (-58, -42)}
_MALE_ROLES = {"子", "父亲", "孙子"}
_FEMALE_ROLES = {"女", "母亲", "孙女", "儿媳"}


@dataclass
class County:
    as_of: dt.date
    villages: pd.DataFrame      # township, village, t_code, v_code, village_no
    households: pd.DataFrame    # one row per household, indexed 0..H-1
    persons: pd.DataFrame       # one row per member, household order then member order
    name: str = COUNTY          # the county's name (县 column, file names)
    region: str = REGION        # its 6-digit region code (IDs, 户编号)


def school_cutoff(as_of: dt.date) -> pd.Timestamp:
    """31 August of the school year start S (RULES.md §Compulsory school age)."""
    start = as_of.year if as_of.month >= 9 else as_of.year - 1
    return pd.Timestamp(start, 8, 31)


def full_years(birth: pd.Series, on: pd.Timestamp) -> pd.Series:
    before = (birth.dt.month > on.month) | ((birth.dt.month == on.month) & (birth.dt.day > on.day))
    return on.year - birth.dt.year - before.astype(int)


def make_ids(birth: pd.Series, male: pd.Series, seq: pd.Series, region: str = REGION) -> pd.Series:
    """Valid 18-digit IDs: region, birth date, 3-digit sequence with the sex parity, check."""
    first17 = region + birth.dt.strftime("%Y%m%d") + seq.astype(int).astype(str).str.zfill(3)
    return (first17 + check_chars(first17)).astype(object)


def _places(rng: np.random.Generator, households: int) -> pd.DataFrame:
    if households < SMALL_COUNTY:
        villages = min(12, max(6, households // 15))
        per_township = np.array([villages - villages // 2, villages // 2])
    else:
        villages_needed = max(15, math.ceil(households / 800))
        townships = int(rng.integers(4, 7))
        townships = max(townships, min(99, math.ceil(villages_needed / 30)))
        per_township = np.maximum(rng.integers(3, 7, size=townships), math.ceil(villages_needed / townships))
        per_township = np.minimum(per_township, 99)
    townships = len(per_township)
    t_names = _unique_names(rng, townships, ["镇", "镇", "乡"])
    rows = []
    for t, count in enumerate(per_township):
        v_names = _unique_names(rng, int(count), ["村"])
        for v in range(int(count)):
            rows.append((t_names[t], v_names[v], f"{t + 1:02d}", f"{v + 1:02d}"))
    frame = pd.DataFrame(rows, columns=["township", "village", "t_code", "v_code"])
    frame["village_no"] = np.arange(len(frame))
    return frame


def _small_village_of(rng: np.random.Generator, households: int, villages: int) -> np.ndarray:
    """Village of each household (sorted) in a small county: one tiny village
    (the one without a ledger, LED01), one with room for the ten MON04
    households, the others of about even size."""
    tiny = max(2, round(0.04 * households))
    burst = max(15, round(0.2 * households))
    weights = rng.uniform(0.8, 1.2, size=villages - 2)
    rest = np.floor((households - tiny - burst) * weights / weights.sum()).astype(int)
    rest[: households - tiny - burst - rest.sum()] += 1
    sizes = rng.permutation(np.concatenate([[tiny, burst], rest]))
    return np.repeat(np.arange(villages), sizes)


def _unique_names(rng: np.random.Generator, count: int, suffixes: list[str]) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        stem = "".join(rng.choice(_PLACE, size=2))
        name = stem + suffixes[len(names) % len(suffixes)]
        if stem[0] != stem[1] and name not in names:
            names.append(name)
    return names


def _names(rng: np.random.Generator, fake: Faker, count: int, minority_share: float = 0.03) -> np.ndarray:
    surnames = np.array(list(NameProvider.last_names.keys()))
    weights = np.array(list(NameProvider.last_names.values()), dtype=float)
    given = np.array(NameProvider.first_names)
    last = rng.choice(surnames, size=count, p=weights / weights.sum())
    first1 = rng.choice(given, size=count)
    first2 = rng.choice(given, size=count)
    two_chars = rng.random(count) < 0.7
    names = np.char.add(np.char.add(last, first1), np.where(two_chars, first2, ""))
    minority = rng.random(count) < minority_share
    m1 = rng.choice(_MINORITY_GIVEN, size=count)
    m2 = rng.choice(_MINORITY_GIVEN, size=count)
    names = np.where(minority, np.char.add(np.char.add(m1, "·"), m2), names)
    fake.seed_instance(int(rng.integers(0, 2**31)))  # kept seeded for any free-text use
    return names.astype(object)


def build(households: int, seed: int, as_of: dt.date, name: str = COUNTY, region: str = REGION) -> County:
    rng = np.random.default_rng(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    villages = _places(rng, households)
    as_of_ts = pd.Timestamp(as_of)

    # Households: village (uneven sizes), type, composition, head age, income.
    small = households < SMALL_COUNTY
    if small:
        village_of = _small_village_of(rng, households, len(villages))
    else:
        weights = rng.uniform(0.5, 1.5, size=len(villages))
        village_of = np.sort(rng.choice(len(villages), size=households, p=weights / weights.sum()))
    hh = villages.iloc[village_of].reset_index(drop=True)
    hh["seq"] = hh.groupby("village_no").cumcount() + 1
    width = max(4, len(str(int(hh["seq"].max()))))
    hh["户编号"] = region + hh["t_code"] + hh["v_code"] + hh["seq"].astype(str).str.zfill(width)
    if small:   # fixed shares: 40 % 监测户 (60 % of them with risk eliminated), 8 % 一般农户
        monitored, ordinary = round(0.4 * households), max(3, round(0.08 * households))
        kind = rng.permutation(np.repeat([0, 1, 2], [households - monitored - ordinary, monitored, ordinary]))
    else:
        kind = rng.choice(3, size=households, p=[0.72, 0.18, 0.10])
    hh["户类型"] = np.array(["脱贫户", "监测户", "一般农户"])[kind]
    hh["template"] = rng.choice(len(TEMPLATES), size=households, p=_TEMPLATE_WEIGHTS / _TEMPLATE_WEIGHTS.sum())
    has_grand = np.array(["孙子" in t or "孙女" in t for t in TEMPLATES])[hh["template"]]
    has_parent = np.array(["父亲" in t or "母亲" in t for t in TEMPLATES])[hh["template"]]
    has_child = np.array(["子" in t or "女" in t for t in TEMPLATES])[hh["template"]]
    # Small counties have younger parents: households with a school-age child
    # are needed by many plants (EDU01 also for a 监测户).
    low = np.select([has_grand, has_parent, has_child], [58, 30, 34 if small else 40], 25)
    high = np.select([has_grand, has_parent, has_child], [74, 46, 50 if small else 70], 80)
    hh["head_age"] = rng.integers(low, high + 1)
    hh["head_male"] = rng.random(households) < 0.85
    hh["人均纯收入"] = np.round(rng.uniform(8200, 26000, size=households), 2)
    shares = rng.dirichlet([6, 3, 0.5, 2], size=households)  # wage, business, property, transfer
    for column, index in (("share_wage", 0), ("share_business", 1), ("share_property", 2), ("share_transfer", 3)):
        hh[column] = shares[:, index]
    hh["share_expense"] = rng.uniform(0.02, 0.15, size=households) * hh["share_business"]
    hh["致贫原因"] = rng.choice(["因病", "因残", "因学", "缺劳力", "缺技术", "缺资金", "自身发展动力不足"],
                            size=households)
    _monitoring(rng, hh, as_of_ts, eliminated_share=0.6 if small else None)
    hh["住房安全"] = True
    hh["饮水安全"] = True

    persons = _members(rng, fake, hh, as_of_ts, region)
    return County(as_of, villages, hh, persons, name, region)


def _monitoring(rng: np.random.Generator, hh: pd.DataFrame, as_of: pd.Timestamp,
                eliminated_share: float | None = None) -> None:
    """监测户 fields. Months spread round-robin within each village, so no village
    reaches burst_households in one month (MON04) unless planted. Half the
    监测户 have their risk eliminated, or exactly eliminated_share of them."""
    monitored = hh["户类型"] == "监测户"
    hh["监测对象类别"] = np.where(monitored, rng.choice(["脱贫不稳定户", "边缘易致贫户", "突发严重困难户"],
                                                    size=len(hh)), "")
    draw = pd.Series(rng.random(len(hh)), index=hh.index)
    if eliminated_share is None:
        eliminated = monitored & (draw < 0.5)
    else:
        eliminated = monitored & (draw.where(monitored).rank(method="first") <= round(eliminated_share * monitored.sum()))
    hh["风险是否消除"] = pd.array(np.where(eliminated, True, False), dtype="boolean").astype(object)
    hh.loc[~monitored, "风险是否消除"] = None
    last_yes = (as_of.to_period("M") - 14 - MONITORING_START.to_period("M")).n
    last_no = (as_of.to_period("M") - 3 - MONITORING_START.to_period("M")).n
    order = pd.Series(rng.random(len(hh)), index=hh.index)
    rank = order.groupby([hh["village_no"], eliminated, monitored]).rank(method="first").astype(int) - 1
    month_index = np.where(eliminated, rank % (last_yes + 1), rank % (last_no + 1))
    start = pd.Series(MONITORING_START.to_period("M") + month_index, index=hh.index).dt.to_timestamp()
    hh["纳入监测时间"] = start.where(monitored)
    hh["首次帮扶时间"] = (start + pd.to_timedelta(rng.integers(3, 26, size=len(hh)), unit="D")).where(monitored)
    months_to_end = rng.integers(7, 13, size=len(hh))
    end = pd.Series(start.dt.to_period("M") + months_to_end, index=hh.index).dt.to_timestamp()
    latest_end = (as_of - pd.Timedelta(days=200)).to_period("M").to_timestamp()
    hh["风险消除时间"] = end.clip(upper=latest_end).where(eliminated)
    hh["最近回访时间"] = (as_of - pd.to_timedelta(rng.integers(5, 150, size=len(hh)), unit="D")).where(eliminated)


def _members(rng: np.random.Generator, fake: Faker, hh: pd.DataFrame, as_of: pd.Timestamp,
             region: str) -> pd.DataFrame:
    sizes = np.array([len(t) for t in TEMPLATES])[hh["template"]]
    household = np.repeat(hh.index.to_numpy(), sizes)
    member_no = pd.Series(household).groupby(household).cumcount().to_numpy()
    roles_flat = np.array([role for t in TEMPLATES for role in t])
    template_start = np.concatenate([[0], np.cumsum([len(t) for t in TEMPLATES])[:-1]])
    role = roles_flat[template_start[hh["template"].to_numpy()[household]] + member_no]
    n = len(household)

    low = np.array([_OFFSET[r][0] for r in role])
    high = np.array([_OFFSET[r][1] for r in role])
    age = hh["head_age"].to_numpy()[household] + rng.integers(low, high + 1)
    age = np.maximum(age, 0)
    head_male = hh["head_male"].to_numpy()[household]
    male = np.select([role == "户主", role == "配偶", np.isin(role, list(_MALE_ROLES))],
                     [head_male, ~head_male, True], False)
    birth = as_of - pd.to_timedelta(age * 365.25 + rng.integers(1, 365, size=n), unit="D")
    birth = pd.Series(birth).dt.normalize()
    birth = birth.where(birth < as_of - pd.Timedelta(days=120), as_of - pd.Timedelta(days=400))

    persons = pd.DataFrame({
        "hh": household, "member_no": member_no, "与户主关系": role, "male": male, "出生日期": birth,
    })
    # Unique IDs: the sequence counts people sharing a birth date and sex; the
    # 800–999 range stays free for IDs the plants make.
    rank = persons.groupby(["出生日期", "male"]).cumcount()
    if rank.max() >= 400:
        raise ValueError("too many people share a birth date for unique ID numbers")
    persons["证件号码"] = make_ids(persons["出生日期"], persons["male"], 2 * rank + persons["male"].astype(int),
                                   region)
    persons["姓名"] = _names(rng, fake, n)
    persons["性别"] = np.where(persons["male"], "男", "女")
    persons["户编号"] = hh["户编号"].to_numpy()[household]
    persons["pid"] = np.arange(n)
    persons["school_override"] = ""   # near-miss school cases set by the plants
    return persons
