"""Column maps of the data drop (CONTRACT.md §2): canonical names, accepted
names, key columns and value kinds, per source.

Data, not code branches (as PUDL does with its column maps): a new spelling of
a header is one more string in a list here.
"""
from __future__ import annotations

import re

SOURCES = ("system", "ledger", "education", "medical", "housing", "water", "hukou")
REQUIRED_SOURCES = ("system", "ledger")

# Value kinds, interpreted by recon.normalise:
#   id       证件号码 (CONTRACT.md §3)      name     person name
#   text     free text, stripped           code     label from a value set
#   relation 与户主关系 without 之 prefix    sex      男/女
#   date     day precision                 month    a date or a month (first day)
#   yesno    是/否 → nullable boolean        amount   yuan → Float64
#   int      whole number → Int64           grade    housing grade A–D
#   year     four-digit year → Int64        health   several labels joined by , or 、

PERSON = {
    "县": (["县", "县(市、区)", "县(市、区、旗)", "县区"], "text"),
    "乡镇": (["乡镇", "乡(镇)", "乡镇(街道)", "镇", "乡"], "text"),
    "行政村": (["行政村", "村", "村(社区)", "所在村"], "text"),
    "户编号": (["户编号", "户码", "家庭编号"], "text"),
    "人编号": (["人编号", "人口编号"], "text"),
    "姓名": (["姓名", "成员姓名", "学生姓名", "参保人姓名"], "name"),
    "证件号码": (["证件号码", "身份证号", "身份证号码", "公民身份号码", "身份证件号码"], "id"),
    "与户主关系": (["与户主关系", "家庭关系"], "relation"),
    "性别": (["性别"], "sex"),
    "出生日期": (["出生日期"], "date"),
}

HOUSEHOLD_TYPES = ("脱贫户", "监测户", "一般农户")
MONITORING_CATEGORIES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
HEALTH = ("健康", "长期慢性病", "患有大病", "残疾")
LABOUR = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力")
POVERTY_CAUSES = ("因病", "因残", "因学", "因灾", "因意外", "因婚", "因丧", "因安全住房", "因安全饮水", "缺劳力",
                  "缺技术", "缺资金", "缺土地", "缺水", "交通条件落后", "自身发展动力不足", "务工就业不稳", "其他")
# 与户主关系 (CONTRACT.md §2.1), compared without the 之 prefix: the relations of
# RULES.md and those of the national household-relation code list (GB/T 4761).
RELATIONS = (
    "户主", "配偶", "夫", "妻",
    "子", "独生子", "长子", "次子", "三子", "四子", "五子", "养子", "继子", "养子或继子", "女婿", "其他儿子",
    "女", "独生女", "长女", "次女", "三女", "四女", "五女", "养女", "继女", "养女或继女", "儿媳", "其他女儿",
    "孙子", "孙女", "外孙子", "外孙女", "孙媳妇", "外孙媳妇", "孙媳妇或外孙媳妇", "孙女婿", "外孙女婿",
    "孙女婿或外孙女婿", "曾孙子", "曾孙女", "外曾孙子", "外曾孙女", "曾孙子或外曾孙子", "曾孙女或外曾孙女",
    "父", "母", "父母", "父亲", "母亲", "公公", "婆婆", "岳父", "岳母", "继父", "继母", "养父", "养母",
    "继父或养父", "继母或养母", "祖父", "祖母", "外祖父", "外祖母", "曾祖父", "曾祖母", "外曾祖父", "外曾祖母",
    "兄", "嫂", "弟", "弟媳", "姐", "姐姐", "姐夫", "妹", "妹妹", "妹夫", "兄弟", "姐妹", "兄弟姐妹",
    "伯父", "伯母", "叔父", "婶母", "舅父", "舅母", "姨父", "姨母", "姑父", "姑母", "堂兄弟", "堂姐妹",
    "表兄弟", "表姐妹", "侄子", "侄女", "外甥", "外甥女", "其他亲属", "非亲属", "其他",
)
INCOME_COLUMNS = ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出",
                  "家庭纯收入", "人均纯收入")

SYSTEM = {
    **PERSON,
    "人数": (["人数", "家庭人口数", "家庭人数"], "int"),
    "户类型": (["户类型", "户属性"], "code"),
    "监测对象类别": (["监测对象类别", "监测类型", "易返贫致贫户(监测对象)类型"], "code"),
    "风险是否消除": (["风险是否消除", "风险是否已消除", "是否消除风险"], "yesno"),
    "纳入监测时间": (["纳入监测时间", "识别监测时间", "风险识别时间"], "month"),
    "风险消除时间": (["风险消除时间", "消除监测时间"], "month"),
    "首次帮扶时间": (["首次帮扶时间", "帮扶措施落实时间"], "date"),
    "最近回访时间": (["最近回访时间", "回访时间"], "date"),
    "在校生情况": (["在校生情况", "在校生状况"], "text"),
    "文化程度": (["文化程度"], "text"),
    "健康状况": (["健康状况"], "health"),
    "劳动技能": (["劳动技能"], "code"),
    "是否参加城乡居民基本医疗保险": (["是否参加城乡居民基本医疗保险", "是否参加基本医疗保险",
                                   "参加城乡居民基本医疗保险",
                                   "是否参加新型农村合作医疗(城乡居民基本医疗保险)"], "yesno"),
    "是否参加城镇职工基本医疗保险": (["是否参加城镇职工基本医疗保险"], "yesno"),
    "住房安全": (["住房安全", "是否住房安全", "住房安全有保障"], "yesno"),
    # Opposite meaning: 是否危房户 = 是 means 住房安全 = 否 (folded in by recon.normalise).
    "是否危房户": (["是否危房户"], "yesno"),
    "饮水安全": (["饮水安全", "是否饮水安全", "饮水安全有保障", "是否解决安全饮用水"], "yesno"),
    "工资性收入": (["工资性收入"], "amount"),
    "生产经营性收入": (["生产经营性收入"], "amount"),
    "财产性收入": (["财产性收入"], "amount"),
    "转移性收入": (["转移性收入"], "amount"),
    "生产经营性支出": (["生产经营性支出"], "amount"),
    "家庭纯收入": (["家庭纯收入", "年纯收入", "家庭年纯收入"], "amount"),
    "人均纯收入": (["人均纯收入"], "amount"),
    "致贫原因": (["致贫原因", "主要致贫原因", "致贫原因1", "致贫/返贫风险1", "风险类型", "返贫致贫风险"], "code"),
}

LEDGER = {
    **SYSTEM,
    "户主证件号码": (["户主证件号码", "户主身份证号"], "id"),
}

EDUCATION = {
    **PERSON,
    "学校名称": (["学校名称", "就读学校"], "text"),
    "学段": (["学段", "就读学段"], "code"),
    "年级": (["年级"], "text"),
    "学籍状态": (["学籍状态", "在校状态"], "code"),
    "资助项目": (["资助项目", "享受资助"], "text"),
}

MEDICAL = {
    **PERSON,
    "参保年度": (["参保年度", "年度"], "year"),
    "参保状态": (["参保状态"], "code"),
    "险种": (["险种", "参保险种"], "code"),
    "资助参保": (["资助参保", "是否资助参保"], "yesno"),
    "个人自付费用": (["个人自付费用", "自付金额"], "amount"),
}

HOUSING = {
    **{k: v for k, v in PERSON.items() if k != "证件号码"},
    # The owner's ID: 户主证件号码 and 身份证号 are accepted here.
    "证件号码": (PERSON["证件号码"][0] + ["户主证件号码", "户主身份证号"], "id"),
    "鉴定等级": (["鉴定等级", "住房安全等级", "房屋安全等级"], "grade"),
    "鉴定日期": (["鉴定日期"], "date"),
    "纳入改造": (["是否纳入危房改造", "纳入改造"], "yesno"),
    "竣工验收": (["竣工验收", "是否竣工", "改造完成"], "yesno"),
    "保障方式": (["保障方式", "住房保障方式"], "code"),
}

WATER = {
    **PERSON,
    "供水方式": (["供水方式"], "code"),
    "水量达标": (["水量达标"], "yesno"),
    "水质达标": (["水质达标"], "yesno"),
    "用水方便达标": (["用水方便达标", "用水方便程度达标"], "yesno"),
    "供水保证率达标": (["供水保证率达标"], "yesno"),
    "是否饮水安全": (["是否饮水安全", "饮水安全"], "yesno"),
}

HUKOU = {
    **PERSON,
    "户籍状态": (["户籍状态", "人口状态"], "code"),
    "注销日期": (["注销日期", "变动日期"], "date"),
}

EXEMPTIONS = {
    "规则": (["规则", "规则代码", "rule"], "text"),
    "证件号码": (PERSON["证件号码"][0], "id"),
    "户编号": (PERSON["户编号"][0], "text"),
    "理由": (["理由", "豁免理由", "原因"], "text"),
    "批准日期": (["批准日期"], "date"),
}

COLUMNS = {
    "system": SYSTEM, "ledger": LEDGER, "education": EDUCATION, "medical": MEDICAL,
    "housing": HOUSING, "water": WATER, "hukou": HUKOU, "exemptions": EXEMPTIONS,
}

# The header row is the first row holding all of these (CONTRACT.md §2.2–2.8).
KEY_COLUMNS = {
    "system": ("户编号", "姓名", "证件号码"),
    "ledger": ("姓名", "证件号码", "与户主关系"),
    "education": ("姓名", "证件号码", "学籍状态"),
    "medical": ("证件号码", "参保状态"),
    "housing": ("证件号码", "鉴定等级"),
    "water": ("乡镇", "行政村"),
    "hukou": ("证件号码", "户籍状态"),
    "exemptions": ("规则", "理由"),
}

# Coded columns and their canonical labels (CONTRACT.md §2). Spellings that
# mean the same label are folded in recon.normalise (e.g. 普通农户 = 一般农户).
VALUE_SETS = {
    "户类型": HOUSEHOLD_TYPES,
    "监测对象类别": MONITORING_CATEGORIES,
    "劳动技能": LABOUR,
    "致贫原因": POVERTY_CAUSES,
    "学段": ("学前教育", "小学", "初中", "高中", "中职", "高职", "本科及以上"),
    "学籍状态": ("在读", "休学", "辍学", "毕业", "转出", "送教上门"),
    "参保状态": ("正常参保", "已参保", "参保缴费", "未参保", "停保", "中断"),
    "险种": ("城乡居民基本医疗保险", "职工基本医疗保险"),
    "保障方式": ("危房改造", "易地搬迁", "自筹新建", "租赁", "公租房", "投靠亲友"),
    "供水方式": ("集中供水", "分散供水"),
    "户籍状态": ("正常", "死亡注销", "迁出注销", "服兵役注销"),
}

_HEADER_NOISE = re.compile(r"[\s\u3000（）()]")


def header_key(cell: str) -> str:
    """A header cell as compared: no whitespace (incl. full-width and line
    breaks) and no brackets of either width."""
    return _HEADER_NOISE.sub("", str(cell))


def alias_map(source: str) -> dict[str, str]:
    """header_key(accepted name) → canonical name, for one source."""
    mapping: dict[str, str] = {}
    for canonical, (aliases, _kind) in COLUMNS[source].items():
        for alias in aliases:
            mapping.setdefault(header_key(alias), canonical)
    return mapping


def kinds(source: str) -> dict[str, str]:
    """canonical name → value kind, for one source."""
    return {canonical: kind for canonical, (_aliases, kind) in COLUMNS[source].items()}
