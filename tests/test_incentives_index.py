"""The overview of the incentives area: the open work inside the user's jurisdiction, each count
linking to its page, in a fixed number of queries."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from cadre.choices import Role
from cadre.selectors import policy_list_for
from incentives.choices import (
    AdjustmentStatus,
    CampaignStatus,
    CandidateListStatus,
    DownAction,
    RecordStatus,
    SanctionStatus,
)
from incentives.models import (
    Adjustment,
    AwardCampaign,
    CandidateList,
    ExpiryReview,
    PriorityRecord,
    Sanction,
)
from incentives.views import overview_counts
from tests.factories import CadreFactory, level

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
D = datetime.date
INDEX = reverse("incentives:index")


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


def lists():
    return {
        kind: policy_list_for(f"incentives.{kind}", None)
        for kind in (
            "priority_situations",
            "exceptional_paths",
            "exceptional_checks",
            "sanction_kinds",
            "down_situations",
            "award_kinds",
        )
    }


def priority(cadre, status=RecordStatus.ACTIVE):
    return PriorityRecord.objects.create(
        cadre=cadre,
        situations_list=lists()["priority_situations"],
        situation_code="ZJK3-3",
        situation_label="关键时刻冲得上去",
        evidence="抗洪抢险",
        evidence_on=D(2026, 5, 1),
        status=status,
    )


def candidate_list(unit, status=CandidateListStatus.DRAFT):
    pl = lists()
    return CandidateList.objects.create(
        unit=unit,
        title="破格提拔人选",
        year=2026,
        paths_list=pl["exceptional_paths"],
        checks_list=pl["exceptional_checks"],
        status=status,
    )


def sanction(cadre, status):
    return Sanction.objects.create(
        cadre=cadre,
        kinds_list=lists()["sanction_kinds"],
        kind_label="诫勉",
        decided_on=D(2026, 1, 1),
        impact_until=D(2026, 6, 30),
        reason="事由",
        status=status,
    )


def adjustment(cadre, status=AdjustmentStatus.IN_EFFECT):
    pl = lists()
    return Adjustment.objects.create(
        cadre=cadre,
        action=DownAction.ADJUSTMENT,
        situations_list=pl["down_situations"],
        reason="不能胜任现职",
        decided_on=D(2026, 1, 1),
        from_post="镇长",
        impact_list=pl["sanction_kinds"],
        impact_months=12,
        impact_until=D(2027, 1, 1),
        status=status,
    )


def campaign(unit, status):
    return AwardCampaign.objects.create(
        unit=unit,
        kinds_list=lists()["award_kinds"],
        kind_code="good_cadre",
        kind_label="担当作为好干部",
        title="担当作为好干部评选",
        year=2026,
        status=status,
    )


@pytest.fixture
def work(tree):
    """In county A: 2 active priority links (and a withdrawn one), an open and a closed list,
    2 sanctions in impact, 1 pending kind, 1 open review, 1 adjustment in effect, campaigns
    nominating and in notice. In county B one of each, which county A never sees."""
    a = CadreFactory(unit=tree.township_a1, post="镇长", post_level=level("township_chief"))
    a2 = CadreFactory(unit=tree.township_a1, post="副镇长", post_level=level("township_deputy"))
    b = CadreFactory(unit=tree.township_b1, post="镇长", post_level=level("township_chief"))
    priority(a)
    priority(a2)
    priority(a, status=RecordStatus.WITHDRAWN)
    candidate_list(tree.county_a)
    candidate_list(tree.county_a, status=CandidateListStatus.CLOSED)
    sanction(a, SanctionStatus.IN_IMPACT)
    sanction(a2, SanctionStatus.IN_IMPACT)
    sanction(a2, SanctionStatus.PENDING_KIND)
    ended = sanction(a, SanctionStatus.REVIEW)
    ExpiryReview.objects.create(cadre=a, sanction=ended, opened_on=D(2026, 6, 1))
    adjustment(a)
    adjustment(a2, status=AdjustmentStatus.REINSTATED)
    campaign(tree.county_a, CampaignStatus.NOMINATING)
    campaign(tree.county_a, CampaignStatus.NOTICE)
    campaign(tree.township_a1, CampaignStatus.NOTICE)
    # County B
    priority(b)
    candidate_list(tree.county_b)
    sanction(b, SanctionStatus.IN_IMPACT)
    sanction(b, SanctionStatus.PENDING_KIND)
    adjustment(b)
    campaign(tree.county_b, CampaignStatus.NOTICE)
    return a


def test_overview_counts_the_open_work_in_scope(tree, org_user, work):
    counts = overview_counts(org_user)

    assert counts["priority"] == 2
    assert counts["candidate_lists"] == 1
    assert counts["sanctions_in_impact"] == 2
    assert counts["sanctions_pending_kind"] == 1
    assert counts["reviews_open"] == 1
    assert counts["adjustments_in_effect"] == 1
    assert counts["campaigns_in_notice"] == 2
    by_status = {c["status"]: c["count"] for c in counts["campaigns"]}
    assert by_status == {"nominating": 1, "reviewing": 0, "notice": 2, "closed": 0}


def test_overview_of_the_city_covers_both_counties(tree, make_user, work):
    city = make_user(Role.ORGANISATION, unit=tree.city, username="zz_city")

    counts = overview_counts(city)

    assert counts["priority"] == 3
    assert counts["sanctions_pending_kind"] == 2
    assert counts["campaigns_in_notice"] == 3


def test_index_page_shows_the_counts_each_linking_to_its_page(client, org_user, work):
    client.force_login(org_user)

    response = client.get(INDEX)

    body = response.content.decode()
    assert response.status_code == 200
    for testid, url_name, number in (
        ("count-priority", "priority_list", 2),
        ("count-candidate-lists", "candidate_lists", 1),
        ("count-sanctions-in-impact", "sanction_list", 2),
        ("count-sanctions-pending-kind", "sanction_list", 1),
        ("count-reviews-open", "review_list", 1),
        ("count-adjustments-in-effect", "adjustment_list", 1),
        ("count-campaigns-in-notice", "campaign_list", 2),
    ):
        start = body.index(f'data-testid="{testid}"')
        card = body[body.rindex("<a ", 0, start) : body.index("</a>", start)]
        assert f'href="{reverse("incentives:" + url_name)}' in card
        assert f">{number}</strong>" in card
    assert 'class="active" aria-current="page">概览' in body


def test_index_for_the_other_county_shows_only_its_own(client, tree, make_user, work):
    user = make_user(Role.ORGANISATION, unit=tree.county_b, username="zz_b")
    client.force_login(user)

    counts = overview_counts(user)

    assert (counts["priority"], counts["sanctions_in_impact"], counts["reviews_open"]) == (1, 1, 0)
    assert client.get(INDEX).status_code == 200


def test_cadre_self_service_sees_no_counts(client, tree, make_user, work):
    user = make_user(Role.CADRE, unit=tree.township_a1, username="gb_z", cadre=work)
    client.force_login(user)

    response = client.get(INDEX)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="no-access"' in body
    assert 'data-testid="overview"' not in body


def test_index_query_count_is_fixed(client, tree, org_user, work, django_assert_max_num_queries):
    client.force_login(org_user)
    client.get(INDEX)
    with django_assert_max_num_queries(10):
        client.get(INDEX)
    for _ in range(5):
        a = CadreFactory(unit=tree.township_a1, post="镇长", post_level=level("township_chief"))
        priority(a)
        sanction(a, SanctionStatus.IN_IMPACT)
        campaign(tree.county_a, CampaignStatus.REVIEWING)
    with django_assert_max_num_queries(10):
        response = client.get(INDEX)
    assert ">7</strong>" in response.content.decode()
