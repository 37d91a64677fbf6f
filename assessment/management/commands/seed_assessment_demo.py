"""A demonstration annual assessment for the demo city of seed_demo: last year's cycle of
清源县, graded for three units within their 优秀 quota (one with the raised ratio), closed and fed
back. Everything goes through the services. Idempotent."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessment import services
from assessment.choices import Grade
from assessment.models import AssessmentCycle
from cadre.models import Unit, User

TEXTS = [
    "在重点项目建设中主动担当，协调解决用地难题",
    "牵头推进营商环境改革，办事时限压缩一半",
    "扎根基层一线，化解信访积案多件",
    "完成年度目标任务，工作作风扎实",
]


class Command(BaseCommand):
    help = "Create a demonstration annual assessment (run after seed_demo)."

    def handle(self, *args, **options):
        user = User.objects.filter(username="org_qingyuan").select_related("unit").first()
        if user is None:
            raise CommandError("run seed_demo first")
        year = timezone.localdate().year - 1
        if AssessmentCycle.objects.filter(unit=user.unit, year=year).exists():
            self.stdout.write("assessment demo already present")
            return
        with transaction.atomic():
            cycle = services.cycle_open(actor=user, unit=user.unit, year=year)
            units = list(
                Unit.objects.filter(path__startswith=user.unit.path, cadres__status="active")
                .exclude(pk=user.unit_id)
                .distinct()
                .order_by("path")[:3]
            )
            for n, unit in enumerate(units):
                if n == 0:
                    services.unit_quota_set(
                        actor=user,
                        cycle=cycle,
                        unit=unit,
                        raised=True,
                        reason="年度绩效考评排名第一",
                    )
                cadres = list(services.assessed_cadres(cycle, unit).order_by("id"))
                cap = services.quota_status(cycle, unit)["cap"]
                rows = [
                    {
                        "cadre": c.pk,
                        "grade": Grade.EXCELLENT if i < cap else Grade.COMPETENT,
                        "responsibility": TEXTS[i % len(TEXTS)],
                    }
                    for i, c in enumerate(cadres)
                ]
                services.annual_grades_save(actor=user, cycle=cycle, unit=unit, rows=rows)
            services.cycle_close(actor=user, cycle=cycle)
            services.cycle_feed_back(actor=user, cycle=cycle)
        self.stdout.write(f"assessment demo: {cycle.title}, {cycle.grades.count()} grades")
