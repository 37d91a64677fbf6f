"""The incentives app's policy lists as published, nationwide defaults (editable in admin; a unit
may publish its own version, which then applies inside its jurisdiction).

Sources: Zhangjiakou regulation (ZJK) articles 3-6, 12 and annex 1; Fujian notice (F) items 4,
7-11, 15; the county survey (X). Numbers the seeds do not give are marked 默认设置（可调整）:

- Rank ladder (职务与职级并行): minimum years in the lower rank follow the national rules on
  the parallel ladder; a year counts toward them only with a grade of 称职 or better (a 基本称
  职 year does not count), and a 不称职 grade in the counted years blocks.
- Impact periods (影响期): DOMAIN §3 gives party warning 6 months and serious warning 12; the
  others follow the usual rules for government sanctions and organisational handling.
- Public-notice period of awards: 5 working days; 一事一嘉奖/表扬/通报 are quick commendations
  without a notice period.
- Young cadres: 乡科级 35, 县处级 40, 厅局级 45 years or younger.

Every params key is read by code in `incentives.eligibility`, `incentives.selection`,
`incentives.structure`, `incentives.ledger` and `incentives.awards`.
"""

import datetime

from django.db import migrations

PRIORITY_SITUATIONS = [
    # ZJK 3 (五方面情形)
    (
        "ZJK3-1",
        "深入学习习近平新时代中国特色社会主义思想，在“学懂、弄通、做实”上取得明显成效，特别是在“做实”上成绩显著的",
        "ZJK3",
        {},
    ),
    (
        "ZJK3-2",
        "市委、市政府安排部署的中心任务、重点工作，受到上级党委、政府及有关部门（单位）批示肯定、表彰奖励，在全国有影响、全省有名次、全市排前列的",
        "ZJK3",
        {},
    ),
    (
        "ZJK3-3",
        "在关键时刻、重大任务、突发性事件等中，不怕风险、敢于担当，豁得出来、冲得上去的",
        "ZJK3",
        {},
    ),
    (
        "ZJK3-4",
        "在工作中，因敢抓敢管、敢闯敢试而遭遇挫折失误、受到非议的干部，经组织考察确实优秀的",
        "ZJK3",
        {},
    ),
    ("ZJK3-5", "其他实绩突出、群众公认，符合优先提拔使用情形的", "ZJK3", {}),
    # ZJK annex 1 (具体情形; item 14 says the list is adjusted with the city's central work,
    # which is what versioning the list does)
    (
        "A1-01",
        "深入学习习近平新时代中国特色社会主义思想，在“学懂、弄通、做实”上取得明显成效，并转化为谋划、推进各项工作的具体思路和措施，在“做实”上成绩显著的",
        "ZJK附件1",
        {},
    ),
    (
        "A1-02",
        "在冬奥会筹办中高质量完成筹办工作，带动冰雪运动和冰雪产业发展，作出突出贡献的",
        "ZJK附件1",
        {},
    ),
    (
        "A1-03",
        "在环境保护、生态建设工作中成效显著，主要污染物总量减排工作连续2年受到省级以上部门通报表彰的",
        "ZJK附件1",
        {},
    ),
    ("A1-04", "在精准扶贫工作中工作实绩突出，在全省、全市扶贫工作考核中名列前茅的", "ZJK附件1", {}),
    (
        "A1-05",
        "在招商引资、产业结构调整、全域旅游示范区创建工作中名列前茅或贡献较大的",
        "ZJK附件1",
        {},
    ),
    (
        "A1-06",
        "在城乡建设管理工作中，创城、棚改征收、房屋拆迁、集中整治等任务完成好、成效显著的",
        "ZJK附件1",
        {},
    ),
    (
        "A1-07",
        "在综治维稳工作中有效化解矛盾纠纷，做好重要敏感时期信访维稳，妥善解决信访历史遗留问题的",
        "ZJK附件1",
        {},
    ),
    (
        "A1-08",
        "在安全生产工作中表现突出、成绩显著，受到上级表彰或安全生产工作年度考核连续3年被评定为优秀等次的",
        "ZJK附件1",
        {},
    ),
    (
        "A1-09",
        "在全面深化改革中推动重点领域、关键环节取得突破性进展，放管服改革或改革试点成效显著的",
        "ZJK附件1",
        {},
    ),
    ("A1-10", "在组织工作中扎实推进干部、组织、人才等各项工作，取得显著成效的", "ZJK附件1", {}),
    ("A1-11", "在宣传工作中落实意识形态工作责任制等扎实到位，成效显著的", "ZJK附件1", {}),
    (
        "A1-12",
        "落实全面从严治党责任，党风廉政建设责任制检查考核结果在全市名列前茅的",
        "ZJK附件1",
        {},
    ),
    ("A1-13", "其他在推进各项工作中实绩突出、成效显著的", "ZJK附件1", {}),
    # F 7: flagged automatically from the annual grades
    (
        "F7-EXCELLENT",
        "连续多年年度考核优秀、业绩突出、群众公认的（同等条件下优先提拔使用或晋升职级）",
        "闽7",
        {"auto": "excellent_streak", "min_years": 3},
    ),
]

# The allowed jumps of exceptional promotion. from_levels: post levels the cadre must hold;
# post_keywords: words one of which the current post must contain (empty: any post);
# target_level: the post level of the target posts.
EXCEPTIONAL_PATHS = [
    (
        "ZJK4-1",
        "乡科级正职直接提拔到县区党委副书记、政府常务副职等重要岗位，或市直部门（单位）重要副职岗位",
        "ZJK4",
        {"from_levels": ["township_chief"], "post_keywords": [], "target_level": "county_deputy"},
    ),
    (
        "ZJK4-2",
        "副县处级干部直接提拔到县区党政正职、市直部门（单位）正职等正处级领导岗位",
        "ZJK4",
        {"from_levels": ["county_deputy"], "post_keywords": [], "target_level": "county_chief"},
    ),
    (
        "F8-1",
        "县（市、区）特别优秀的党委常委直接提任同一层级党政正职",
        "闽8",
        {
            "from_levels": ["county_deputy"],
            "post_keywords": ["常委"],
            "target_level": "county_chief",
        },
    ),
    (
        "F8-2",
        "县（市、区）党政正职中的优秀干部直接提任上一级党委专职副书记、政府常务副职，或者兼任上一级领导班子副职",
        "闽8",
        {
            "from_levels": ["county_chief"],
            "post_keywords": ["书记", "县长", "区长", "市长"],
            "target_level": "bureau_deputy",
        },
    ),
    (
        "F8-3",
        "乡镇（街道）党（工）委书记中的优秀干部直接提任上一级党委专职副书记、政府常务副职，或者兼任上一级领导班子副职",
        "闽8",
        {
            "from_levels": ["township_chief"],
            "post_keywords": ["书记"],
            "target_level": "county_deputy",
        },
    ),
    (
        "F8-4",
        "优秀县（市、区）党政正职担任省直部门领导班子成员",
        "闽8",
        {
            "from_levels": ["county_chief"],
            "post_keywords": ["书记", "县长", "区长", "市长"],
            "target_level": "bureau_deputy",
        },
    ),
]

# The checks of an exceptional promotion; `type` names the rule, the rest are its numbers.
EXCEPTIONAL_CHECKS = [
    ("no_sanction", "不在处理处分影响期内", {"type": "no_active_sanction"}),
    (
        "no_restriction",
        "未被限制职务晋升（年度综合考核连续两年排名靠后等）",
        {"type": "no_restriction"},
    ),
    (
        "excellent",
        "近三年年度考核至少一次优秀且均为称职以上（工作特别优秀、实绩特别突出）",
        {"type": "excellent_years", "years": 3, "min_excellent": 1, "min_grade": "competent"},
    ),
    ("post_years", "任现职满1年", {"type": "min_years_in_post", "years": 1}),
    ("level_jump", "不得越两级提拔", {"type": "max_level_jump", "max_steps": 2}),
    (
        "senior_age",
        "55岁以上的，须身体健康、实绩突出、群众认可（张家口第五条）",
        {"type": "senior_age", "min_age": 55},
    ),
]

# 职务与职级并行: target rank ← lower rank, minimum years in it (默认设置（可调整）).
RANK_LADDER = [
    ("clerk_1", "晋升一级科员：任二级科员2年以上", {"from_ranks": ["clerk_2"], "min_years": 2}),
    (
        "principal_clerk_4",
        "晋升四级主任科员：任一级科员3年以上",
        {"from_ranks": ["clerk_1"], "min_years": 3},
    ),
    (
        "principal_clerk_3",
        "晋升三级主任科员：任四级主任科员2年以上",
        {"from_ranks": ["principal_clerk_4"], "min_years": 2},
    ),
    (
        "principal_clerk_2",
        "晋升二级主任科员：任三级主任科员2年以上",
        {"from_ranks": ["principal_clerk_3"], "min_years": 2},
    ),
    (
        "principal_clerk_1",
        "晋升一级主任科员：任二级主任科员2年以上",
        {"from_ranks": ["principal_clerk_2"], "min_years": 2},
    ),
    (
        "researcher_4",
        "晋升四级调研员：任一级主任科员2年以上",
        {"from_ranks": ["principal_clerk_1"], "min_years": 2},
    ),
    (
        "researcher_3",
        "晋升三级调研员：任四级调研员2年以上",
        {"from_ranks": ["researcher_4"], "min_years": 2},
    ),
    (
        "researcher_2",
        "晋升二级调研员：任三级调研员2年以上",
        {"from_ranks": ["researcher_3"], "min_years": 2},
    ),
    (
        "researcher_1",
        "晋升一级调研员：任二级调研员3年以上",
        {"from_ranks": ["researcher_2"], "min_years": 3},
    ),
    (
        "inspector_2",
        "晋升二级巡视员：任一级调研员4年以上",
        {"from_ranks": ["researcher_1"], "min_years": 4},
    ),
    (
        "inspector_1",
        "晋升一级巡视员：任二级巡视员4年以上",
        {"from_ranks": ["inspector_2"], "min_years": 4},
    ),
]

RANK_RULES = [
    (
        "counted_grades",
        "任职年限内计算的年度考核等次（基本称职等次的年度不计算任职年限）",
        {"grades": ["excellent", "competent"]},
    ),
    (
        "blocking_grades",
        "任职年限内有下列等次的不得晋升职级",
        {"grades": ["incompetent"]},
    ),
    (
        "ungraded_years",
        "尚未确定年度考核等次的年度是否计算任职年限",
        {"count": True},
    ),
    (
        "excellent_priority",
        "连续多年年度考核优秀的，同等条件下优先晋升职级（闽7）",
        {"min_consecutive": 3},
    ),
    (
        "restriction_blocks",
        "被限制职务晋升期间（季度考核结果运用）不得晋升职级",
        {"blocks": True},
    ),
]

AGE_RULES = [
    (
        "senior",
        "55岁以上干部：身体健康、实绩突出、群众认可的，该提拔重用的提拔重用（张家口第五条）",
        {"min_age": 55, "requires": ["healthy", "outstanding", "recognised"]},
    ),
    (
        "young_township",
        "年轻干部（乡科级）",
        {"max_age": 35, "levels": ["township_deputy", "township_chief"]},
    ),
    (
        "young_county",
        "年轻干部（县处级）",
        {"max_age": 40, "levels": ["county_deputy", "county_chief"]},
    ),
    (
        "young_bureau",
        "年轻干部（厅局级）",
        {"max_age": 45, "levels": ["bureau_deputy", "bureau_chief"]},
    ),
]

TEAM_STRUCTURE = [
    (
        "township_head_share",
        "县级党政领导班子成员中具有乡镇（街道）党政正职经历的干部，比例不少于三分之一（闽9）",
        {
            "numerator": 1,
            "denominator": 3,
            "team_unit_kinds": ["party_committee", "government"],
            "team_levels": ["county_deputy", "county_chief"],
        },
    ),
    (
        "township_years",
        "县级机关提拔副科级以上领导干部，优先考虑具有3年以上乡镇工作经历的干部（张家口第十二条（四））",
        {"min_years": 3, "recent_years": 3, "levels": ["township_deputy", "township_chief"]},
    ),
    (
        "township_head_preference",
        "县级领导班子调整，优先考虑具有乡镇党政正职任职经历的干部（张家口第十二条（四））",
        {},
    ),
]

# 能上能下: the situations, grouped by the way down they lead to.
DOWN_SITUATIONS = [
    ("D-R1", "工作不在状态、庸政懒政怠政，造成不良影响的", "removal"),
    ("D-R2", "不担当不作为、推拖绕躲，贻误工作造成严重后果的", "removal"),
    ("D-R3", "受到责令辞职、免职等组织处理的", "removal"),
    ("D-A1", "不能胜任现职、不适宜担任现职的", "adjustment"),
    (
        "D-A2",
        "年度考核被确定为基本称职，或年度综合考核连续两年排名靠后、经考察不胜任的",
        "adjustment",
    ),
    ("D-A3", "耍态度、撂挑子、没状态，消极无为的", "adjustment"),
    (
        "D-A4",
        "分管工作在省市连续失分较多、单项工作多次排名后位，经提醒谈话、诫勉仍无改进的",
        "adjustment",
    ),
    ("D-A5", "违背新发展理念、拍脑门决策，造成不良影响但不够问责的", "adjustment"),
    ("D-D1", "年度考核被确定为不称职等次的", "demotion"),
    ("D-D2", "因工作失误失职造成重大损失或恶劣影响，不适宜担任现职务层次的", "demotion"),
    ("D-D3", "在被问责或组织提醒后，仍因同一事由重复出现重大失误的", "demotion"),
]

# Impact periods (影响期), in months, and the accountability forms of the tolerance app that
# record a sanction of this kind in the ledger. Ambiguous forms (纪律处分, 组织处理) leave the
# kind to be confirmed.
SANCTION_KINDS = [
    ("party_warning", "党内警告", "party", {"impact_months": 6}),
    ("party_serious_warning", "党内严重警告", "party", {"impact_months": 12}),
    ("party_post_removal", "撤销党内职务", "party", {"impact_months": 24}),
    ("party_probation", "留党察看", "party", {"impact_months": 24}),
    ("gov_warning", "警告（政务处分）", "government", {"impact_months": 6}),
    ("gov_demerit", "记过", "government", {"impact_months": 12}),
    ("gov_major_demerit", "记大过", "government", {"impact_months": 18}),
    ("gov_downgrade", "降级", "government", {"impact_months": 24}),
    ("gov_dismissal", "撤职", "government", {"impact_months": 24}),
    (
        "admonish",
        "诫勉",
        "organisational",
        {"impact_months": 6, "accountability_forms": ["admonish"]},
    ),
    ("suspension", "停职检查", "organisational", {"impact_months": 6}),
    (
        "adjustment",
        "调整职务",
        "organisational",
        {"impact_months": 12, "accountability_forms": ["adjust"]},
    ),
    ("resignation", "责令辞职", "organisational", {"impact_months": 12}),
    ("removal", "免职", "organisational", {"impact_months": 12}),
    ("demotion", "降职", "organisational", {"impact_months": 24}),
]

AWARD_KINDS = [
    ("good_cadre", "担当作为好干部", "F4、Z、ZJK12(二)", {"notice_days": 5}),
    ("satisfied_servant", "人民满意公务员", "F4", {"notice_days": 5}),
    ("doer", "担当者", "F4", {"notice_days": 5}),
    ("good_official", "好干部", "F4", {"notice_days": 5}),
    ("good_team", "干事创业好班子", "ZJK12(二)", {"notice_days": 5, "collective": True}),
    ("dangdang_award", "担当有为奖", "J", {"notice_days": 5}),
    ("two_excellent", "“两优一先”表彰", "ZJK12(二)", {"notice_days": 5}),
    ("good_secretary", "担当作为好书记", "X", {"notice_days": 5}),
    ("red_star", "红星党员", "X", {"notice_days": 5}),
    ("advanced_collective", "先进集体", "X", {"notice_days": 5, "collective": True}),
    ("one_matter_commend", "一事一嘉奖", "X", {"notice_days": 0}),
    ("one_matter_praise", "一事一表扬", "X", {"notice_days": 0}),
    ("one_matter_notice", "一事一通报（表扬）", "X", {"notice_days": 0}),
]


def _rows(kind):
    if kind == "incentives.priority_situations":
        for code, label, group, params in PRIORITY_SITUATIONS:
            yield code, label, group, params
    elif kind == "incentives.exceptional_paths":
        yield from EXCEPTIONAL_PATHS
    elif kind == "incentives.down_situations":
        for code, label, group in DOWN_SITUATIONS:
            yield code, label, group, {}
    elif kind == "incentives.sanction_kinds":
        yield from SANCTION_KINDS
    elif kind == "incentives.award_kinds":
        for code, label, source, params in AWARD_KINDS:
            yield code, label, "", {**params, "source": source}
    else:
        for code, label, params in LISTS_PLAIN[kind]:
            yield code, label, "", params


LISTS_PLAIN = {
    "incentives.exceptional_checks": EXCEPTIONAL_CHECKS,
    "incentives.rank_ladder": RANK_LADDER,
    "incentives.rank_rules": RANK_RULES,
    "incentives.age_rules": AGE_RULES,
    "incentives.team_structure": TEAM_STRUCTURE,
}

LISTS = [
    ("incentives.priority_situations", "优先提拔使用情形", "张家口第三条及附件1；闽7"),
    ("incentives.exceptional_paths", "破格提拔路径", "张家口第四条；闽8"),
    (
        "incentives.exceptional_checks",
        "破格提拔条件核查",
        "党政领导干部选拔任用工作条例；张家口第五条；默认设置（可调整）",
    ),
    (
        "incentives.rank_ladder",
        "职级晋升任职年限",
        "公务员职务与职级并行规定；闽10；默认设置（可调整）",
    ),
    (
        "incentives.rank_rules",
        "职级晋升考核等次要求",
        "公务员职务与职级并行规定；闽7；默认设置（可调整）",
    ),
    ("incentives.age_rules", "干部年龄使用规则", "张家口第五条；年轻干部年龄为默认设置（可调整）"),
    ("incentives.team_structure", "领导班子结构要求", "闽9；张家口第十二条（四）"),
    (
        "incentives.down_situations",
        "能上能下（免职、调整、降职）情形",
        "闽11；张家口第六条；县域调研报告",
    ),
    ("incentives.sanction_kinds", "处理处分种类及影响期", "闽15；影响期为默认设置（可调整）"),
    (
        "incentives.award_kinds",
        "评选表彰种类",
        "闽4；张家口第十二条（二）；县域调研报告；公示期为默认设置（可调整）",
    ),
]


def forwards(apps, schema_editor):
    PolicyList = apps.get_model("cadre", "PolicyList")
    PolicyItem = apps.get_model("cadre", "PolicyItem")
    for kind, title, source in LISTS:
        if PolicyList.objects.filter(kind=kind, unit__isnull=True).exists():
            continue
        # Items go in while the list is a draft; the database freezes it once published.
        policy_list = PolicyList.objects.create(
            kind=kind, title=title, source=source, version=1, status="draft"
        )
        PolicyItem.objects.bulk_create(
            PolicyItem(
                policy_list=policy_list,
                code=code,
                label=label,
                group=group,
                params=params,
                order=order,
            )
            for order, (code, label, group, params) in enumerate(_rows(kind), start=1)
        )
        policy_list.status = "published"
        policy_list.effective_from = datetime.date(2019, 1, 1)
        policy_list.save(update_fields=["status", "effective_from"])


def backwards(apps, schema_editor):
    # Published lists are frozen by triggers and records refer to them: nothing is removed.
    pass


class Migration(migrations.Migration):
    dependencies = [("incentives", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
