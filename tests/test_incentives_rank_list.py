"""The jurisdiction's list of rank promotion (职级晋升, F 10, F 7) and one cadre's check agree:
the list checks every candidate chunk by chunk from the columns the rules read, the cadre's
page from the full record, both through the same rules; the list's queries grow with the
chunks, never with the cadres."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from assessment.choices import ConsequenceCause, ConsequenceKind, Grade
from assessment.models import AnnualGrade, AssessmentCycle, Consequence
from cadre.choices import CadreStatus, Role, StaffingType
from cadre.models import PolicyItem, Rank
from cadre.selectors import policy_list_for
from cadre.services import policy_list_new_version, policy_list_publish
from incentives import eligibility
from incentives.choices import KIND_RANK_LADDER, KIND_RANK_RULES, DownAction, SanctionStatus
from incentives.models import Adjustment, Sanction
from tests.factories import CadreFactory
from tests.tolerance_helpers import move, open_case, to_preliminary
from tolerance import services as tolerance_services

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
API = "/api/v1/incentives/rank-eligibility/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


def civil_servant(unit, name, rank_code="principal_clerk_3", since=None, **kwargs):
    return CadreFactory(
        unit=unit,
        name=name,
        rank=Rank.objects.get(code=rank_code),
        rank_since=since,
        **kwargs,
    )


def grade(cadre, year, value, unit):
    cycle, _created = AssessmentCycle.objects.get_or_create(
        year=year,
        unit=unit,
        defaults={
            "title": f"{year}年度考核",
            "status": "closed",
            "quota_list": policy_list_for("assessment.grade_quotas", None),
            "blockers_list": policy_list_for("assessment.excellence_blockers", None),
        },
    )
    AnnualGrade.objects.create(
        cycle=cycle, cadre=cadre, unit=cadre.unit, grade=value, responsibility="担当作为情况"
    )


def sanction(cadre, *, decided_on, impact_until, matter=None):
    return Sanction.objects.create(
        cadre=cadre,
        kinds_list=policy_list_for("incentives.sanction_kinds", None),
        kind_code="party_warning",
        kind_label="党内警告",
        impact_months=6,
        decided_on=decided_on,
        impact_until=impact_until,
        reason="违反工作纪律",
        matter=matter,
        status=SanctionStatus.IN_IMPACT,
    )


def restriction(cadre, year=2025):
    Consequence.objects.create(
        cadre=cadre,
        kind=ConsequenceKind.RESTRICTED,
        cause=ConsequenceCause.LOW_TWO_YEARS,
        year=year,
        detail="年度综合考核连续两年排名靠后",
        source_key=f"rank-list-{cadre.pk}",
    )


@pytest.fixture
def mixed(tree, staff):
    """Cadres meeting every rule, and cadres failing each rule in turn, across units with
    their own list versions."""
    a1, day = tree.township_a1, datetime.date
    since = day(2024, 3, 1)
    cadres = {
        "张可晋": civil_servant(a1, "张可晋", since=since),
        "李优秀": civil_servant(a1, "李优秀", rank_code="clerk_1", since=day(2022, 1, 1)),
        "王未满": civil_servant(a1, "王未满", since=day(2025, 3, 1)),
        "陈基本": civil_servant(a1, "陈基本", since=day(2024, 6, 1)),
        "周不称职": civil_servant(a1, "周不称职", since=day(2021, 1, 1)),
        "吴处分": civil_servant(a1, "吴处分", since=day(2022, 1, 1)),
        "郑期满": civil_servant(a1, "郑期满", since=day(2022, 1, 1)),
        "冯降职": civil_servant(a1, "冯降职", since=day(2022, 1, 1)),
        "褚限制": civil_servant(a1, "褚限制", since=day(2022, 1, 1)),
        "卫乙县": civil_servant(tree.township_b1, "卫乙县", since=day(2022, 1, 1)),
        "蒋容错": civil_servant(a1, "蒋容错", since=day(2022, 1, 1)),
        "沈问责": civil_servant(a1, "沈问责", since=day(2022, 1, 1)),
        "韩最高": civil_servant(a1, "韩最高", rank_code="inspector_1", since=day(2010, 1, 1)),
        "杨事业": civil_servant(
            a1, "杨事业", since=since, staffing_type=StaffingType.INSTITUTIONAL
        ),
        "朱退休": civil_servant(a1, "朱退休", since=since, status=CadreStatus.RETIRED),
        "秦三年": civil_servant(tree.dept_a, "秦三年", since=day(2024, 1, 1)),
        "许未登记": civil_servant(a1, "许未登记"),
    }
    for year in (2023, 2024, 2025):
        grade(cadres["李优秀"], year, Grade.EXCELLENT, tree.city)
    grade(cadres["陈基本"], 2024, Grade.BASIC, tree.city)
    grade(cadres["陈基本"], 2025, Grade.COMPETENT, tree.city)
    grade(cadres["周不称职"], 2023, Grade.INCOMPETENT, tree.city)
    sanction(cadres["吴处分"], decided_on=day(2026, 10, 1), impact_until=day(2027, 3, 31))
    sanction(cadres["郑期满"], decided_on=day(2026, 1, 1), impact_until=day(2026, 6, 30))
    Adjustment.objects.create(
        cadre=cadres["冯降职"],
        action=DownAction.DEMOTION,
        situations_list=policy_list_for("incentives.down_situations", None),
        reason="不担当不作为",
        decided_on=day(2026, 3, 1),
        from_post="副镇长",
        impact_list=policy_list_for("incentives.sanction_kinds", None),
        impact_months=12,
        impact_until=day(2027, 2, 28),
    )
    restriction(cadres["褚限制"])
    restriction(cadres["卫乙县"])
    rules = policy_list_new_version(base=policy_list_for(KIND_RANK_RULES, None), unit=tree.county_b)
    PolicyItem.objects.filter(policy_list=rules, code="restriction_blocks").update(
        params={"blocks": False}
    )
    policy_list_publish(policy_list=rules)
    ladder = policy_list_new_version(
        base=policy_list_for(KIND_RANK_LADDER, None), unit=tree.dept_a, title="发改局职级年限"
    )
    PolicyItem.objects.filter(policy_list=ladder, code="principal_clerk_2").update(
        params={"from_ranks": ["principal_clerk_3"], "min_years": 3}
    )
    policy_list_publish(policy_list=ladder)

    exempt_case = open_case(staff.inspector, tree.county_a, [cadres["蒋容错"]], title="先行先试")
    to_preliminary(staff, exempt_case)
    move(staff.committee, exempt_case, "decide", outcome="exempt")
    refused_case = open_case(staff.inspector, tree.county_a, [cadres["沈问责"]], title="另一事项")
    to_preliminary(staff, refused_case)
    move(staff.committee, refused_case, "decide", outcome="not_tolerated", decision_reasons="否")
    tolerance_services.accountability_matter_decide(
        actor=staff.inspector, matter=refused_case.matter, form="circulate"
    )
    for name, case in (("蒋容错", exempt_case), ("沈问责", refused_case)):
        sanction(
            cadres[name],
            decided_on=day(2026, 9, 1),
            impact_until=day(2027, 2, 28),
            matter=case.matter,
        )
    return cadres


def test_list_and_cadre_page_give_the_same_verdict(client, tree, make_user, mixed, monkeypatch):
    monkeypatch.setattr(eligibility, "CHUNK", 4)  # several chunks, some with nothing on record
    org = make_user(Role.ORGANISATION, unit=tree.city, username="zz_city_rank")
    api = APIClient()
    api.force_login(org)
    client.force_login(org)

    listed = {row["cadre_id"]: row for row in api.get(API, {"page_size": 200}).json()["results"]}
    page = client.get(reverse("incentives:rank_eligible")).content.decode()
    checks = {name: api.get(f"{API}{cadre.pk}/").json() for name, cadre in mixed.items()}

    eligible = {name for name, check in checks.items() if check["eligible"]}
    assert eligible == {"张可晋", "李优秀", "郑期满", "卫乙县", "蒋容错"}
    assert set(listed) == {mixed[name].pk for name in eligible}
    for name, cadre in mixed.items():
        html = client.get(reverse("incentives:rank_cadre", args=[cadre.pk])).content.decode()
        assert ("暂不符合职级晋升条件" not in html and "不适用" not in html) == (name in eligible)
        assert (f">{name}</a>" in page) == (name in eligible)
        if name in eligible:
            row, check = listed[cadre.pk], checks[name]
            assert row["priority"] == check["priority"]
            assert row["counted_text"] == check["counted_text"]
            assert row["reasons"] == check["reasons"]
    assert listed[mixed["李优秀"].pk]["priority"]
    assert next(iter(listed)) == mixed["李优秀"].pk  # priority first


def test_list_queries_grow_with_chunks_not_cadres(tree, make_user, monkeypatch):
    monkeypatch.setattr(eligibility, "CHUNK", 5)
    org = make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_chunk_rank")

    def run():
        with CaptureQueriesContext(connection) as captured:
            _filterset, rows = eligibility.rank_eligible_list(org, {})
            page = rows[:50]
        return len(captured), len(page)

    counts = []
    for batch in range(3):
        for n in range(5):
            cadre = civil_servant(
                tree.township_a1, f"批次{batch}{n}", since=datetime.date(2022, 1, 1)
            )
            sanction(
                cadre,
                decided_on=datetime.date(2025, 1, 1),
                impact_until=datetime.date(2025, 6, 30),
            )
        counts.append(run())

    assert [rows for _queries, rows in counts] == [5, 10, 15]
    (one, _), (two, _), (three, _) = counts
    # Per chunk: grades, sanctions, 能上能下 actions, restrictions.
    assert two - one == three - two == 4
