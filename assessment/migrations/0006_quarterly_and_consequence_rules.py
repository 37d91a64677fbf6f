"""The rules of the quarterly review and of the consequences, as published nationwide defaults
(editable in admin; a new version applies from the next run).

Quarterly review (ZJK 14, X 每周纪实、月度小结、季度总评): the weights of the three parts (records,
the units' result under the three links, the 360-degree score), the unit base score, and the
grade thresholds are defaults (DOMAIN: *(default)*).
Consequences (X): the talk ladder for the 1st, 2nd and 3rd bottom-3 ranking or criticism notice
in a year; 基本称职 → 约谈提醒; a 360 score below the threshold → 约谈提醒; repeated point losses
in a quarter → 约谈提醒; bottom of a ranking group in the fourth quarter two years running →
promotion and bonus restricted, focused review.
"""

import datetime

from django.db import migrations

QUARTERLY = [
    ("weights", "季度总评各部分权重（%）", {"records": 30, "unit": 40, "evaluation": 30}),
    ("records", "纪实与小结的构成", {"weekly_share": "0.7", "monthly_share": "0.3"}),
    ("unit_base", "单位季度基础分（加减积分后为单位得分）", {"base": 80}),
    ("grades", "季度总评等次分数线", {"good": 90, "fairly_good": 80, "average": 60}),
]

CONSEQUENCES = [
    (
        "ladder",
        "单项工作排名全市后三位、受到市级以上通报批评：按年度内出现次数",
        {"kinds": ["reminder_talk", "admonishment_talk", "organisational_handling"]},
    ),
    ("basic_grade", "年度考核基本称职：约谈提醒", {"kind": "interview_reminder"}),
    (
        "low_democratic",
        "360度评价得分低于分数线：约谈提醒",
        {"kind": "interview_reminder", "below": 60},
    ),
    (
        "repeated_losses",
        "季度内分管单位扣分达到次数：约谈提醒",
        {"kind": "interview_reminder", "deductions": 3},
    ),
    (
        "low_two_years",
        "第四季度排名后几名连续两年：限制晋升和奖金，重点考察",
        {"kind": "restricted"},
    ),
]

LISTS = [
    (
        "assessment.quarterly_rules",
        "季度总评计分规则",
        "张家口 14；县域调研报告；默认设置",
        QUARTERLY,
    ),
    ("assessment.consequence_rules", "考核结果运用规则", "县域调研报告；默认设置", CONSEQUENCES),
]


def forwards(apps, schema_editor):
    PolicyList = apps.get_model("cadre", "PolicyList")
    PolicyItem = apps.get_model("cadre", "PolicyItem")
    for kind, title, source, rows in LISTS:
        if PolicyList.objects.filter(kind=kind, unit__isnull=True).exists():
            continue
        policy_list = PolicyList.objects.create(
            kind=kind, title=title, source=source, version=1, status="draft"
        )
        PolicyItem.objects.bulk_create(
            PolicyItem(policy_list=policy_list, code=code, label=label, params=params, order=n)
            for n, (code, label, params) in enumerate(rows, start=1)
        )
        policy_list.status = "published"
        policy_list.effective_from = datetime.date(2019, 1, 1)
        policy_list.save(update_fields=["status", "effective_from"])


def backwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("assessment", "0005_rankings_consequences")]

    operations = [migrations.RunPython(forwards, backwards)]
