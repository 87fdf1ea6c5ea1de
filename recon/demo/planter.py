"""What every plant needs: the village styles (which ledger looks how), a
picker that hands out each household to one plant only, new valid IDs, and
the answer key being written as plants are made."""
from __future__ import annotations

import numpy as np
import pandas as pd

from recon.demo.county import County, full_years, make_ids, school_cutoff

LEDGER_FORMATS = ("xlsx", "csv_gbk", "xls", "csv_bom")

# What each plant touches. A household takes a second plant only when the
# county has no untouched household left for it (small counties) and the two
# touch nothing in common: "status" is the household's monitoring, income
# level and MON01/MON02 cascades; "people" its member rows and identities
# (ID*, HH*, HUK01); the others one sector's rows each.
LANES = {
    "MON04": {"status"}, "MON01 (income)": {"status"}, "MON02 (income)": {"status"},
    "a low-income near miss": {"status"}, "an unknown income": {"status", "income"},
    "MON03": {"status"}, "a MON03 near miss": {"status"}, "MON05": {"status"}, "a MON05 near miss": {"status"},
    "MON06": {"status"},
    "ID01": {"people"}, "ID02": {"people"}, "ID03": {"people"}, "ID04": {"people"}, "ID05": {"people"},
    "ID06": {"people"}, "ID06 (a neighbour)": {"people"}, "ID07": {"people"},
    "HH01 (system)": {"people"}, "HH01 (ledger)": {"people"}, "HH02": {"people"},
    "HH03 (户类型)": {"people"}, "HH03 (风险是否消除)": {"people"},
    "HUK01": {"people"}, "a HUK01 near miss": {"people"}, "a deregistered child": {"people", "edu"},
    "INC01": {"income"}, "INC02": {"income"}, "INC03": {"income"},
    "EDU01": {"status", "edu"}, "EDU02": {"edu"}, "EDU03": {"edu"}, "an EDU01 near miss": {"edu"},
    "a school-age near miss": {"edu"}, "a newborn near miss": {"edu", "med"},
    "MED01": {"status", "med"}, "MED02": {"med"}, "MED03": {"med"}, "MED04": {"med"},
    "a MED04 near miss": {"med"}, "an employee-insurance near miss": {"med"},
    "HOU01": {"status", "hou"}, "HOU02": {"hou"}, "HOU03": {"hou"}, "a HOU01 near miss": {"hou"},
    "WAT01": {"status", "wat"}, "WAT02": {"wat"}, "WAT03": {"wat"},
    # Internal consistency (recon/demo/plant_consistency.py). A 户主 re-born young takes every lane of
    # a person; a risk label plant the lanes of the member facts it rests on.
    "HH04": {"people", "edu", "med", "labour", "pension", "risk"},
    "an HH04 near miss": {"people", "edu", "med", "labour", "pension", "risk"},
    "REL01": {"people"}, "a REL01 near miss": {"people"}, "REL02": {"people"}, "REL03": {"people"},
    "LAB01": {"labour"}, "LAB02": {"labour"}, "a LAB02 near miss": {"labour", "health"},
    "SCH01": {"edu", "pension"}, "PEN01": {"edu", "pension"}, "INS01": {"med"},
    "PHN01": {"phone"}, "PHN02": {"phone"}, "a PHN02 near miss": {"phone"},
    "RSK01": {"risk", "health"}, "RSK02": {"risk", "health"}, "RSK03": {"risk", "edu"},
    "RSK04": {"risk", "labour", "health", "people"}, "RSK05": {"risk", "labour", "health", "people"},
    # Civil affairs, disability, pension (recon/demo/assistance.py): not on households whose members an
    # identity plant touched, nor on the households of the clean 低保/特困 rows ("civil").
    **{code: {"civil", "people"} for code in ("CIV01", "CIV02", "CIV03", "CIV04", "a CIV02 near miss", "CIV05",
                                             "a CIV05 near miss")},
    **{code: {"disability", "people", "health", "labour"} for code in ("DIS01", "DIS02", "DIS03", "a DIS02 near miss", "a DIS03 near miss")},
    "PEN02": {"pension", "people", "edu"}, "PEN03": {"pension", "people", "edu"},
}
LANE_NAMES = sorted(set().union(*LANES.values()))


def village_styles(county: County, rng: np.random.Generator, per_rule: int = 2, style: str = "export") -> pd.DataFrame:
    """How each village's ledger is kept, and the villages with a special role:
    per_rule (at most two) with no ledger (LED01) and as many MON04 burst
    villages, one whose village water row is unsafe (every household has its
    own safe row) and one with no village water row."""
    special = min(per_rule, 2)
    hh = county.households
    villages = county.villages.copy()
    size = hh.groupby("village_no").size().reindex(villages["village_no"], fill_value=0).to_numpy()
    registered = (hh["户类型"] != "一般农户").groupby(hh["village_no"]).sum().reindex(villages["village_no"], fill_value=0)
    i = villages["village_no"].to_numpy()
    villages["size"] = size
    villages["fmt"] = np.array(LEDGER_FORMATS)[i % 4]
    villages["has_hhid"] = i % 3 != 1
    villages["has_head_id"] = i % 2 == 0
    villages["has_income"] = (i // 2) % 2 == 0
    villages["has_type"] = i % 5 != 4
    villages["title"] = i % 3 == 0
    villages["yesno"] = np.array(["是否", "√×", "YN", "是否"])[(i // 3) % 4]
    villages["dates"] = np.array(["slash", "cn", "compact", "cell"])[(i // 2) % 4]
    villages["money"] = np.array(["plain", "comma", "plain", "yuan"])[i % 4]
    villages["ordinary"] = np.where(i % 2 == 1, "普通农户", "一般农户")   # both spell 一般农户
    # A monitored household in the ledger: 户类型 监测户, or (beside an export-style system) as the export
    # writes it, 户类型 with a 监测对象类别 column; every third village keeps writing 监测户.
    villages["monitored_as"] = np.where((i % 3 == 0) | (style != "export"), "监测户", "category")
    villages["role"] = ""
    by_size = villages.assign(registered=registered.to_numpy()).sort_values(["size", "village_no"])
    small = by_size[by_size["registered"] > 0]["village_no"].to_numpy()[:special]
    villages.loc[small, "role"] = "no_ledger"
    big = by_size[~by_size["village_no"].isin(small)]["village_no"].to_numpy()[::-1]
    villages.loc[big[:special], "role"] = "burst"
    villages.loc[big[special], "role"] = "water_unsafe_village"
    villages.loc[big[special + 1], "role"] = "water_no_village_row"
    villages["has_ledger"] = villages["role"] != "no_ledger"
    return villages.set_index("village_no", drop=False)


class Planter:
    """Hands out households, makes IDs, records the answer key."""

    def __init__(self, county: County, villages: pd.DataFrame, rng: np.random.Generator, per_rule: int,
                 style: str = "export"):
        self.county, self.villages, self.rng, self.k, self.style = county, villages, rng, per_rule, style
        self.hh, self.p = county.households, county.persons
        self.lanes_used = np.zeros((len(self.hh), len(LANE_NAMES)), dtype=bool)   # household × lane
        self.pick_order = rng.permutation(len(self.hh))
        self.answers: list[dict] = []
        self.next_seq = 800
        self.cutoff = school_cutoff(county.as_of)
        self.with_child = np.zeros(len(self.hh), dtype=bool)
        self.with_child[self.p.loc[self.compulsory_child(), "hh"].unique()] = True
        for column, default in (("sys_size_offset", 0), ("led_size_offset", 0), ("wage_sys", 0.0),
                                ("net_sys", 0.0), ("wage_led", 0.0), ("net_led", 0.0), ("pc_led", 0.0),
                                ("pc_unknown", False), ("led_type", ""), ("led_flip_eliminated", False),
                                ("hou01", False), ("wat01", False), ("edu01", False), ("med01", False),
                                ("户联系电话", ""), ("致贫原因2", ""), ("risk_planted", "")):
            self.hh[column] = default

    def lane(self, name: str) -> int:
        return LANE_NAMES.index(name)

    # --- households -------------------------------------------------------------
    def village_of(self, h: int) -> pd.Series:
        return self.villages.loc[self.hh.at[h, "village_no"]]

    def eligible(self, kind: str = "registered", **style) -> np.ndarray:
        """Households free for a plant: in a village with a ledger, of a household
        kind, in villages of the given style (e.g. role="" for no special role)."""
        hh = self.hh
        village_no = hh["village_no"].to_numpy()
        ok = self.villages["has_ledger"].to_numpy()[village_no].copy()
        for column, value in style.items():   # per village, then spread to its households
            wanted = self.villages[column].isin(value if isinstance(value, (list, tuple)) else [value])
            ok &= wanted.to_numpy()[village_no]
        types = {"registered": ["脱贫户", "监测户"], "poverty": ["脱贫户"], "monitored": ["监测户"],
                 "monitored_yes": ["监测户"], "monitored_no": ["监测户"], "ordinary": ["一般农户"],
                 "not_eliminated": ["脱贫户", "监测户", "一般农户"]}[kind]
        ok &= hh["户类型"].isin(types).to_numpy()
        if kind == "monitored_yes":
            ok &= (hh["风险是否消除"] == True).to_numpy()  # noqa: E712 (object column of True/False/None)
        if kind == "monitored_no":
            ok &= (hh["风险是否消除"] == False).to_numpy()  # noqa: E712
        if kind == "not_eliminated":
            ok &= (hh["风险是否消除"] != True).to_numpy()  # noqa: E712
        return ok

    def pick(self, count: int, mask: np.ndarray, why: str, optional: bool = False) -> list[int]:
        """count households of mask for the plant `why`: untouched ones first,
        then ones whose earlier plants touch none of this plant's lanes. An
        optional plant (a near miss) takes what there is."""
        lanes = [LANE_NAMES.index(lane) for lane in sorted(LANES[why])]
        untouched = ~self.lanes_used.any(axis=1)
        lanes_free = ~self.lanes_used[:, lanes].any(axis=1)
        order = self.pick_order
        # Households with a school-age child are scarce in small counties: other plants take them last.
        groups = [untouched & ~self.with_child, untouched & self.with_child,
                  lanes_free & ~untouched & ~self.with_child, lanes_free & ~untouched & self.with_child]
        candidates = np.concatenate([order[(mask & group)[order]] for group in groups])
        chosen = [int(h) for h in candidates[:count]]
        if len(chosen) < count and not optional:
            raise ValueError(f"the demo county is too small to plant {why}: use more households")
        self.lanes_used[np.ix_(chosen, lanes)] = True
        return chosen

    def with_member(self, mask: np.ndarray, member: pd.Series) -> np.ndarray:
        """Narrow a household mask to households having a person where `member`."""
        has = np.zeros(len(self.hh), dtype=bool)
        has[self.p.loc[member, "hh"].unique()] = True
        return mask & has

    # --- persons ----------------------------------------------------------------
    def age_now(self) -> pd.Series:
        return full_years(self.p["出生日期"], pd.Timestamp(self.county.as_of))

    def age_cutoff(self) -> pd.Series:
        return full_years(self.p["出生日期"], self.cutoff)

    def member(self, h: int, where: pd.Series | None = None) -> int:
        """pid of the first member of household h (in member order) where `where`."""
        rows = self.p[(self.p["hh"] == h) & (True if where is None else where)]
        return int(rows.sort_values("member_no")["pid"].iloc[0])

    def nonhead_adult(self) -> pd.Series:
        return (self.p["member_no"] > 0) & (self.age_now() >= 18)

    def compulsory_child(self) -> pd.Series:
        age = self.age_cutoff()
        return (self.p["member_no"] > 0) & age.between(6, 15) & (self.p["school_override"] == "")

    def new_id(self, birth: pd.Timestamp, male: bool) -> str:
        seq = self.next_seq + (1 if male else 0)
        self.next_seq += 2
        if seq > 999:
            raise ValueError("too many planted IDs")
        return make_ids(pd.Series([birth]), pd.Series([male]), pd.Series([seq]), self.county.region).iloc[0]

    def rebirth(self, pid: int, birth: pd.Timestamp) -> None:
        """Give a person another birth date (and so a new valid ID)."""
        row = self.p.index[self.p["pid"] == pid][0]
        self.p.at[row, "出生日期"] = birth
        self.p.at[row, "证件号码"] = self.new_id(birth, bool(self.p.at[row, "male"]))

    def id_of(self, pid: int) -> str:
        return self.p.loc[self.p["pid"] == pid, "证件号码"].iloc[0]

    def head_id(self, h: int) -> str:
        return self.p.loc[(self.p["hh"] == h) & (self.p["member_no"] == 0), "证件号码"].iloc[0]

    # --- answer key -------------------------------------------------------------
    def answer(self, rule: str, h: int | None = None, pid: int | None = None, *, source: str = "",
               field: str = "", actual: str = "", mark: str = "", township: str = "", village: str = "") -> None:
        row = {"rule": rule, "county": "", "township": township, "village": village, "household_id": "",
               "id_number": "", "source": source, "file": "", "row": "", "actual": actual, "field": field,
               "_mark": mark}
        if h is not None:
            row.update(township=self.hh.at[h, "township"], village=self.hh.at[h, "village"],
                       household_id=self.hh.at[h, "户编号"], id_number=self.head_id(h))
        if pid is not None:
            row["id_number"] = self.id_of(pid)
        self.answers.append(row)
