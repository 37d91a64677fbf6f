"""Demonstration care records for the demo county of seed_demo (清源县).

Everything goes through the services and the domain events, so the records obey the same rules
as real ones: a post change and a major special task that become due talks (五必谈), one of them
already talked through, a township secretary's annual talks, a cadre's request for a talk, this
year's check-up plan, leave plans and leave, a care fund with a disbursement, turnover housing
and the five small facilities. Idempotent: a second run finds the records and does nothing.
"""

import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cadre.events import dispatch_event
from cadre.models import Cadre, Event, Unit, User
from cadre.services import cadre_update, frontline_assignment_create
from care import hardship, health, leave, living, talks
from care.choices import TalkKind
from care.models import CareFund, TalkObligation

MARK = "【演示】"


class Command(BaseCommand):
    help = "Create demonstration care records (run after seed_demo)."

    def handle(self, *args, **options):
        org = User.objects.filter(username="org_qingyuan").first()
        if org is None:
            raise CommandError("run seed_demo first")
        if CareFund.objects.filter(name__startswith=MARK).exists():
            self.stdout.write("care demo records already present")
            return
        started = timezone.now()
        with transaction.atomic():
            self.seed(org)
        # The worker may not run yet: hand the new events to their handlers now (the 五必谈
        # obligations), then close one of them with the talk held.
        for event_id in Event.objects.filter(occurred_at__gte=started).values_list("pk", flat=True):
            dispatch_event(event_id)
        obligation = TalkObligation.objects.filter(created_at__gte=started).order_by("pk").first()
        if obligation is not None:
            talks.talk_record(
                actor=org,
                cadre=obligation.cadre,
                talker_name=org.full_name or org.username,
                kind=TalkKind.FIVE_MUSTS,
                held_on=timezone.localdate(),
                summary=MARK + "了解新岗位工作打算，提醒尽快熟悉情况。",
                follow_up="一个月后回访工作进展。",
                obligation=obligation,
            )
        self.stdout.write(
            f"care demo: {TalkObligation.objects.filter(created_at__gte=started).count()} due "
            "talks, annual talks, a request, check-ups, leave, a fund, housing, facilities"
        )

    def seed(self, org):
        today = timezone.localdate()
        county = org.unit
        active = Cadre.objects.restrict(org).filter(status="active").select_related("unit")
        townships = list(
            Unit.objects.filter(
                path__startswith=county.path, kind__in=["township", "street"]
            ).order_by("path")
        )
        if not townships:
            raise CommandError("no township in the demo county")
        town = townships[0]
        in_town = list(active.filter(unit=town).order_by("id"))
        people = list(active.exclude(unit=county).order_by("unit__path", "id")[:60])
        if len(in_town) < 4 or len(people) < 20:
            raise CommandError("not enough cadres in the demo county")

        # 五必谈 triggers 1 and 2 from their real sources: a post change, a major special task.
        mover = people[10]
        cadre_update(actor=org, cadre=mover, post=mover.post + "（兼）", post_since=today)
        frontline_assignment_create(
            actor=org,
            cadre=people[11],
            kind="urgent",
            task=MARK + "防汛抢险突击队",
            is_major_special_task=True,
            start_date=today,
        )

        # Annual coverage (F 16): the township secretary's talks with two team members.
        secretary = next((c for c in in_town if c.post in ("党委书记", "街道党工委书记")), None)
        if secretary is not None:
            for member in [c for c in in_town if c != secretary][:2]:
                talks.talk_record(
                    actor=org,
                    cadre=member,
                    talker_name=secretary.name,
                    talker_cadre=secretary,
                    kind=TalkKind.ANNUAL,
                    held_on=today - datetime.timedelta(days=15),
                    summary=MARK + "交流分管工作推进情况和个人思想状况。",
                )

        # 向组织说说心里话 (X): the self-service cadre asks for a talk.
        cadre_user = User.objects.filter(username="cadre_demo", cadre__isnull=False).first()
        if cadre_user is not None:
            talks.talk_request_submit(
                actor=cadre_user,
                topic=MARK + "工作压力与家庭照顾",
                content="近期驻村任务重，家中老人生病，希望和组织谈谈。",
            )

        # Health (F 19): this year's plan of the county, with some check-ups done.
        plan = health.checkup_plan_create(
            actor=org,
            unit=county,
            year=today.year,
            title=MARK + f"{today.year}年度干部健康体检",
            standard_items="内科、外科、血常规、肝肾功能、心电图、胸部CT、腹部彩超",
            start_on=today - datetime.timedelta(days=30),
            deadline=today + datetime.timedelta(days=60),
            institution="清源县人民医院",
        )
        for record in plan.records.select_related("cadre").order_by("pk")[:5]:
            health.checkup_record_attend(
                actor=org,
                record=record,
                attended_on=today - datetime.timedelta(days=10),
                conclusion="未见明显异常。",
            )

        # Leave (F 19; ZJK 12(五)): plans, leave taken, overtime and time off.
        for cadre in people[:6]:
            entitlement = leave.leave_entitlement(cadre, today.year)
            if entitlement.days:
                leave.leave_plan_save(
                    actor=org,
                    cadre=cadre,
                    year=today.year,
                    planned_days=entitlement.days,
                    planned_periods="国庆前后、春节前后",
                )
        leave.overtime_record(
            actor=org,
            cadre=people[0],
            worked_on=today - datetime.timedelta(days=20),
            days=1,
            reason=MARK + "周末防汛值守",
        )

        # Hardship help (F 17; ZJK 12(四)): a fund and a medical subsidy paid from it.
        fund = hardship.fund_create(actor=org, unit=county, name=MARK + "乡镇干部关爱基金")
        hardship.fund_deposit(actor=org, fund=fund, amount=Decimal("200000"), note="县级财政拨付")
        application = hardship.application_submit(
            actor=org,
            cadre=people[12],
            category="medical",
            description=MARK + "本人住院治疗，个人负担医疗费用较多。",
            amount_requested=Decimal("8000"),
        )
        hardship.application_approve(
            actor=org, application=application, amount_granted=Decimal("6000"), note="同意补助"
        )
        hardship.fund_disburse(
            actor=org, fund=fund, amount=Decimal("6000"), note="医疗补助", application=application
        )

        # Living conditions (F 20): turnover housing and the five small facilities.
        rooms = [
            living.room_save(actor=org, unit=town, building="1号楼", number=f"10{n}", area=32)
            for n in range(1, 4)
        ]
        living.housing_allocate(actor=org, room=rooms[0], cadre=in_town[1], note="新任干部")
        living.housing_apply(actor=org, cadre=in_town[2], unit=town, reason="家距乡镇60公里")
        for township, states in zip(
            townships[:3],
            [
                {"canteen": "in_use", "toilet": "in_use", "bathhouse": "building"},
                {"canteen": "in_use", "library": "planned"},
                {"canteen": "needs_repair"},
            ],
            strict=False,
        ):
            for code, state in states.items():
                living.facility_update(actor=org, unit=township, kind_code=code, state=state)
