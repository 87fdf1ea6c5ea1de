"""The words users read for recon's codes: severities, statuses and the two
answers a township writes back (整改情况). One table for the lists, the
report, feedback reading and the registry."""
from __future__ import annotations

SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}
STATUS_LABELS = {"new": "新发现", "open": "持续", "reopened": "重现", "resolved": "已销号"}
# 整改情况 in a returned list: claimed fixed, or verified correct (with a reason: an exemption).
CLAIMED_FIXED, VERIFIED = "已整改", "核实无误"
FEEDBACK_CHOICES = (CLAIMED_FIXED, VERIFIED)
# The sector bureaus of the bureau lists (三单制, RULES.md §lists): source folder → the bureau
# whose data it is. A finding rests on a bureau's data when its `source` names the folder.
# Sources not (yet) in the drop's declarations (recon/sources/) are skipped.
BUREAUS = {
    "education": "教育局", "medical": "医保局", "housing": "住建局", "water": "水利局", "hukou": "公安局",
    "civil": "民政局", "disability": "残联", "pension": "人社局",
}
# The township lists' category sheets, in the order RULES.md §Lifecycle and lists gives them
# (a sheet only when it has rows); a county check's own category follows them.
LIST_SHEETS = ("身份信息", "家庭与收入", "教育", "医疗", "住房", "饮水", "监测帮扶", "逻辑校验", "兜底保障", "养老保险")
