"""Reference data: post levels (职务层次), the rank ladder of 职务与职级并行 and cadre tags.
Editable in admin afterwards."""

from django.db import migrations

POST_LEVELS = [
    ("township_deputy", "乡科级副职", 10),
    ("township_chief", "乡科级正职", 20),
    ("county_deputy", "县处级副职", 30),
    ("county_chief", "县处级正职", 40),
    ("bureau_deputy", "厅局级副职", 50),
    ("bureau_chief", "厅局级正职", 60),
    ("province_deputy", "省部级副职", 70),
    ("province_chief", "省部级正职", 80),
]

# (code, name, order, equivalent post level)
RANKS = [
    ("clerk_2", "二级科员", 1, None),
    ("clerk_1", "一级科员", 2, None),
    ("principal_clerk_4", "四级主任科员", 3, "township_deputy"),
    ("principal_clerk_3", "三级主任科员", 4, "township_deputy"),
    ("principal_clerk_2", "二级主任科员", 5, "township_chief"),
    ("principal_clerk_1", "一级主任科员", 6, "township_chief"),
    ("researcher_4", "四级调研员", 7, "county_deputy"),
    ("researcher_3", "三级调研员", 8, "county_deputy"),
    ("researcher_2", "二级调研员", 9, "county_chief"),
    ("researcher_1", "一级调研员", 10, "county_chief"),
    ("inspector_2", "二级巡视员", 11, "bureau_deputy"),
    ("inspector_1", "一级巡视员", 12, "bureau_chief"),
]

TAGS = [
    ("young", "年轻干部"),
    ("promising", "好苗子"),
    ("frontline", "一线干部"),
    ("reserve", "后备干部"),
    ("minority", "少数民族干部"),
    ("female", "女干部"),
]


def forwards(apps, schema_editor):
    PostLevel = apps.get_model("cadre", "PostLevel")
    Rank = apps.get_model("cadre", "Rank")
    CadreTag = apps.get_model("cadre", "CadreTag")
    levels = {}
    for code, name, order in POST_LEVELS:
        levels[code], _ = PostLevel.objects.get_or_create(
            code=code, defaults={"name": name, "order": order}
        )
    for code, name, order, level in RANKS:
        Rank.objects.get_or_create(
            code=code,
            defaults={"name": name, "order": order, "equivalent_level": levels.get(level)},
        )
    for code, name in TAGS:
        CadreTag.objects.get_or_create(code=code, defaults={"name": name})


def backwards(apps, schema_editor):
    apps.get_model("cadre", "Rank").objects.filter(code__in=[r[0] for r in RANKS]).delete()
    apps.get_model("cadre", "PostLevel").objects.filter(
        code__in=[p[0] for p in POST_LEVELS]
    ).delete()
    apps.get_model("cadre", "CadreTag").objects.filter(code__in=[t[0] for t in TAGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("cadre", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
