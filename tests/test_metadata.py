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
