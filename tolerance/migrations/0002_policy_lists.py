"""The tolerance checklists as published, nationwide default lists (editable in admin; a unit
may publish its own refined list, 细化清单, which then applies inside its jurisdiction).

Sources: the three distinctions (J 一; F 14); the six conditions, twelve situations and ten
exclusions of the Zhangjiakou regulation, annex 2. Severity levels, deadlines, accountability
forms, matter categories, publication scopes and clarification methods are common defaults
(DOMAIN: *(default)*), to be adjusted locally.
"""

import datetime

from django.db import migrations

SOURCE_ZJK = "张家口市激励干部担当干事的规定 附件2"

DISTINCTIONS = [
    (
        "D1",
        "把干部在推进改革中因缺乏经验、先行先试出现的失误和错误，同明知故犯的违纪违法行为区分开来",
    ),
    (
        "D2",
        "把上级尚无明确限制的探索性试验中的失误和错误，同上级明令禁止后依然我行我素的违纪违法行为区分开来",
    ),
    ("D3", "把为推动发展的无意过失，同为谋取私利的违纪违法行为区分开来"),
]

CONDITIONS = [
    ("C1", "党纪党规、法律法规没有明令禁止"),
    ("C2", "符合中央大政方针，省委、省政府，市委、市政府决策部署精神"),
    ("C3", "严格执行决策程序和请示报告制度，或符合领导干部临机处置事项范围且事后履行报告程序"),
    ("C4", "主观上出于公心，没有以权谋私、滥用职权等违纪违法行为，符合大多数群众根本利益"),
    ("C5", "积极采取补救措施，有效避免或挽回、减轻损失和影响"),
    ("C6", "没有造成重大损失和严重不良影响"),
]

SITUATIONS = [
    (
        "S1",
        "在以新发展理念引领高质量发展、推动上级党委政府决策部署贯彻落实中，开拓进取、积极作为，出现失误或者偏差的",
    ),
    (
        "S2",
        "在全面深化改革、扩大对外开放、推进体制机制创新中，因缺乏经验、先行先试未达到预期效果或出现非重大过失的",
    ),
    ("S3", "在处置突发事件或者承担完成急难险重任务中，因果断决策、主动担责出现失误或者偏差的"),
    (
        "S4",
        "在化解矛盾纠纷、解决历史遗留问题过程中，立足维护稳定和整体利益，因勇于触及固有利益、克难碰硬产生一定负面影响的",
    ),
    ("S5", "在推进重点工作、重点项目中，因不可抗力因素导致未完成预期目标或造成负面影响和损失的"),
    (
        "S6",
        "在服务企业、服务群众中，为提高效率实施服务机制和模式创新，进行容缺受理，出现一定失误或者偏差的",
    ),
    (
        "S7",
        "在创造性开展工作中，因国家政策调整、上级决策部署发生变化，或者政策界限不明确，受客观条件限制，出现失误或者偏差的",
    ),
    (
        "S8",
        "在加强干部队伍建设、推进干部能上能下、关心关爱基层干部、激发干部队伍活力等工作中，不拘一格、探索创新，出现失误或者偏差的",
    ),
    (
        "S9",
        "在推进冬奥会筹办、生态文明建设、脱贫攻坚、项目建设、文明城市创建、新型城镇化建设、美丽乡村建设、产业转型升级、重点领域改革、人才工作、服务民生等重点工作及社会公益事业中，按照“一会三函”精神，因工作需要打破常规、大力推进，出现了一定失误或偏差的",
    ),
    (
        "S10",
        "在处理解决长期缠访闹访、疑难信访问题中，依据相关法律和政策，努力推进问题化解，已确实做到“四个到位”（诉求合理的解决问题到位、诉求无理的思想教育到位、生活困难的帮扶救助到位、行为违法的依法处理到位）后，仍出现进京、赴省、到市上访和到非接待场所上访，且未发生因信访问题引发个人极端事件或群体性事件的",
    ),
    (
        "S11",
        "在征地拆迁、执法管理等工作中，依法正确履职引发矛盾，但积极化解、未造成严重负面影响和炒作的",
    ),
    ("S12", "其他符合中央大政方针和有关规定精神、应纳入容错情形的"),
]

EXCLUSIONS = [
    ("N1", "违反政治纪律，造成不良政治影响的"),
    ("N2", "违反廉政纪律，存在以权谋私问题的"),
    ("N3", "违反组织纪律，擅自越权造成失误错误的"),
    ("N4", "与中央和省委、市委精神及改革方向背离的"),
    (
        "N5",
        "发生重特大安全责任事故、严重食药品安全责任事故和严重环境污染、生态破坏责任事故的，或因工作失误造成重特大群体事件的",
    ),
    (
        "N6",
        "违背新发展理念，违背科学发展规律，违背干部群众意愿，拍脑门决策，搞“形象工程”“政绩工程”，造成重大资源浪费或恶劣影响的",
    ),
    ("N7", "违反民主集中制原则独断专行，违背民主决策程序的"),
    (
        "N8",
        "对过错失误行为思想认识不到位，在具备纠错条件的情况下，未积极主动采取必要措施尽力挽回损失或消除负面影响的",
    ),
    ("N9", "在被问责或组织提醒后，仍因同一事由重复出现重大失误或过错的"),
    ("N10", "其他经调查认定不符合容错条件的情形"),
]

# Exclusion 9 is checked by the system against the cadre's earlier accountability matters,
# decided cases and reminders; domain events of these kinds count as reminders too.
N9_PARAMS = {
    "automatic": True,
    "reminder_events": [
        {"kind": "assessment.consequence_decided", "payload": {"consequence": "reminder_talk"}},
        {"kind": "care.talk_held", "payload": {"talk_kind": "reminder"}},
    ],
}

SEVERITY = [
    ("L1", "情节轻微，损失和影响已挽回或消除", {"proposal": "exempt"}),
    ("L2", "情节较轻，损失和影响大部分挽回", {"proposal": "mitigated"}),
    ("L3", "情节较重，造成一定损失和影响", {"proposal": "lighter"}),
]

# Working days each state may take before the case is flagged overdue.
DEADLINES = [
    ("filed", "受理后启动调查", 5),
    ("investigating", "调查核实", 30),
    ("preliminary", "提交党委（党组）认定", 15),
    ("decided", "书面反馈", 10),
    ("feedback_sent", "报上级备案", 10),
    ("filed_upward", "公开或转入纠错、回访", 20),
    ("published", "转入纠错、回访", 20),
    ("correcting", "纠错整改", 60),
    ("follow_up", "跟踪回访", 90),
]

ACCOUNTABILITY_FORMS = [
    ("check", "检查", {}),
    ("circulate", "通报", {}),
    ("reorganise", "改组", {"organisational_handling": True}),
    ("admonish", "诫勉", {"organisational_handling": True}),
    ("adjust", "组织调整", {"organisational_handling": True}),
    ("handle", "组织处理", {"organisational_handling": True}),
    ("discipline", "纪律处分", {"organisational_handling": True}),
]

MATTER_CATEGORIES = [
    ("safety", "安全生产"),
    ("environment", "生态环境保护"),
    ("land", "征地拆迁"),
    ("petition", "信访维稳"),
    ("project", "项目建设"),
    ("investment", "招商引资"),
    ("funds", "财政资金管理"),
    ("service", "政务服务"),
    ("enforcement", "执法管理"),
    ("reform", "改革创新"),
    ("other", "其他"),
]

PUBLICATION_SCOPES = [
    ("unit", "所在单位"),
    ("system", "本系统"),
    ("jurisdiction", "本地区"),
    ("public", "向社会公开"),
]

CLARIFICATION_METHODS = [
    ("letter", "向被反映人所在单位发函反馈调查结果"),
    ("meeting", "召开会议澄清"),
    ("notice", "发文通报"),
    ("integrity_reply", "党风廉政意见回复中说明"),
]

LISTS = [
    ("tolerance.distinctions", "三个区分开来", "焦作市容错纠错研究 一；闽 14", DISTINCTIONS),
    ("tolerance.conditions", "容错条件（须同时符合）", SOURCE_ZJK + " 一", CONDITIONS),
    ("tolerance.situations", "予以容错的具体情形", SOURCE_ZJK + " 一", SITUATIONS),
    ("tolerance.exclusions", "不予容错的具体情形", SOURCE_ZJK + " 二", EXCLUSIONS),
    ("tolerance.severity", "情节与后果程度", "默认设置（可调整）", SEVERITY),
    ("tolerance.deadlines", "各环节办理期限（工作日）", "默认设置（可调整）", DEADLINES),
    ("tolerance.accountability_forms", "问责方式", "中国共产党问责条例", ACCOUNTABILITY_FORMS),
    ("tolerance.matter_categories", "问责事由类别", "默认设置（可调整）", MATTER_CATEGORIES),
    ("tolerance.publication_scopes", "公开范围", "默认设置（可调整）", PUBLICATION_SCOPES),
    (
        "tolerance.clarification_methods",
        "澄清正名方式",
        "县域调研报告（澄清正名方式）",
        CLARIFICATION_METHODS,
    ),
]


def _items(kind, rows):
    for order, row in enumerate(rows, start=1):
        if kind == "tolerance.deadlines":
            code, label, days = row
            yield code, label, {"working_days": days}, order
        elif len(row) == 3:
            code, label, params = row
            yield code, label, params, order
        else:
            code, label = row
            params = N9_PARAMS if code == "N9" else {}
            yield code, label, params, order


def forwards(apps, schema_editor):
    PolicyList = apps.get_model("cadre", "PolicyList")
    PolicyItem = apps.get_model("cadre", "PolicyItem")
    for kind, title, source, rows in LISTS:
        if PolicyList.objects.filter(kind=kind, unit__isnull=True).exists():
            continue
        # Items go in while the list is a draft; the database freezes it once published.
        policy_list = PolicyList.objects.create(
            kind=kind, title=title, source=source, version=1, status="draft"
        )
        PolicyItem.objects.bulk_create(
            PolicyItem(policy_list=policy_list, code=code, label=label, params=params, order=order)
            for code, label, params, order in _items(kind, rows)
        )
        policy_list.status = "published"
        policy_list.effective_from = datetime.date(2019, 1, 1)
        policy_list.save(update_fields=["status", "effective_from"])


def backwards(apps, schema_editor):
    # Published lists are frozen by triggers and cases refer to them: nothing is removed.
    pass


class Migration(migrations.Migration):
    dependencies = [("tolerance", "0001_initial"), ("cadre", "0008_calendarday")]

    operations = [migrations.RunPython(forwards, backwards)]
