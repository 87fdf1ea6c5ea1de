"""The conditions of a county's own checks (RULES.md §Profiles), evaluated
over a whole source frame at once.

Every condition is three-valued per row (`Truth`): it holds, it fails, or
it is unknown — and an unknown condition never holds, so a check never fires
on what it cannot see. Conditions of a check combine as Kleene's AND.
Household conditions are counts per household code (numpy bincount), never
a loop over households; the rows of a household are those of the same
source (system: 户编号; ledger: the ledger's own household)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from checks.rules.base import RuleContext
from checks.rules.common import birth_dates, years_between
from checks.rules.stages import member_stage
from recon.county_checks import (DATE_KINDS, MULTI_KINDS, NUMBER_KINDS, RISK_COLUMNS, AgeCondition, ColumnCondition,
                                 HouseholdCondition, RiskCondition, SexCondition, StageCondition, as_date, comparable)
from recon.sources import Column

SEPARATOR = "、"   # how multi-value cells are joined after normalisation (recon/values.py)


@dataclass(frozen=True)
class Truth:
    """Per row: the condition holds / is known (fails = known and not holds)."""
    holds: np.ndarray
    known: np.ndarray

    @staticmethod
    def of(holds, known) -> "Truth":
        known = np.asarray(known, dtype=bool)
        return Truth(np.asarray(holds, dtype=bool) & known, known)

    @property
    def fails(self) -> np.ndarray:
        return self.known & ~self.holds

    def __and__(self, other: "Truth") -> "Truth":
        fails = self.fails | other.fails
        holds = self.holds & other.holds
        return Truth(holds, holds | fails)


@dataclass
class SourceView:
    """One source frame of a RuleContext as the conditions read it: its
    columns' declarations (canonical and the county's), and what several
    conditions share (ages, household codes), computed once."""
    ctx: RuleContext
    source: str
    columns: dict[str, Column]
    frame: pd.DataFrame = field(init=False)
    _built: dict = field(init=False, default_factory=dict)

    def __post_init__(self):
        self.frame = self.ctx.source(self.source)

    @property
    def size(self) -> int:
        return len(self.frame)

    @cached_property
    def households(self) -> np.ndarray:
        """Per row: its household's code in this source (-1: none)."""
        name = "_household" if self.source == "system" else "_ledger_household"
        return self.frame[name].to_numpy(np.int64) if name in self.frame.columns else np.full(self.size, -1)

    @cached_property
    def in_household(self) -> np.ndarray:
        return self.households >= 0

    @cached_property
    def household_count(self) -> int:
        return int(self.households.max()) + 1 if self.in_household.any() else 0

    @cached_property
    def household_sizes(self) -> np.ndarray:
        """Rows per household code."""
        return np.bincount(self.households[self.in_household], minlength=self.household_count)

    @cached_property
    def valid_id(self) -> np.ndarray:
        return self.frame["_id_valid"].fillna(False).to_numpy(bool) if "_id_valid" in self.frame.columns \
            else np.zeros(self.size, bool)

    @cached_property
    def age(self) -> np.ndarray:
        """Full years at the as-of date (NaN where the ID is invalid)."""
        birth = birth_dates(self.frame["证件号码"])
        age = years_between(birth, np.full(self.size, np.datetime64(self.ctx.as_of, "D")))
        return np.where(self.valid_id, age, np.nan)

    def cells(self, name: str) -> "Cells":
        """A column as the tests read it, built once per view."""
        # A name compares as its key (CONTRACT.md §3: no whitespace, one middle dot).
        column = "_name_key" if self.columns[name].kind == "name" and "_name_key" in self.frame.columns else name
        return self.remember(name, lambda: Cells.of(self.frame[column], self.columns[name]))

    def remember(self, key, build):
        """build(), once per view (what several checks of a run share)."""
        if key not in self._built:
            self._built[key] = build()
        return self._built[key]

    @cached_property
    def male(self) -> Truth:
        """By the 17th character of the ID: odd 男, even 女 (GB 11643)."""
        digit = pc.utf8_slice_codeunits(pa.array(self.text("证件号码").array), 16, 17)
        odd = pc.is_in(digit, value_set=pa.array(list("13579"))).fill_null(False).to_numpy(zero_copy_only=False)
        even = pc.is_in(digit, value_set=pa.array(list("02468"))).fill_null(False).to_numpy(zero_copy_only=False)
        return Truth.of(odd, self.valid_id & (odd | even))

    @cached_property
    def stage(self) -> pd.Series:
        """The stage of each row's 在校生情况 (school_status_blank applied)."""
        return member_stage(self.ctx, self.frame["在校生情况"])

    def text(self, name: str) -> pd.Series:
        return self.frame[name].astype("string")


def evaluate_all(conditions: list, view: SourceView) -> Truth:
    """Every condition holds (Kleene AND); no conditions: holds everywhere."""
    truth = Truth(np.ones(view.size, bool), np.ones(view.size, bool))
    for condition in conditions:
        truth = truth & evaluate(condition, view)
    return truth


def evaluate(condition, view: SourceView) -> Truth:
    # A condition several checks share (户类型 in [脱贫户], age ≥ 60 …) is worked out once per view.
    for model, function in EVALUATORS.items():
        if isinstance(condition, model):
            return view.remember(("condition", model.__name__, condition.model_dump_json()),
                                 lambda: function(condition, view))
    raise TypeError(f"not a condition: {type(condition).__name__}")


# ---- {column: C, …} ---------------------------------------------------------------------

def column_condition(condition: ColumnCondition, view: SourceView) -> Truth:
    cells = view.cells(condition.column)
    truth = Truth(np.ones(view.size, bool), np.ones(view.size, bool))
    for test, argument in condition.tests().items():
        truth = truth & TESTS[test](cells, argument)
    return truth


@dataclass
class Cells:
    """One column as the tests read it: its distinct values and each row's
    code among them (-1: unknown). A text test runs once per distinct value
    (a column of labels has a handful) and is spread to the rows by code."""
    column: Column
    codes: np.ndarray
    distinct: pd.Series
    numbers: np.ndarray | None = None      # number and date columns: float / datetime64, NaN/NaT unknown

    @staticmethod
    def of(values: pd.Series, column: Column) -> "Cells":
        codes, distinct = pd.factorize(values, use_na_sentinel=True)
        numbers = None
        if column.kind in NUMBER_KINDS:
            numbers = values.astype("Float64").to_numpy(float, na_value=np.nan)
        elif column.kind in DATE_KINDS:
            numbers = pd.to_datetime(values, errors="coerce").to_numpy("datetime64[ns]")
        return Cells(column, np.asarray(codes), pd.Series(distinct), numbers)

    @property
    def known(self) -> np.ndarray:
        return self.codes >= 0

    def per_row(self, per_distinct: np.ndarray) -> np.ndarray:
        """A result per distinct value spread to the rows (False where unknown)."""
        return np.append(np.asarray(per_distinct, dtype=bool), False)[self.codes]


def _listed(cells: Cells, items: list) -> np.ndarray:
    """The cell is one of `items` (for a multi-value cell: any of its values is)."""
    wanted = [comparable(item, cells.column) for item in items]
    wanted = [item for item in wanted if item is not None]
    kind = cells.column.kind
    if kind in NUMBER_KINDS or kind == "yesno":
        return cells.per_row(cells.distinct.isin(wanted).to_numpy(bool))
    text = cells.distinct.astype("string")
    if kind in MULTI_KINDS:
        padded = SEPARATOR + text + SEPARATOR
        found = np.zeros(len(text), bool)
        for item in wanted:   # a few listed values, not rows
            found |= padded.str.contains(SEPARATOR + str(item) + SEPARATOR, regex=False).fillna(False).to_numpy(bool)
        return cells.per_row(found)
    return cells.per_row(text.isin([str(item) for item in wanted]).fillna(False).to_numpy(bool))


def test_in(cells: Cells, items) -> Truth:
    return Truth.of(_listed(cells, items), cells.known)


def test_not_in(cells: Cells, items) -> Truth:
    return Truth.of(~_listed(cells, items), cells.known)


def test_empty(cells: Cells, wanted: bool) -> Truth:
    empty = ~cells.known
    return Truth.of(empty if wanted else ~empty, np.ones(len(empty), bool))


def test_known(cells: Cells, wanted: bool) -> Truth:
    return test_empty(cells, not wanted)


def _compare(operator: str):
    compare = getattr(np, {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal"}[operator])

    def test(cells: Cells, bound) -> Truth:
        left = cells.numbers
        if cells.column.kind in DATE_KINDS:
            right, known = as_date(bound).to_datetime64(), ~np.isnat(left)
        else:
            right, known = float(bound), ~np.isnan(left)
        with np.errstate(invalid="ignore"):
            return Truth.of(compare(left, right), known)
    return test


def _on_text(cells: Cells, test) -> np.ndarray:
    return cells.per_row(test(cells.distinct.astype("string")).fillna(False).to_numpy(bool))


def _full_match(cells: Cells, pattern: str) -> np.ndarray:
    """The whole text matches a Python regular expression (RULES.md §Profiles).
    Arrow's engine (RE2) runs most patterns; one it cannot compile (a
    back-reference, a look-around) runs with Python's re over the distinct values."""
    try:
        return _on_text(cells, lambda values: values.str.fullmatch(pattern))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        compiled = re.compile(pattern)
        distinct = cells.distinct.astype(object).tolist()
        return cells.per_row(np.fromiter((compiled.fullmatch(str(value)) is not None for value in distinct),
                                         dtype=bool, count=len(distinct)))


def test_contains(cells: Cells, text: str) -> Truth:
    return Truth.of(_on_text(cells, lambda values: values.str.contains(text, regex=False)), cells.known)


def test_matches(cells: Cells, pattern: str) -> Truth:
    return Truth.of(_full_match(cells, pattern), cells.known)


def test_not_matches(cells: Cells, pattern: str) -> Truth:
    return Truth.of(~_full_match(cells, pattern), cells.known)


TESTS = {"in": test_in, "not_in": test_not_in, "empty": test_empty, "known": test_known,
         "lt": _compare("lt"), "le": _compare("le"), "gt": _compare("gt"), "ge": _compare("ge"),
         "contains": test_contains, "matches": test_matches, "not_matches": test_not_matches}


# ---- age, sex, stage, risk ----------------------------------------------------------------

def age_condition(condition: AgeCondition, view: SourceView) -> Truth:
    age = view.age
    low = -np.inf if condition.age.min is None else condition.age.min
    high = np.inf if condition.age.max is None else condition.age.max
    known = ~np.isnan(age)
    with np.errstate(invalid="ignore"):
        return Truth.of((age >= low) & (age <= high), known)


def sex_condition(condition: SexCondition, view: SourceView) -> Truth:
    male = view.male
    return male if condition.sex == "男" else Truth.of(~male.holds, male.known)


def stage_condition(condition: StageCondition, view: SourceView) -> Truth:
    stage = view.stage
    return Truth.of(stage.isin(condition.stage).fillna(False).to_numpy(bool), view.valid_id & stage.notna().to_numpy(bool))


def risk_condition(condition: RiskCondition, view: SourceView) -> Truth:
    """Any of the household's risk labels (致贫原因…5 on any of its rows) is
    listed; a row without a household reads its own labels. A household
    without labels has none listed (known)."""
    present = [name for name in RISK_COLUMNS if name in view.frame.columns]
    on_row = np.zeros(view.size, bool)
    for name in present:   # five columns at most
        on_row |= _listed(view.cells(name), condition.risk)
    codes, in_household = view.households, view.in_household
    per_household = np.bincount(codes[in_household & on_row], minlength=view.household_count) > 0
    holds = np.where(in_household, per_household[np.maximum(codes, 0)] if len(per_household) else False, on_row)
    return Truth.of(holds, np.ones(view.size, bool))


# ---- household: any / none / all / count ---------------------------------------------------

def household_condition(condition: HouseholdCondition, view: SourceView) -> Truth:
    test = condition.household
    truths = [evaluate(inner, view) for inner in test.conditions]
    members = truths[0]
    for truth in truths[1:]:
        members = members & truth
    codes, in_household, size = view.households, view.in_household, view.household_count

    def per_household(flags: np.ndarray) -> np.ndarray:   # per household code: rows where flags holds
        return np.bincount(codes[in_household & flags], minlength=size)

    true, false = per_household(members.holds), per_household(members.fails)
    # `none` needs every member's values known for each condition it names (RULES.md §Profiles).
    each_known = np.logical_and.reduce([truth.known for truth in truths])
    unknown_values = per_household(~each_known)
    unknown = view.household_sizes - true - false
    if test.quantifier == "any":
        holds, known = true > 0, (true > 0) | (unknown == 0)
    elif test.quantifier == "none":
        holds, known = (true == 0) & (unknown_values == 0), (true > 0) | (unknown_values == 0)
    elif test.quantifier == "all":
        holds, known = (false == 0) & (unknown == 0), (false > 0) | (unknown == 0)
    elif test.ge is not None:
        holds, known = true >= test.ge, (true >= test.ge) | (true + unknown < test.ge)
    else:
        holds, known = true + unknown <= test.le, (true + unknown <= test.le) | (true > test.le)
    # Worked out per household, then spread to its rows (a row without a household: unknown).
    at = np.maximum(codes, 0)
    if not size:
        return Truth.of(np.zeros(view.size, bool), np.zeros(view.size, bool))
    return Truth.of(holds[at] & in_household, known[at] & in_household)


EVALUATORS = {ColumnCondition: column_condition, AgeCondition: age_condition, SexCondition: sex_condition,
              StageCondition: stage_condition, RiskCondition: risk_condition,
              HouseholdCondition: household_condition}
