"""Settings of RULES.md §Settings and the per-rule switches of §Profiles,
read from the config YAML (CONTRACT.md §1). Missing keys take the defaults
below; anything else that is not valid is a SettingsError of one line.

Code reads settings as attributes (`settings.assistance_days`,
`settings.threshold_for(as_of)`, `settings.rule_switch("PHN02")`). Each
field's description is its documentation: docs/rules.md (设置项) and the
JSON Schema docs/config.schema.json are generated from it.

The rule catalog lives above this layer (checks/rules/), so the codes a
`rules:` section may name come in through pydantic's validation context:
`Settings.load(path, rule_codes=...)`. Without them (library use, tests) a
code is only checked for its shape."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping, Union, get_args

from pydantic import (AfterValidator, BeforeValidator, Discriminator, Field, Strict, ValidationError, ValidationInfo,
                      field_validator, model_validator)
from pydantic_core import PydanticCustomError

from recon.county_checks import CountyCheck, CountyColumn, check_checks, check_columns, declared_columns
from recon.sources import SOURCES, Column, Source
from recon.config_base import (ConfigFileError, ConfigModel, read_config_mapping, suggestion, union_tag,
                               validation_error_line)

# DOMAIN.md: the threshold is set by each province each year; 7,300 is one
# province's real value (Guizhou, 2023 income), not a national one. A county
# sets its own, as one number or as {year: amount}.
DEFAULT_MONITORING_THRESHOLD = 7300.0
SchoolStatusBlank = Literal["unknown", "not_in_school"]
Severity = Literal["high", "medium", "low"]
SCHOOL_STATUS_BLANK = get_args(SchoolStatusBlank)
SEVERITIES = get_args(Severity)
# RULES.md §Settings, stage_ages: plausible age at the school cutoff per stage, inclusive.
DEFAULT_STAGE_AGES: dict[str, tuple[int, int]] = {
    "学龄前儿童": (0, 6), "学前": (2, 7), "小学": (5, 15), "初中": (10, 18),
    "高中": (13, 22), "中职": (13, 22), "高职": (15, 30), "本科及以上": (16, 40),
}
# Catalog codes and a county's own check codes alike: letters, then digits.
RULE_CODE_SHAPE = re.compile(r"[A-Z]+[0-9]+")


class SettingsError(ValueError):
    """A config file that cannot be used; the message (one line) names the
    file, the key and what is wrong."""


# ---- value types --------------------------------------------------------------
# Strict: a config says 30, not "30" or true (YAML reads yes/no as booleans,
# which pydantic would otherwise take for 1 and 0).

Days = Annotated[int, Strict(), Field(ge=0)]
Count = Annotated[int, Strict(), Field(ge=1)]
Age = Annotated[int, Strict(), Field(ge=0, le=120)]
Amount = Annotated[float, Strict(), Field(ge=0)]
Year = Annotated[int, Field(ge=2000, le=2100)]   # lax: "2024" as a quoted key is a year too


def _threshold_kind(value: Any) -> str:
    return "<by_year>" if isinstance(value, Mapping) else "<number>"


# One number, or {year: number}. Tagged, so that a bad {2024: abc} is reported
# as such and not also as "not a number".
Threshold = Annotated[
    Union[Annotated[Annotated[float, Strict(), Field(gt=0)], union_tag("number")],
          Annotated[dict[Year, Annotated[float, Strict(), Field(gt=0)]], Field(min_length=1), union_tag("by_year")]],
    Discriminator(_threshold_kind),
]


def _two_ages(value: Any) -> Any:
    if isinstance(value, (list, tuple)) and len(value) != 2:
        raise PydanticCustomError("age_range", "应为 [最小年龄, 最大年龄] 两个数，实际为 {count} 个",
                                  {"count": len(value)})
    return value


def _ordered_ages(value: tuple[int, int]) -> tuple[int, int]:
    low, high = value
    if low > high:
        raise PydanticCustomError("age_range_order", "最小年龄 {low} 大于最大年龄 {high}", {"low": low, "high": high})
    return value


AgeRange = Annotated[tuple[Age, Age], BeforeValidator(_two_ages), AfterValidator(_ordered_ages)]


def _known_stage(name: str) -> str:
    if name not in DEFAULT_STAGE_AGES:
        raise PydanticCustomError("unknown_stage", "不是已知的学段{hint}（学段：{stages}）",
                                  {"hint": suggestion(name, DEFAULT_STAGE_AGES),
                                   "stages": "、".join(DEFAULT_STAGE_AGES)})
    return name


StageName = Annotated[str, Strict(), AfterValidator(_known_stage)]


def _known_rule_code(code: str, info: ValidationInfo) -> str:
    """A code of the catalog passed in the context, else one of its shape."""
    codes = (info.context or {}).get("rule_codes")
    if codes is None:
        if not RULE_CODE_SHAPE.fullmatch(code):
            raise PydanticCustomError("rule_code_shape", "规则代码应为大写字母加数字（如 PHN02）")
    elif code not in codes:
        raise PydanticCustomError("unknown_rule", "不是目录中的规则代码{hint}", {"hint": suggestion(code, codes)})
    return code


RuleCode = Annotated[str, Strict(), AfterValidator(_known_rule_code)]


def _cron(text: str) -> str:
    if len(text.split()) != 5:
        raise PydanticCustomError("cron", "应为五段的 cron 写法（分 时 日 月 周，如 '0 6 1 * *'），实际为 '{text}'",
                                  {"text": text})
    return text


Cron = Annotated[str, Strict(), AfterValidator(_cron)]


# ---- the models -----------------------------------------------------------------

class RuleSwitch(ConfigModel):
    """一条规则的开关 / one rule as a config switches it (RULES.md §Profiles)."""
    enabled: Annotated[bool, Strict()] = Field(True, description="是否运行这条规则；false 为不运行")
    severity: Severity | None = Field(None, description="严重程度 high、medium 或 low；不写则用规则目录中的")


# (min key, max key, strictly less): pairs a config must keep in order.
ORDERED_PAIRS = (
    ("compulsory_age_min", "compulsory_age_max", False),   # inclusive range: equal is one age
    ("labour_age_min", "labour_age_max", True),            # min ≤ age < max: equal is no age at all
)


class Settings(ConfigModel):
    """The settings of one county's config (extra="forbid", frozen — from ConfigModel)."""

    monitoring_threshold: Threshold = Field(
        DEFAULT_MONITORING_THRESHOLD,
        description="防返贫监测标准（人均纯收入，元/人·年）。可写一个数，也可按年份写，如 "
                    "`{2024: 7300, 2025: 8700}`，用统计截止日期所在年份（没有这一年就用之前最近一年）的值。"
                    "默认值只是一个省的实际标准，请改为本省的标准")
    income_tolerance: Amount = Field(1.0, description="收入测算允许的误差（元），差额不超过它算四舍五入")
    assistance_days: Days = Field(30, description="从纳入监测到首次帮扶的最长天数")
    min_monitoring_days: Days = Field(180, description="从纳入监测到风险消除至少应有的天数")
    compulsory_age_min: Age = Field(6, description="义务教育年龄下限（周岁，按学年开始那年的 8 月 31 日计算）")
    compulsory_age_max: Age = Field(15, description="义务教育年龄上限（周岁，同上；有的省用 16）")
    revisit_days: Days = Field(180, description="风险消除后多少天内应有回访，以及两次回访之间最长的天数")
    burst_households: Count = Field(10, description="同一个村同一个月纳入监测达到多少户，算疑似集中突击纳入")
    medical_oop_threshold: Amount = Field(
        10000.0, description="脱贫户一年个人自付医疗费用合计超过多少元，算有因病返贫风险（元）")
    newborn_days: Days = Field(90, description="出生不满多少天的婴儿还不要求参加医保")
    overdue_days: Days = Field(30, description="问题首次发现后超过多少天仍未销号，在整改清单中标红")
    mask_id_numbers: Annotated[bool, Strict()] = Field(
        True, description="整改清单中是否隐藏证件号码中间 8 位（如 430321********1234）；false 为显示全号")
    head_min_age: Age = Field(16, description="户主年龄低于这个周岁数时存疑（HH04）")
    generation_gap_years: Age = Field(15, description="上下两代人之间至少应有的年龄差（岁）（REL03）")
    labour_age_min: Age = Field(
        16, description="劳动年龄下限（周岁）：labour_age_min ≤ 年龄 < labour_age_max 算劳动年龄（LAB01、LAB02、RSK04）")
    labour_age_max: Age = Field(60, description="劳动年龄上限（周岁，不含）")
    stage_ages: dict[StageName, AgeRange] = Field(
        default_factory=lambda: dict(DEFAULT_STAGE_AGES),
        description="各学段在学年开始那年 8 月 31 日的合理年龄 [最小, 最大]（含两端）（SCH01）。"
                    "只写要改的学段即可，如 `{小学: [6, 14]}`，其余学段用默认值")
    pension_age_min: Age = Field(
        16, description="从这个周岁起，不在校的成员应参加城乡居民基本养老保险（PEN01、PEN03）")
    shared_phone_households: Annotated[int, Strict(), Field(ge=2)] = Field(
        2, description="同一个户联系电话被这么多建档户共用时存疑（PHN02）")
    rsk04_labourers: Count = Field(2, description="户中有这么多劳动年龄内的健康劳动力时，“缺劳动力”存疑（RSK04）")
    # RULES.md §Settings: what an empty 在校生情况 means (system and ledger):
    # unknown, or not_in_school (the national export leaves non-students empty).
    school_status_blank: SchoolStatusBlank = Field(
        "unknown", description="在校生情况为空时按什么处理：`unknown`（不知道，需要在学情况的规则不判断）或 "
                               "`not_in_school`（按非在校；全国系统导出对非在校人员留空）")
    monthly_cron: Cron = Field("0 6 1 * *", description="Dagster 界面中每月自动核对的时间（cron 写法），见 operations.md")
    # recon/expectations.py: a source's row count may move this share from the previous run's.
    row_count_tolerance: Amount = Field(
        0.20, description="某个数据源的行数与上次相比变化超过这个比例时，在 Dagster 中提醒（0.2 即 20%）")
    rules: dict[RuleCode, RuleSwitch] = Field(
        default_factory=dict,
        description="逐条规则的开关和严重程度（规则目录中的代码），如 `PHN02: {enabled: false}`、"
                    "`LAB02: {severity: medium}`")
    columns: dict[str, dict[Annotated[str, Strict()], CountyColumn]] = Field(
        default_factory=dict,
        description="本县自有的列，按数据源写，如 `system: {住房面积: {names: [住房面积, 住房面积（平方米）], kind: number}}`；"
                    "读取、整理方式与同类型的标准列相同，可在 checks 中使用")
    checks: list[CountyCheck] = Field(
        default_factory=list,
        description="本县自定义核查（见 checks.md），每条有代码、名称、数据源、范围、条件和问题描述")

    @field_validator("stage_ages", "rules", "columns", "checks", mode="before")
    @classmethod
    def _empty_section(cls, value: Any) -> Any:
        """`rules:` or `stage_ages:` with nothing under it (all commented out) is an empty mapping."""
        return {} if value is None else value

    @field_validator("stage_ages", mode="after")
    @classmethod
    def _over_default_stages(cls, value: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        """A partial map overrides only the stages it names."""
        return {**DEFAULT_STAGE_AGES, **value}

    @model_validator(mode="after")
    def _county_checks_fit(self, info: ValidationInfo) -> "Settings":
        """What needs the source declarations: declared columns clash with
        none of a source's, and each check's conditions fit their columns."""
        check_columns(self.columns)
        check_checks(self.checks, self.county_columns(), (info.context or {}).get("rule_codes"))
        return self

    @model_validator(mode="after")
    def _pairs_in_order(self) -> "Settings":
        for low_key, high_key, strictly in ORDERED_PAIRS:
            low, high = getattr(self, low_key), getattr(self, high_key)
            if low > high or (strictly and low == high):
                relation = "应小于" if strictly else "不能大于"
                raise PydanticCustomError(
                    "pair_order", "为 {low}，{relation} {high_key}（{high}）",
                    {"at": low_key, "low": low, "relation": relation, "high_key": high_key, "high": high})
        return self

    # ---- reading -----------------------------------------------------------------

    def threshold_for(self, as_of: dt.date) -> float:
        """The monitoring threshold in force for the as-of year."""
        value = self.monitoring_threshold
        if isinstance(value, dict):
            years = sorted(y for y in value if y <= as_of.year) or sorted(value)
            return float(value[years[-1]])
        return float(value)

    def rule_switch(self, code: str) -> tuple[bool, str | None]:
        """(enabled, severity) the config gives a rule; severity None keeps the
        catalog's."""
        switch = self.rules.get(code)
        return (True, None) if switch is None else (switch.enabled, switch.severity)

    def county_columns(self) -> dict[str, dict[str, Column]]:
        """The county's own columns (`columns:`), per source, as recon/sources declares columns."""
        return declared_columns(self.columns)

    def source(self, name: str) -> Source:
        """A source's declaration with the county's own columns (read, normalised
        and cached with the canonical ones)."""
        return SOURCES[name].with_columns(self.county_columns().get(name, {}))

    @classmethod
    def setting_names(cls) -> list[str]:
        """The settings of RULES.md §Settings: every field but the sections."""
        return [name for name in cls.model_fields if name not in SECTIONS]

    def as_config(self) -> dict:
        """What a config file would say to give these settings: the keys that
        differ from the defaults, as plain YAML data."""
        return _plain(self.model_dump(exclude_defaults=True))

    # ---- loading -------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path | None, rule_codes: frozenset[str] | None = None) -> "Settings":
        """The settings of a config file (None: the defaults). rule_codes: the
        catalog's codes, which `rules:` may name."""
        if path is None:
            return cls()
        path = Path(path)
        try:
            data = read_config_mapping(path)
        except ConfigFileError as exc:
            raise SettingsError(str(exc)) from None
        try:
            return cls.model_validate(data, context={"rule_codes": rule_codes})
        except ValidationError as exc:
            raise SettingsError(f"配置文件 {path.name}: {validation_error_line(exc, data)}") from None


# Fields that are sections of the config rather than settings of RULES.md §Settings.
SECTIONS = ("rules", "columns", "checks")


def _plain(value: Any) -> Any:
    """Tuples as lists, for yaml.safe_dump."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def config_schema(rule_titles: Mapping[str, str] | None = None) -> dict:
    """JSON Schema of the config file, for editors (docs/config.schema.json).
    rule_titles (code → title): `rules:` then offers exactly the catalog's
    codes, each with its title."""
    schema = Settings.model_json_schema()
    schema["title"] = "recon 配置文件 / recon config"
    schema["description"] = ("recon run --config 与 recon rules --config 读取的设置（docs/rules.md，设置项）；"
                             "没写的设置项取默认值")
    # What the validators check, told to the editor too: year keys and stage names.
    by_year = schema["properties"]["monitoring_threshold"]["oneOf"][1]
    by_year["propertyNames"] = {"pattern": "^[0-9]{4}$"}
    schema["properties"]["stage_ages"]["propertyNames"] = {"enum": list(DEFAULT_STAGE_AGES)}
    if rule_titles:
        rules = schema["properties"]["rules"]
        rules["properties"] = {code: {"$ref": "#/$defs/RuleSwitch", "description": title}
                               for code, title in rule_titles.items()}
        rules["additionalProperties"] = False
    return schema
