"""两不愁三保障 and safe drinking water: the four guarantees whose failure a
sector rule reports (RULES.md §Household class, MON01, MON02). One table for
household_status.csv's gaps, the monitoring rules' reasons and the report."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Guarantee:
    gap: str        # as household_status.csv `gaps` and the report name it
    rule: str       # the rule whose finding (on the household or a member) means it fails
    reason: str     # as a MON01 / MON02 message says it


# In the order of household_status.csv's gaps (after 收入).
GUARANTEES = (
    Guarantee("住房", "HOU01", "住房不安全"),
    Guarantee("饮水", "WAT01", "饮水不安全"),
    Guarantee("教育", "EDU01", "有适龄儿童疑似失学"),
    Guarantee("医疗", "MED01", "有成员未参加基本医疗保险"),
)
INCOME_GAP = "收入"
