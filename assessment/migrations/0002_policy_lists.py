"""The annual assessment's policy lists as published, nationwide defaults (editable in admin;
a unit may publish its own version, which then applies inside its jurisdiction).

- 优秀 quota (F 7): the base ratio 20% and the raised ratio 25% for units ranked top in the
  annual performance evaluation are common defaults (DOMAIN: *(default)*); `rounding` is
  "floor" (round down) or "round".
- Accountability forms that rule out 优秀 in the year they are decided (公务员考核规定): codes
  of the tolerance app's accountability forms list.
"""

import datetime

from django.db import migrations

LISTS = [
    (
        "assessment.grade_quotas",
        "年度考核优秀等次比例",
        "闽 7；默认设置（可调整）",
        [
            ("base", "优秀等次基本比例", {"ratio": "0.20", "rounding": "floor"}),
            ("raised", "年度绩效考评排名靠前单位上浮比例", {"ratio": "0.25", "rounding": "floor"}),
        ],
    ),
    (
        "assessment.excellence_blockers",
        "当年不得评为优秀的问责情形",
        "公务员考核规定；默认设置（可调整）",
        [
            ("admonish", "受到诫勉", {}),
            ("adjust", "受到组织调整", {}),
            ("handle", "受到组织处理", {}),
            ("discipline", "受到纪律处分", {}),
        ],
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
    # Published lists are frozen by triggers and cycles refer to them: nothing is removed.
    pass


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial"), ("cadre", "0008_calendarday")]

    operations = [migrations.RunPython(forwards, backwards)]
