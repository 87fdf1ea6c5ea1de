"""The county's own columns and checks in the config (RULES.md §Profiles):
`columns:` and `checks:` as pydantic models, and what pydantic alone cannot
see — whether a check's column exists in its source, whether a condition
fits that column's kind, whether a listed value is in the column's value set,
whether a message names usable columns. Every such error names its key path
(`checks[2].when[0].column`) and stops the run before anything is read.

The checks run in checks/county.py; this module only says what a valid
check is."""
from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

import pandas as pd
from pydantic import AfterValidator, Discriminator, Field, Strict, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from recon.config_base import ConfigModel, suggestion, union_tag
from recon.labels import LIST_SHEETS
from recon.sources import DATA_SOURCES, SOURCES, Column, header_key

# A county column's kind (config) → the value kind it is read as (recon/sources KINDS).
COLUMN_KINDS = {"text": "text", "number": "amount", "date": "date", "yesno": "yesno", "phone": "phone",
                "list": "list"}
CountyKind = Literal["text", "number", "date", "yesno", "phone", "list"]
# Sources a county check reads (the person-level frames with households).
CHECK_SOURCES = ("system", "ledger")
Scope = Literal["members", "heads", "rows"]
# The stages of checks/rules/stages.school_stage (RULES.md §Compulsory school age and stages).
STAGES = ("非在校", "学前", "小学", "初中", "高中", "中职", "高职", "本科及以上", "辍学", "送教上门")
# Value kinds and the tests that fit them.
NUMBER_KINDS = ("amount", "int", "year")
DATE_KINDS = ("date", "month")
MULTI_KINDS = ("codes", "health", "list")           # several values in a cell: in = any listed
TEXT_KINDS = ("text", "name", "id", "code", "codes", "relation", "sex", "grade", "health", "phone", "list")
RISK_COLUMNS = ("致贫原因", "致贫原因2", "致贫原因3", "致贫原因4", "致贫原因5")
CHECK_CODE = re.compile(r"[A-Za-z]+[0-9]+")

NonEmpty = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1)]
Scalar = Union[Annotated[bool, Strict()], Annotated[int, Strict()], Annotated[float, Strict()], dt.date, NonEmpty]
Bound = Union[Annotated[int, Strict()], Annotated[float, Strict()], dt.date, NonEmpty]


# ---- columns: ------------------------------------------------------------------------

class CountyColumn(ConfigModel):
    """本县自有的一列 / a column the contract does not list (RULES.md §Profiles, columns)."""
    names: list[NonEmpty] = Field(default_factory=list, description="表头中可能的列名；不写则用列名本身")
    kind: CountyKind = Field("text", description="值的类型：text、number、date、yesno、phone 或 list（一格多个值，用 , 或 、 隔开）")

    def column(self, name: str) -> Column:
        """As recon/sources declares a column (the reader and normaliser take it as it is)."""
        return Column(name=name, names=tuple(dict.fromkeys([name, *self.names])), kind=COLUMN_KINDS[self.kind],
                      note="本县在配置中声明的列")


# ---- conditions ----------------------------------------------------------------------

def _regex(text: str) -> str:
    try:
        re.compile(text)
    except re.error as exc:
        raise PydanticCustomError("regex", "不是有效的正则表达式（{why}）", {"why": str(exc)})
    return text


Regex = Annotated[str, Strict(), AfterValidator(_regex)]


class ColumnCondition(ConfigModel):
    """{column: C, in|not_in|empty|known|lt|le|gt|ge|contains|matches|not_matches: …}; several tests all hold."""
    column: NonEmpty
    in_: list[Scalar] | None = Field(None, alias="in", min_length=1)
    not_in: list[Scalar] | None = Field(None, min_length=1)
    empty: Annotated[bool, Strict()] | None = None
    known: Annotated[bool, Strict()] | None = None
    lt: Bound | None = None
    le: Bound | None = None
    gt: Bound | None = None
    ge: Bound | None = None
    contains: NonEmpty | None = None
    matches: Regex | None = None
    not_matches: Regex | None = None

    @model_validator(mode="after")
    def _one_test(self) -> "ColumnCondition":
        if not self.tests():
            raise PydanticCustomError("no_test", "条件只写了列名，还应写 in、not_in、empty、known、lt、le、gt、ge、"
                                                 "contains、matches 或 not_matches 之一")
        return self

    def tests(self) -> dict[str, Any]:
        """The tests this condition names, by their key in the file."""
        return {("in" if name == "in_" else name): value for name, value in self
                if name != "column" and value is not None}


class AgeRange(ConfigModel):
    min: Annotated[int, Strict(), Field(ge=0, le=150)] | None = None
    max: Annotated[int, Strict(), Field(ge=0, le=150)] | None = None

    @model_validator(mode="after")
    def _bounded(self) -> "AgeRange":
        if self.min is None and self.max is None:
            raise PydanticCustomError("age_empty", "应写 min 或 max（周岁，含两端）")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise PydanticCustomError("age_order", "min {low} 大于 max {high}", {"low": self.min, "high": self.max})
        return self


class AgeCondition(ConfigModel):
    age: AgeRange


class SexCondition(ConfigModel):
    sex: Literal["男", "女"]


def _stage(name: str) -> str:
    if name not in STAGES:
        raise PydanticCustomError("stage", "{name} 不是学段{hint}（学段：{stages}）",
                                  {"name": name, "hint": suggestion(name, STAGES), "stages": "、".join(STAGES)})
    return name


class StageCondition(ConfigModel):
    stage: list[Annotated[str, Strict(), AfterValidator(_stage)]] = Field(min_length=1)


def _risk(label: str) -> str:
    labels = SOURCES["system"].columns["致贫原因"].labels()
    if label not in labels:
        raise PydanticCustomError("risk", "{label} 不是风险类型（致贫原因）的取值{hint}",
                                  {"label": label, "hint": suggestion(label, labels)})
    return labels[label]


class RiskCondition(ConfigModel):
    risk: list[Annotated[str, Strict(), AfterValidator(_risk)]] = Field(min_length=1)


class HouseholdTest(ConfigModel):
    """any / none / all: [conditions], or count: [conditions] with ge or le: N."""
    any: list["MemberCondition"] | None = Field(None, min_length=1)
    none: list["MemberCondition"] | None = Field(None, min_length=1)
    all: list["MemberCondition"] | None = Field(None, min_length=1)
    count: list["MemberCondition"] | None = Field(None, min_length=1)
    ge: Annotated[int, Strict(), Field(ge=0)] | None = None
    le: Annotated[int, Strict(), Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _one_quantifier(self) -> "HouseholdTest":
        named = [key for key in ("any", "none", "all", "count") if getattr(self, key) is not None]
        if len(named) != 1:
            raise PydanticCustomError("household_one", "应只写 any、none、all、count 中的一个，实际为 {named}",
                                      {"named": "、".join(named) or "空"})
        if self.count is not None and (self.ge is None) == (self.le is None):
            raise PydanticCustomError("household_count", "count 应再写 ge 或 le（人数）之一")
        if self.count is None and (self.ge is not None or self.le is not None):
            raise PydanticCustomError("household_bound", "ge、le 只和 count 一起写")
        return self

    @property
    def quantifier(self) -> str:
        return next(key for key in ("any", "none", "all", "count") if getattr(self, key) is not None)

    @property
    def conditions(self) -> list:
        return getattr(self, self.quantifier)


class HouseholdCondition(ConfigModel):
    household: HouseholdTest


KINDS_OF_CONDITION = ("column", "age", "sex", "stage", "risk", "household")


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return next((f"<{key}>" for key in KINDS_OF_CONDITION if key in value), None)
    return next((f"<{key}>" for key, model in CONDITION_MODELS.items() if isinstance(value, model)), None)


def _kind_error(value: Any):
    raise PydanticCustomError("condition_kind", "条件应含 column、age、sex、stage、risk 或 household 之一")


MemberCondition = Annotated[
    Union[Annotated[ColumnCondition, union_tag("column")], Annotated[AgeCondition, union_tag("age")],
          Annotated[SexCondition, union_tag("sex")], Annotated[StageCondition, union_tag("stage")],
          Annotated[RiskCondition, union_tag("risk")]],
    Discriminator(_condition_kind, custom_error_type="condition_kind",
                  custom_error_message="条件应含 column、age、sex、stage 或 risk 之一（household 里不能再写 household）"),
]
Condition = Annotated[
    Union[Annotated[ColumnCondition, union_tag("column")], Annotated[AgeCondition, union_tag("age")],
          Annotated[SexCondition, union_tag("sex")], Annotated[StageCondition, union_tag("stage")],
          Annotated[RiskCondition, union_tag("risk")], Annotated[HouseholdCondition, union_tag("household")]],
    Discriminator(_condition_kind, custom_error_type="condition_kind",
                  custom_error_message="条件应含 column、age、sex、stage、risk 或 household 之一"),
]
CONDITION_MODELS = {"column": ColumnCondition, "age": AgeCondition, "sex": SexCondition, "stage": StageCondition,
                    "risk": RiskCondition, "household": HouseholdCondition}
HouseholdTest.model_rebuild()


# ---- checks: -------------------------------------------------------------------------

def _category(name: str) -> str:
    if name not in LIST_SHEETS:
        raise PydanticCustomError("category", "不是整改清单的类别{hint}（类别：{sheets}）",
                                  {"hint": suggestion(name, LIST_SHEETS), "sheets": "、".join(LIST_SHEETS)})
    return name


def _check_code(code: str) -> str:
    if not CHECK_CODE.fullmatch(code):
        raise PydanticCustomError("check_code", "本县核查代码应为字母加数字（如 X001）")
    return code


class CountyCheck(ConfigModel):
    """本县自定义核查一条 / one of the county's own checks (RULES.md §Profiles)."""
    code: Annotated[str, Strict(), AfterValidator(_check_code)] = Field(
        description="代码：字母加数字（如 X001），不能与规则目录中的代码相同")
    title: NonEmpty = Field(description="名称，显示在整改清单和报告中")
    severity: Literal["high", "medium", "low"] = Field("medium", description="严重程度 high、medium 或 low")
    category: Annotated[str, Strict(), AfterValidator(_category)] = Field(
        "逻辑校验", description="整改清单中所在的工作表（类别）")
    source: Literal["system", "ledger"] = Field(description="核查哪个数据源：system（系统导出）或 ledger（村级台账）")
    scope: Scope = Field("members", description="members（每名成员一条）、heads（每户户主一条）或 rows（每一行一条）")
    when: list[Condition] = Field(min_length=1, description="条件，全部成立才算发现问题；值未知的条件不成立")
    message: NonEmpty | None = Field(None, description="问题描述，可用 {列名} 引用这一行的值；不写则用名称")

    def key(self) -> tuple[str, ...]:
        """The finding columns of its key (RULES.md §Profiles)."""
        return {"members": ("id_number", "source"), "heads": ("household_id", "source"),
                "rows": ("file", "row")}[self.scope]

    def message_columns(self) -> list[str]:
        return message_fields(self.message or "")

    def columns(self) -> list[str]:
        """Every column the check reads: its conditions', its message's, and
        what age, sex, stage and risk read."""
        return list(dict.fromkeys(column for _, condition in walk(self.when) for column in reads(condition))
                    | dict.fromkeys(self.message_columns()))


def message_fields(message: str) -> list[str]:
    """The column names a message template names in braces."""
    return [field for _, field, _, _ in string.Formatter().parse(message) if field]


def reads(condition) -> tuple[str, ...]:
    """The source columns one (non-household) condition reads."""
    if isinstance(condition, ColumnCondition):
        return (condition.column,)
    if isinstance(condition, (AgeCondition, SexCondition)):
        return ("证件号码",)
    if isinstance(condition, StageCondition):
        return ("证件号码", "在校生情况")
    if isinstance(condition, RiskCondition):
        return ("致贫原因",)
    return ()


def walk(conditions: list, path: str = "when"):
    """(key path, condition) of every condition, household ones' inner ones included."""
    for position, condition in enumerate(conditions):
        where = f"{path}[{position}]"
        if isinstance(condition, HouseholdCondition):
            inner = condition.household
            yield from walk(inner.conditions, f"{where}.household.{inner.quantifier}")
        else:
            yield where, condition


# ---- what needs the sources: checks against the columns ----------------------------------

def declared_columns(columns: Mapping[str, Mapping[str, CountyColumn]]) -> dict[str, dict[str, Column]]:
    return {source: {name: spec.column(name) for name, spec in by_name.items()} for source, by_name in columns.items()}


def check_columns(columns: Mapping[str, Mapping[str, CountyColumn]]) -> None:
    """A declared column may not take a canonical column's name or header names."""
    for source, by_name in columns.items():
        if source not in DATA_SOURCES:
            raise error(f"columns.{source}", "不是数据源{hint}（数据源：{sources}）",
                        hint=suggestion(source, DATA_SOURCES), sources="、".join(DATA_SOURCES))
        declared = SOURCES[source]
        taken = declared.aliases()
        seen: dict[str, str] = {}
        for name, spec in by_name.items():
            if name in declared.columns:
                raise error(f"columns.{source}.{name}", "与 {source} 的标准列同名，标准列不用声明", source=source)
            for position, header in enumerate(dict.fromkeys([name, *spec.names])):
                key = header_key(header)
                if key in taken:
                    raise error(f"columns.{source}.{name}.names", "{header} 已是标准列 {other} 的列名",
                                header=header, other=taken[key])
                if key in seen and seen[key] != name:
                    raise error(f"columns.{source}.{name}.names", "{header} 已是本县列 {other} 的列名",
                                header=header, other=seen[key])
                seen[key] = name


def check_checks(checks: list[CountyCheck], columns: Mapping[str, Mapping[str, Column]],
                 rule_codes: frozenset[str] | None) -> None:
    """Codes unique and not the catalog's; each condition fits its column."""
    first: dict[str, int] = {}
    for index, check in enumerate(checks):
        at = f"checks[{index}]"
        if rule_codes is not None and check.code in rule_codes:
            raise error(f"{at}.code", "{code} 是规则目录中的代码，本县核查请另取代码（如 X001）", code=check.code)
        if check.code in first:
            raise error(f"{at}.code", "{code} 与 checks[{other}] 的代码重复", code=check.code, other=first[check.code])
        first[check.code] = index
        usable = {**SOURCES[check.source].columns, **columns.get(check.source, {})}
        for where, condition in walk(check.when):
            check_condition(f"{at}.{where}", condition, check.source, usable)
        for name in check.message_columns():
            if name not in usable:
                raise error(f"{at}.message", "{name} 不是 {source} 的列{hint}", name="{" + name + "}", source=check.source,
                            hint=suggestion(name, usable))
        try:
            (check.message or "").format_map({name: "" for name in check.message_columns()})
        except (ValueError, IndexError, KeyError):
            raise error(f"{at}.message", "花括号写法有误（引用列写作 {列名}，文字中的花括号写作 {{ }}）") from None


def check_condition(at: str, condition, source: str, usable: Mapping[str, Column]) -> None:
    for column in reads(condition):
        if column not in usable:
            field = "column" if isinstance(condition, ColumnCondition) else next(iter(type(condition).model_fields))
            raise error(f"{at}.{field}", "{column} 不是 {source} 的列{hint}", column=column, source=source,
                        hint=suggestion(column, usable))
    if isinstance(condition, ColumnCondition):
        declared = usable[condition.column]
        for test, value in condition.tests().items():
            check_test(f"{at}.{test}", test, value, declared)


def check_test(at: str, test: str, value: Any, column: Column) -> None:
    kind = column.kind
    if test in ("lt", "le", "gt", "ge"):
        if kind in NUMBER_KINDS:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise error(at, "{name} 是数字列，应写数字，实际为 {value}", name=column.name, value=value)
        elif kind in DATE_KINDS:
            if as_date(value) is None:
                raise error(at, "{name} 是日期列，应写日期 YYYY-MM-DD，实际为 {value}", name=column.name, value=value)
        else:
            raise error(at, "{test} 只能用于数字或日期列，{name} 是{kind}列", test=test, name=column.name,
                        kind=KIND_NAMES.get(kind, kind))
    elif test in ("contains", "matches", "not_matches"):
        if kind not in TEXT_KINDS:
            raise error(at, "{test} 只能用于文字列，{name} 是{kind}列", test=test, name=column.name,
                        kind=KIND_NAMES.get(kind, kind))
    elif test in ("in", "not_in"):
        if kind in DATE_KINDS:
            raise error(at, "{name} 是日期列，请用 lt、le、gt、ge 比较", name=column.name)
        for position, item in enumerate(value):
            if comparable(item, column) is None:
                raise error(f"{at}[{position}]", "{item} 不是 {name} 的取值{hint}", item=item, name=column.name,
                            hint=value_hint(item, column))


KIND_NAMES = {"amount": "数字", "int": "整数", "year": "年度", "date": "日期", "month": "日期", "yesno": "是/否",
              "text": "文字", "name": "姓名", "id": "证件号码", "code": "代码", "codes": "多值代码", "relation": "代码",
              "sex": "代码", "grade": "代码", "health": "多值代码", "phone": "电话", "list": "多值文字"}


def as_date(value: Any) -> pd.Timestamp | None:
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return pd.Timestamp(dt.date.fromisoformat(value))
        except ValueError:
            return None
    return None


def comparable(item: Any, column: Column):
    """A listed value as the column's normalised values are (普通农户 → 一般农户,
    是 → True, 8700 → 8700.0); None when the column can never hold it.
    Worked out once per value and column (a check runs every month on the same lists)."""
    key = (item, type(item), column.name, column.kind, column.values, tuple(column.spellings.items()))
    if key not in _COMPARABLE:
        _COMPARABLE[key] = _comparable(item, column)
    return _COMPARABLE[key]


_COMPARABLE: dict[tuple, Any] = {}   # a memo of a pure function, not run state


def _comparable(item: Any, column: Column):
    from recon.normalise import PARSERS
    kind = column.kind
    if kind in NUMBER_KINDS:
        return float(item) if isinstance(item, (int, float)) and not isinstance(item, bool) else None
    if kind == "yesno":
        if isinstance(item, bool):
            return item
        parsed, _ = PARSERS[kind](pd.Series([str(item)], dtype="string"), column)
        return None if pd.isna(parsed.iloc[0]) else bool(parsed.iloc[0])
    text = str(item).strip()
    if kind == "name":   # as the name key of the column's cells
        from recon.values import normalise_name
        return normalise_name(pd.Series([text], dtype="string"))[1].iloc[0]
    if kind in ("codes", "health"):
        return column.labels().get(text) or next((label for spelling, label in column.labels().items()
                                                  if spelling.lower() == text.lower()), None)
    if kind in ("code", "relation", "sex", "grade") and (column.values or kind in ("sex", "grade")):
        parsed, bad = PARSERS[kind](pd.Series([text], dtype="string"), column)
        return None if bool(bad.iloc[0]) or pd.isna(parsed.iloc[0]) else str(parsed.iloc[0])
    return text


def value_hint(item: Any, column: Column) -> str:
    if column.values:
        return suggestion(str(item), column.values) or f"（取值：{'、'.join(column.values[:12])}" + \
            ("…" if len(column.values) > 12 else "") + "）"
    if column.kind in NUMBER_KINDS:
        return "（应写数字）"
    if column.kind == "yesno":
        return "（应写 是 或 否）"
    return ""


def error(at: str, template: str, **values) -> PydanticCustomError:
    """An error reported at `at` (config_base.error_text shows that key path).
    pydantic fills `{name}` from values; other braces stay as written."""
    return PydanticCustomError("county_check", template, {"at": at, **{k: str(v) for k, v in values.items()}})
