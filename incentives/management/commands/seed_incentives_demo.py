"""Demonstration promotion, ledger and award records for the demo county of seed_demo (清源县).

Everything goes through the services, so the records obey the same rules as real ones: priority
links with evidence, a checked exceptional-promotion list, sanctions (one whose impact period has
ended, so its review is open), a 能上能下 action, a campaign in its public notice with an
objection, and an awarded 一事一嘉奖. Idempotent: a second run finds the records and does nothing.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cadre.models import Cadre, User
from incentives import awards, ledger, selection
from incentives.models import AwardCampaign

MARK = "【演示】"


class Command(BaseCommand):
    help = "Create demonstration incentives records (run after seed_demo)."

    def handle(self, *args, **options):
        organisation = User.objects.filter(username="org_qingyuan").first()
        if organisation is None:
            raise CommandError("run seed_demo first")
        if AwardCampaign.objects.filter(title__startswith=MARK).exists():
            self.stdout.write("incentives demo records already present")
            return
        with transaction.atomic():
            self.seed(organisation)
            ledger.open_expiry_reviews()
        self.stdout.write("incentives demo: priority links, a candidate list, sanctions, awards")

    def seed(self, org):
        today = timezone.localdate()
        county = org.unit
        people = list(
            Cadre.objects.restrict(org)
            .filter(status="active", post_level__isnull=False)
            .exclude(unit=county)
            .select_related("post_level", "unit")
            .order_by("unit__path", "id")
        )
        if len(people) < 12:
            raise CommandError("not enough cadres in the demo county")
        township_heads = [c for c in people if c.post_level.code == "township_chief"]
        others = [c for c in people if c not in township_heads]
        days = datetime.timedelta

        # Priority promotion (ZJK 3, annex 1).
        for cadre, code, evidence in [
            (others[0], "ZJK3-3", "防汛抢险中带队连续奋战72小时，转移群众326人，无一伤亡。"),
            (others[1], "A1-04", "所包扶村脱贫攻坚考核全市第一，获市委通报表扬。"),
            (others[2], "A1-07", "化解信访积案5件，其中2件为十年以上历史遗留问题。"),
        ]:
            selection.priority_link(
                actor=org,
                cadre=cadre,
                situation_code=code,
                evidence=MARK + evidence,
                evidence_on=today - days(days=60),
            )

        # Exceptional promotion (ZJK 4): a township head for a key county post.
        candidate_list = selection.candidate_list_open(
            actor=org, unit=county, title=MARK + f"{today.year}年破格提拔人选", year=today.year
        )
        for cadre in township_heads[:2]:
            selection.candidate_add(
                actor=org,
                candidate_list=candidate_list,
                cadre=cadre,
                path_code="ZJK4-1",
                target_post="县委常委、常务副县长",
                deeds=MARK + "主持乡镇全面工作，招商引资和项目建设连续两年全县第一。",
                healthy=True,
                outstanding=True,
                recognised=True,
            )
        selection.candidates_check(actor=org, candidate_list=candidate_list)

        # The sanction ledger (F 15): one still in its impact period, one whose period ended.
        ledger.sanction_record(
            actor=org,
            cadre=others[3],
            kind_code="admonish",
            decided_on=today - days(days=40),
            reason=MARK + "落实安全生产责任不到位，受到诫勉。",
            authority="中共清源县纪委",
        )
        ledger.sanction_record(
            actor=org,
            cadre=others[4],
            kind_code="party_warning",
            decided_on=today - days(days=250),
            reason=MARK + "违反工作纪律，受到党内警告处分。",
            authority="中共清源县纪委",
            document_number="清纪〔2026〕3号",
        )

        # 能上能下 (ZJK 6): an adjustment for not being up to the post.
        ledger.adjustment_record(
            actor=org,
            cadre=others[5],
            action="adjustment",
            situation_codes=["D-A1"],
            reason=MARK + "年度综合考核连续两年排名靠后，经考察不胜任现职。",
            decided_on=today - days(days=20),
            to_post="四级调研员（非领导职务）",
            to_level=None,
        )

        # Awards (F 4; X 一事一嘉奖): a campaign in public notice with an objection.
        campaign = awards.campaign_create(
            actor=org,
            unit=county,
            kind_code="good_cadre",
            title=MARK + f"{today.year}年度“担当作为好干部”评选",
            year=today.year,
            description="推荐在重大任务、急难险重工作中敢于担当、实绩突出的干部。",
        )
        nominations = [
            awards.nominate(
                actor=org, campaign=campaign, cadre=cadre, deeds=MARK + "在重点项目攻坚中表现突出。"
            )
            for cadre in others[6:9]
        ]
        awards.campaign_close_nominations(actor=org, campaign=campaign)
        for nomination in nominations:
            awards.nomination_review(actor=org, nomination=nomination, approve=True, note="同意")
        awards.campaign_start_notice(actor=org, campaign=campaign)
        awards.objection_record(
            actor=org,
            nomination=nominations[0],
            received_on=today,
            content=MARK + "反映该同志工作作风简单粗暴。",
            submitter="群众来信",
        )

        quick = awards.campaign_create(
            actor=org,
            unit=county,
            kind_code="one_matter_commend",
            title=MARK + "防汛抢险一事一嘉奖",
            year=today.year,
        )
        nomination = awards.nominate(
            actor=org, campaign=quick, cadre=others[0], deeds=MARK + "防汛抢险中带队转移群众。"
        )
        awards.campaign_close_nominations(actor=org, campaign=quick)
        awards.nomination_review(actor=org, nomination=nomination, approve=True, note="同意")
        awards.campaign_award(actor=org, campaign=quick)
