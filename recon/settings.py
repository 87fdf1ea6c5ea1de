"""Settings of RULES.md §Settings, read from the config YAML (CONTRACT.md §1).
Missing keys take the defaults below."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

# DOMAIN.md: the threshold is set by each province each year; 7,300 is one
# province's real value (Guizhou, 2023 income), not a national one. A county
# sets its own, as one number or as {year: amount}.
DEFAULT_MONITORING_THRESHOLD = 7300.0
SCHOOL_STATUS_BLANK = ("unknown", "not_in_school")


class SettingsError(ValueError):
    """A config file that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Settings:
    monitoring_threshold: float | dict[int, float] = DEFAULT_MONITORING_THRESHOLD
    income_tolerance: float = 1.0
    assistance_days: int = 30
    min_monitoring_days: int = 180
    compulsory_age_min: int = 6
    compulsory_age_max: int = 15
    revisit_days: int = 180
    burst_households: int = 10
    medical_oop_threshold: float = 10000.0
    newborn_days: int = 90
    overdue_days: int = 30
    mask_id_numbers: bool = True
    # RULES.md §Settings: what an empty 在校生情况 means (system and ledger):
    # unknown, or not_in_school (the national export leaves non-students empty).
    school_status_blank: str = "unknown"
    monthly_cron: str = field(default="0 6 1 * *")
    # recon/expectations.py: a source's row count may move this share from the previous run's.
    row_count_tolerance: float = 0.20

    def threshold_for(self, as_of: dt.date) -> float:
        """The monitoring threshold in force for the as-of year."""
        value = self.monitoring_threshold
        if isinstance(value, dict):
            years = sorted(y for y in value if y <= as_of.year) or sorted(value)
            return float(value[years[-1]])
        return float(value)

    @classmethod
    def load(cls, path: str | Path | None) -> "Settings":
        if path is None:
            return cls()
        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise SettingsError(f"配置文件 {path.name} 无法读取: {exc}") from exc
        if not isinstance(raw, dict):
            raise SettingsError(f"配置文件 {path.name} 应为键值对 (YAML mapping)")
        known = {f.name: f for f in fields(cls)}
        values = {}
        for key, value in raw.items():
            if key not in known:
                raise SettingsError(f"配置文件 {path.name}: 未知的设置项 {key!r}")
            default = known[key].default
            try:
                if key == "monitoring_threshold" and isinstance(value, dict):
                    values[key] = {int(y): float(v) for y, v in value.items()}
                elif isinstance(default, bool):
                    if not isinstance(value, bool):
                        raise TypeError("应为 true 或 false")
                    values[key] = value
                elif isinstance(default, (int, float, str)):
                    values[key] = type(default)(value)
                else:
                    values[key] = value
            except (TypeError, ValueError) as exc:
                raise SettingsError(f"配置文件 {path.name}: 设置项 {key} 的值 {value!r} 无效 ({exc})") from exc
        if values.get("school_status_blank", "unknown") not in SCHOOL_STATUS_BLANK:
            raise SettingsError(f"配置文件 {path.name}: 设置项 school_status_blank 应为 "
                                f"{' 或 '.join(SCHOOL_STATUS_BLANK)}，实际为 {values['school_status_blank']!r}")
        return cls(**values)
