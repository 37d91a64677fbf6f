"""The points catalogue and the 360-degree rater groups as published, nationwide defaults
(editable in admin; a unit may publish its own version for its jurisdiction).

Items and wording follow the county survey (X, "223" 考核机制 and 360度反馈评价法); the point
values and the weights are defaults (DOMAIN: *(default)*). Catalogue params: `direction` add or
deduct, `points` the default value (null: the actual points of the city's assessment), `double`
the double rule for lead and responsible departments (`multiplier`), `consequence_trigger` an
item that counts toward the talk ladder (bottom 3 in the city, city criticism notice).
Rater group params: `weight` in percent; the weights of a list sum to 100.
"""

import datetime

from django.db import migrations

CATALOGUE = [
    ("econ_top3", "主要经济指标季度排名全市前三位", {"direction": "add", "points": "5"}),
    ("city_commendation", "获得市级及以上表彰奖励、通报表扬", {"direction": "add", "points": "3"}),
    ("city_title", "获得市级及以上各类创建命名", {"direction": "add", "points": "3"}),
    ("experience_promoted", "典型经验在市级以上交流推广", {"direction": "add", "points": "3"}),
    ("onsite_meeting", "承办市级以上现场会", {"direction": "add", "points": "3"}),
    (
        "city_assessment_gain",
        "在市级以上考核评估中加分（牵头与责任部门双倍加分）",
        {"direction": "add", "points": None, "double": True, "multiplier": "2"},
    ),
    (
        "item_bottom3",
        "单项工作排名全市后三位",
        {"direction": "deduct", "points": "5", "consequence_trigger": True},
    ),
    (
        "city_criticism",
        "受到市级以上通报批评",
        {"direction": "deduct", "points": "5", "consequence_trigger": True},
    ),
    (
        "city_assessment_loss",
        "在市级以上考核评估中扣分（牵头与责任部门双倍扣分）",
        {"direction": "deduct", "points": None, "double": True, "multiplier": "2"},
    ),
    (
        "major_opinion",
        "因工作失误造成重大舆情、产生负面影响",
        {"direction": "deduct", "points": "5"},
    ),
]

RATER_GROUPS = [
    ("leader", "分管县级领导", {"weight": 25}),
    ("peer_units", "部门单位", {"weight": 15}),
    ("assessment_office", "县委考核办", {"weight": 20}),
    ("staff", "本单位干部职工", {"weight": 25}),
    ("service_users", "服务对象", {"weight": 15}),
]

LISTS = [
    (
        "assessment.points_catalogue",
        "考核积分项目",
        "县域调研报告（223考核机制）；分值为默认设置",
        CATALOGUE,
    ),
    (
        "assessment.rater_groups",
        "360度评价主体及权重",
        "县域调研报告（360度反馈评价法）；权重为默认设置",
        RATER_GROUPS,
    ),
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
    dependencies = [("assessment", "0003_ordinary_points_evaluation")]

    operations = [migrations.RunPython(forwards, backwards)]
