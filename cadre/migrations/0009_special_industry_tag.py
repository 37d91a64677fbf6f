"""A cadre tag for special-industry cadres (特种行业, F 19: extra check-up items)."""

from django.db import migrations


def forwards(apps, schema_editor):
    CadreTag = apps.get_model("cadre", "CadreTag")
    CadreTag.objects.get_or_create(code="special_industry", defaults={"name": "特种行业干部"})


def backwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("cadre", "0008_calendarday")]

    operations = [migrations.RunPython(forwards, backwards)]
