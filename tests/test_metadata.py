"""Dagster metadata previews (assets/metadata.py): personal data masked —
证件号码, names, phone numbers (138****5678, also landlines and malformed
ones), health and disability hidden."""
import pandas as pd

from assets.metadata import masked_preview


def test_preview_masks_ids_names_phones_and_hides_health():
    frame = pd.DataFrame({"证件号码": ["430321199001011234"], "姓名": ["张三丰"], "户联系电话": ["13812345678"],
                          "成员联系电话": ["085112345678"], "健康状况": ["长期慢性病"], "残疾类别": ["肢体"],
                          "乡镇": ["城关镇"]})
    text = masked_preview(frame).value
    for secret in ("430321199001011234", "张三丰", "13812345678", "085112345678", "长期慢性病", "肢体"):
        assert secret not in text
    assert "138****5678" in text and "0851****5678" in text and "城关镇" in text and "张**" in text


def test_findings_metadata_lists_the_groups_rules_as_the_config_makes_them():
    """Issue 21: the Dagster UI shows the effective catalog (enabled, severity) per findings asset."""
    from assets.findings import group_metadata
    from checks.rules.run import RuleRun
    from recon.settings import Settings
    empty = RuleRun(findings=pd.DataFrame({"severity": pd.Series(dtype="string")}),
                    skipped=pd.DataFrame(columns=["rule", "reason"]), counts=pd.DataFrame(columns=["rule", "findings"]))
    settings = Settings.model_validate({"rules": {"PHN02": {"enabled": False}, "REL01": {"severity": "high"}}})
    table = group_metadata(empty, "consistency", settings)["rules"].value
    lines = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| ") and "rule" not in line}
    assert "否" in lines["PHN02"] and "high" in lines["REL01"] and "是" in lines["RSK05"]


def test_the_county_checks_asset_lists_the_configs_checks():
    """Issue 21: county checks appear as their own group's asset (findings_county), each with its severity."""
    from assets.findings import build_findings_assets, group_metadata
    from checks.rules.run import RuleRun
    from recon.settings import Settings
    assert "findings_county" in {asset.key.to_user_string() for asset in build_findings_assets()}
    empty = RuleRun(findings=pd.DataFrame({"severity": pd.Series(dtype="string")}),
                    skipped=pd.DataFrame(columns=["rule", "reason"]), counts=pd.DataFrame(columns=["rule", "findings"]))
    settings = Settings.model_validate({"checks": [
        {"code": "X001", "title": "劳动技能为空", "severity": "low", "source": "system",
         "when": [{"column": "劳动技能", "empty": True}]}]})
    table = group_metadata(empty, "county", settings)["rules"].value
    assert "X001" in table and "劳动技能为空" in table and "low" in table
