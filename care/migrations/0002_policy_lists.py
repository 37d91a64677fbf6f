"""The care app's policy lists as published, nationwide defaults (editable in admin; a unit may
publish its own version, which then applies inside its jurisdiction). Sources: Fujian notice
(F) items 16-20, Zhangjiakou regulation (ZJK) article 12, the county survey (X). Numbers the
seeds do not give are marked 默认设置（可调整）.

care.talk_triggers — the 五必谈 (F 16). Each item's `events` lists the domain events that
trigger it: `kind`, and optionally `payload`, keys that must equal the event's payload values.
`deadline_days` (default 30 calendar days) gives the due date from the event's date.

care.talk_settings — reminder timing: `remind_before.days` (remind the assignee this many days
before the deadline), `escalate_after.days` (escalate to the superior this many days after the
deadline has passed), `coverage_reminder.months` (months in which the annual-coverage reminders
go out: the last quarter), `checkup_reminder.days` (days before a check-up plan's deadline),
`leave_plan_reminder` (month and day by which yearly leave plans are due).

care.coverage_rules — annual coverage (F 16: 市县乡党委主要负责人同班子成员和下一级班子主要负责
人谈话每年至少1次). One item per level:
- `region_level` (city/county): the secretary's region is a unit of kind `region` at that level;
  the party committee is its child unit of kind `party_committee`; the secretary is the active
  cadre there whose post is one of `secretary_posts`. For the township item `unit_kinds` names
  the units (township, street) where the secretary holds one of `secretary_posts`.
- The team: active cadres of the region's children of kinds `team_unit_kinds` (for a township:
  the township unit itself) whose post level is in `team_levels`, the secretary excepted.
- The heads of the teams below: active cadres whose post is one of `lower_head_posts`, in units
  of kinds `lower_unit_kinds` that lie `lower_unit_depth` levels below the region (1: its
  children; 2: its grandchildren).

care.checkup_extras — extra check-up items (F 19: 基层一线、困难地区、特种行业): `applies_to`
is `frontline` (a current frontline assignment), `hardship` (a unit in a hardship area) or
`special_industry` (cadre tag `special_industry`).

care.leave_entitlement — paid annual leave (职工带薪年休假条例; DOMAIN *(default)*): `days`
for `min_years` years of service or more; the highest matching item applies.

care.hardship_categories — F 17. care.facility_kinds — the 五小设施 of F 20.
"""

import datetime

from django.db import migrations

TALK_TRIGGERS = [
    (
        "T1",
        "干部岗位变动必谈",
        {"deadline_days": 30, "events": [{"kind": "cadre.post_changed"}]},
    ),
    (
        "T2",
        "参加重大专项工作必谈",
        {"deadline_days": 30, "events": [{"kind": "cadre.major_task_assigned"}]},
    ),
    (
        "T3",
        "出现苗头性问题必谈",
        {
            "deadline_days": 30,
            "events": [
                {"kind": "tolerance.reminder_recorded"},
                {
                    "kind": "assessment.consequence_decided",
                    "payload": {"consequence": "reminder_talk"},
                },
                {
                    "kind": "assessment.consequence_decided",
                    "payload": {"consequence": "admonishment_talk"},
                },
                {
                    "kind": "assessment.consequence_decided",
                    "payload": {"consequence": "interview_reminder"},
                },
            ],
        },
    ),
    (
        "T4",
        "受到组织处理必谈",
        {
            "deadline_days": 30,
            "events": [
                {"kind": "tolerance.organisational_handling"},
                {
                    "kind": "assessment.consequence_decided",
                    "payload": {"consequence": "organisational_handling"},
                },
                {"kind": "incentives.sanction_recorded"},
                {"kind": "incentives.adjusted_down"},
            ],
        },
    ),
    (
        "T5",
        "发生家庭变故必谈",
        {"deadline_days": 30, "events": [{"kind": "care.family_misfortune_reported"}]},
    ),
]

TALK_SETTINGS = [
    ("remind_before", "期限前提醒承办人（天）", {"days": 7}),
    ("escalate_after", "逾期后督办上级（天）", {"days": 1}),
    ("coverage_reminder", "年度谈话覆盖提醒月份（第四季度）", {"months": [10, 11, 12]}),
    ("checkup_reminder", "体检截止前提醒（天）", {"days": 14}),
    ("leave_plan_reminder", "年度休假计划报送截止（月、日）", {"month": 3, "day": 31}),
]

COVERAGE_RULES = [
    (
        "city",
        "市委主要负责人同市委班子成员和县（市、区）委书记谈话",
        {
            "region_level": "city",
            "secretary_posts": ["市委书记"],
            "team_unit_kinds": ["party_committee", "government"],
            "team_levels": ["bureau_deputy", "bureau_chief"],
            "lower_unit_kinds": ["party_committee"],
            "lower_unit_depth": 2,
            "lower_head_posts": ["县委书记", "区委书记"],
        },
    ),
    (
        "county",
        "县（市、区）委主要负责人同县级班子成员和乡镇（街道）党（工）委书记谈话",
        {
            "region_level": "county",
            "secretary_posts": ["县委书记", "区委书记"],
            "team_unit_kinds": ["party_committee", "government"],
            "team_levels": ["county_deputy", "county_chief"],
            "lower_unit_kinds": ["township", "street"],
            "lower_unit_depth": 1,
            "lower_head_posts": ["党委书记", "街道党工委书记", "党工委书记"],
        },
    ),
    (
        "township",
        "乡镇（街道）党（工）委主要负责人同班子成员谈话",
        {
            "unit_kinds": ["township", "street"],
            "secretary_posts": ["党委书记", "街道党工委书记", "党工委书记"],
            "team_levels": ["township_deputy", "township_chief"],
            "lower_unit_kinds": [],
            "lower_unit_depth": 1,
            "lower_head_posts": [],
        },
    ),
]

CHECKUP_EXTRAS = [
    (
        "frontline",
        "基层一线干部加检：心脑血管风险筛查、颈腰椎检查",
        {"applies_to": "frontline"},
    ),
    (
        "hardship",
        "困难地区干部加检：高原（寒冷）适应相关检查、慢性病筛查",
        {"applies_to": "hardship"},
    ),
    (
        "special_industry",
        "特种行业干部加检：职业病危害因素相关检查",
        {"applies_to": "special_industry"},
    ),
]

LEAVE_ENTITLEMENT = [
    ("y1", "累计工作满1年不满10年：年休假5天", {"min_years": 1, "days": 5}),
    ("y10", "累计工作满10年不满20年：年休假10天", {"min_years": 10, "days": 10}),
    ("y20", "累计工作满20年：年休假15天", {"min_years": 20, "days": 15}),
]

HARDSHIP_CATEGORIES = [
    ("medical", "医疗补助（门诊、住院个人负担）", {}),
    ("mutual_aid", "工会医疗互助", {}),
    ("spouse_employment", "配偶就业", {}),
    ("children_schooling", "子女就学", {}),
    ("living", "生活困难补助", {}),
    ("other", "其他", {}),
]

FACILITY_KINDS = [
    ("canteen", "小食堂", {}),
    ("toilet", "小厕所", {}),
    ("bathhouse", "小澡堂", {}),
    ("library", "小图书室", {}),
    ("sports", "小文体室", {}),
]

LISTS = [
    ("care.talk_triggers", "五必谈情形", "闽16", TALK_TRIGGERS),
    ("care.talk_settings", "谈心谈话提醒设置", "默认设置（可调整）", TALK_SETTINGS),
    ("care.coverage_rules", "年度谈心谈话覆盖要求", "闽16", COVERAGE_RULES),
    ("care.checkup_extras", "体检加项", "闽19", CHECKUP_EXTRAS),
    (
        "care.leave_entitlement",
        "带薪年休假天数",
        "闽19；职工带薪年休假条例；默认设置（可调整）",
        LEAVE_ENTITLEMENT,
    ),
    ("care.hardship_categories", "困难帮扶类别", "闽17；张家口第十二条（四）", HARDSHIP_CATEGORIES),
    ("care.facility_kinds", "五小设施", "闽20", FACILITY_KINDS),
]


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
            PolicyItem(policy_list=policy_list, code=code, label=label, params=params, order=n)
            for n, (code, label, params) in enumerate(rows, start=1)
        )
        policy_list.status = "published"
        policy_list.effective_from = datetime.date(2019, 1, 1)
        policy_list.save(update_fields=["status", "effective_from"])


def backwards(apps, schema_editor):
    # Published lists are frozen by triggers and records refer to them: nothing is removed.
    pass


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial"), ("cadre", "0009_special_industry_tag")]

    operations = [migrations.RunPython(forwards, backwards)]
