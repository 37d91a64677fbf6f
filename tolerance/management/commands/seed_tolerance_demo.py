"""Demonstration tolerance and clearing files for the demo city of seed_demo (清源县).

Everything goes through the services and the workflow, so the files obey the same rules as real
ones: cases in every stage, one refused by exclusion 9 after an earlier reminder, reports cleared
and one false accusation. Idempotent: a second run finds the files and does nothing.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cadre.choices import Role
from cadre.models import Cadre, User
from tolerance import services
from tolerance.models import Case, ClearingMatter
from tolerance.workflow import case_transition, clearing_transition

MARK = "【演示】"
CONDITIONS = [f"C{i}" for i in range(1, 7)]
SITUATIONS = [f"S{i}" for i in range(1, 13)]
EXCLUSIONS = [f"N{i}" for i in range(1, 11)]


class Command(BaseCommand):
    help = "Create demonstration tolerance cases and clearing matters (run after seed_demo)."

    def handle(self, *args, **options):
        users = {u.username: u for u in User.objects.filter(username__startswith="jw_")}
        users.update({u.username: u for u in User.objects.filter(username__startswith="cw_")})
        users.update({u.username: u for u in User.objects.filter(username__startswith="org_")})
        inspector = next(
            (u for n, u in users.items() if n.startswith("jw_") and n != "jw_city"), None
        )
        if inspector is None:
            raise CommandError("run seed_demo first")
        slug = inspector.username.removeprefix("jw_")
        committee = users.get(f"cw_{slug}")
        organisation = users.get(f"org_{slug}") or inspector
        if committee is None or Role.COMMITTEE not in committee.roles:
            raise CommandError(f"no committee user cw_{slug}")
        if Case.objects.filter(title__startswith=MARK).exists():
            self.stdout.write("tolerance demo files already present")
            return
        with transaction.atomic():
            self.seed(inspector, organisation, committee)
        self.stdout.write(
            f"tolerance demo: {Case.objects.filter(title__startswith=MARK).count()} cases, "
            f"{ClearingMatter.objects.filter(allegation__startswith=MARK).count()} clearing matters"
        )

    def seed(self, inspector, organisation, committee):
        unit = inspector.unit
        people = list(
            Cadre.objects.restrict(inspector)
            .filter(unit__path__startswith=unit.path, status="active")
            .exclude(unit=unit)
            .order_by("unit__path", "id")[:40:5]
        )
        if len(people) < 8:
            raise CommandError("not enough cadres in the demo county")
        d = datetime.date

        def case(title, cadres, category, occurred, *, facts):
            matter = services.accountability_matter_open(
                actor=inspector,
                handling_unit=unit,
                accountable_body="discipline",
                title=MARK + title,
                facts=facts,
                matter_category=category,
                occurred_on=occurred,
                opened_on=occurred + datetime.timedelta(days=20),
                cadres=cadres,
            )
            return matter.cases.get()

        def move(actor, c, name, reason="", **data):
            return case_transition(actor=actor, case=c, name=name, reason=reason, data=data)

        def answer(c, yes, no, severity=None):
            answers = {code: ("yes", "经调查核实，事实清楚") for code in yes}
            answers.update({code: ("no", "经调查核实，事实清楚") for code in no})
            services.case_checklist_save(
                actor=inspector, case=c, answers=answers, severity=severity
            )

        def tolerable(c, situation, severity="L1"):
            answer(
                c,
                ["D1", "D2", "D3", *CONDITIONS, situation],
                [*EXCLUSIONS, *(s for s in SITUATIONS if s != situation)],
                severity,
            )

        def opinion(c, proposed, reasons):
            return move(
                inspector,
                c,
                "submit_opinion",
                motive_attitude="出于推动工作的公心，事后主动报告",
                objective_conditions="政策界限不明确，时间紧、任务重",
                nature_degree="属于工作失误，非违纪违法",
                consequences="造成一定负面影响，未造成重大损失",
                losses_recovered="已采取补救措施，损失基本挽回",
                proposed_outcome=proposed,
                proposal_reasons=reasons,
            )

        # An earlier reminder: a later error on the same matter falls under exclusion 9.
        services.reminder_record(
            actor=inspector,
            cadre=people[5],
            given_on=d(2025, 5, 12),
            summary="征地拆迁中程序不规范，予以提醒谈话",
            matter_category="land",
        )

        filed = case(
            "工业园区标准厂房建设进度滞后",
            [people[0]],
            "project",
            d(2026, 10, 15),
            facts="推进工业园区标准厂房建设中，因先行先试采用代建模式，工程进度滞后于计划。",
        )
        investigating = case(
            "容缺受理企业开办材料补正不及时",
            [people[1]],
            "service",
            d(2026, 9, 2),
            facts="为提高企业开办效率实行容缺受理，个别企业材料补正不及时，被上级通报。",
        )
        move(inspector, investigating, "start_investigation")
        answer(investigating, ["D1", "C1", "C2", "C3"], [])
        services.inquiry_add(
            actor=inspector,
            case=investigating,
            kind="hearing",
            held_on=d(2026, 10, 10),
            party="县行政审批局",
            content="听取县行政审批局关于容缺受理办理流程的说明",
            findings="容缺受理系县政府常务会议研究确定的改革举措",
        )
        preliminary = case(
            "防汛抢险中紧急采购程序不完备",
            [people[2]],
            "safety",
            d(2026, 7, 21),
            facts="防汛抢险中为保障群众安全紧急采购物资，采购程序事后补办。",
        )
        move(inspector, preliminary, "start_investigation")
        tolerable(preliminary, "S3")
        opinion(preliminary, "exempt", "符合容错条件，具有第3项情形，情节轻微，建议免责")

        decided = case(
            "乡村振兴项目资金拨付偏差",
            [people[3], people[4]],
            "funds",
            d(2026, 5, 8),
            facts="推进乡村振兴示范项目时，按“一会三函”精神提前拨付部分资金，出现拨付偏差。",
        )
        move(inspector, decided, "start_investigation")
        tolerable(decided, "S9", "L2")
        services.consultation_add(
            actor=inspector,
            case=decided,
            held_on=d(2026, 6, 20),
            lead_body="县纪委监委",
            participants="县纪委监委、县委组织部、县财政局、县农业农村局",
            topic="研究乡村振兴项目资金拨付偏差的容错事宜",
            conclusions="一致认为符合容错条件和情形，建议减轻处理",
        )
        opinion(decided, "mitigated", "符合容错条件，具有第9项情形，建议减轻处理")
        move(committee, decided, "decide", outcome="mitigated", decision_meeting="县委常委会")
        move(inspector, decided, "send_feedback", feedback_to="相关乡镇党委及当事干部")
        move(organisation, decided, "file_upward", filing_recipients="市纪委监委、市委组织部")
        move(
            inspector, decided, "publish", scope="system", channel="系统内通报", content="予以容错"
        )
        move(inspector, decided, "start_correction")
        services.correction_add(
            actor=inspector,
            case=decided,
            remedial_measures="追回多拨资金，完善项目资金拨付审核流程",
            root_cause="项目进度与资金拨付衔接机制不健全",
            improvement_plan="建立项目资金拨付联审制度",
            responsible="县农业农村局",
            due_on=d(2026, 12, 31),
        )

        refused = case(
            "征地拆迁中再次出现程序违规",
            [people[5]],
            "land",
            d(2026, 3, 3),
            facts="在征地拆迁工作中再次出现程序违规，引发群众上访。",
        )
        move(inspector, refused, "start_investigation")
        tolerable(refused, "S11")
        opinion(refused, "not_tolerated", "此前已因同一事由被提醒，属于第9项不予容错情形")
        move(committee, refused, "decide", outcome="not_tolerated", decision_meeting="县委常委会")

        # Clearing of names: a report found unfounded, cleared and followed up; a report
        # against a party organisation being verified; a false accusation.
        cleared = services.clearing_open(
            actor=inspector,
            handling_unit=unit,
            source="letter",
            allegation=MARK + "反映其在项目验收中收受好处",
            cadres=[people[6]],
            received_on=d(2026, 8, 1),
            accuser_name="匿名",
            background_check="侧面了解项目验收程序完整，验收结论经第三方复核",
        )
        clearing_transition(actor=inspector, clearing=cleared, name="start_verification")
        clearing_transition(
            actor=inspector,
            clearing=cleared,
            name="conclude",
            data={"conclusion": "unfounded", "conclusion_reasons": "经核查，反映问题不属实"},
        )
        services.clarification_add(
            actor=inspector,
            clearing=cleared,
            method="letter",
            scope="所在单位领导班子",
            held_on=d(2026, 9, 10),
            content="经核查，反映的问题不属实，予以澄清正名",
        )
        clearing_transition(actor=inspector, clearing=cleared, name="clarify")
        clearing_transition(actor=inspector, clearing=cleared, name="start_follow_up")
        services.visit_add(
            actor=inspector,
            clearing=cleared,
            visited_on=d(2026, 10, 12),
            visitors="县纪委监委信访室",
            findings="仍有思想负担，担心影响评先评优",
            at_ease=False,
            next_visit_on=d(2026, 12, 10),
        )
        org = people[7].unit
        services.clearing_open(
            actor=inspector,
            handling_unit=unit,
            source="online",
            allegation=MARK + "网络反映该单位党组织违规发放补贴",
            party_org=org,
            received_on=d(2026, 11, 2),
        )
        false = services.clearing_open(
            actor=inspector,
            handling_unit=unit,
            source="letter",
            allegation=MARK + "多次实名举报其违规提拔亲属",
            cadres=[people[7]],
            received_on=d(2026, 6, 5),
            accuser_name="王某某",
        )
        clearing_transition(actor=inspector, clearing=false, name="start_verification")
        clearing_transition(
            actor=inspector,
            clearing=false,
            name="conclude",
            data={
                "conclusion": "false_accusation",
                "conclusion_reasons": "经核查，举报人捏造事实，意图打击报复",
                "referral_note": "移送县公安局依法处理",
            },
        )
        return filed
