"""Pages, exports, API and admin of the sanction ledger, 能上能下 and the expiry reviews: inside
the user's jurisdiction only, writes by the organisation department, in a constant number of
queries."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cadre.choices import Role
from cadre.models import Event
from incentives import ledger
from incentives.choices import AdjustmentStatus, Rating, ReviewDecision, SanctionStatus
from incentives.models import Adjustment, ExpiryReview, Sanction
from tests.factories import CadreFactory, level

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 17, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
TODAY = datetime.date(2026, 6, 17)
SANCTIONS = reverse("incentives:sanction_list")
SANCTION_EXPORT = reverse("incentives:sanction_export")
SANCTION_NEW = reverse("incentives:sanction_record")
ADJUSTMENTS = reverse("incentives:adjustment_list")
ADJUSTMENT_EXPORT = reverse("incentives:adjustment_export")
ADJUSTMENT_NEW = reverse("incentives:adjustment_record")
REVIEWS = reverse("incentives:review_list")
API = "/api/v1/incentives/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(tree, make_user):
    return type(
        "People",
        (),
        {
            "org": make_user(Role.ORGANISATION, unit=tree.county_a, username="zz_lp"),
            "org_b": make_user(Role.ORGANISATION, unit=tree.county_b, username="zzb_lp"),
            "inspector": make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw_lp"),
        },
    )


def _cadre(unit, name, post="镇长"):
    return CadreFactory(
        name=name,
        unit=unit,
        post=post,
        post_level=level("township_chief"),
        post_since=datetime.date(2020, 1, 1),
    )


@pytest.fixture
def cadre(tree):
    return _cadre(tree.township_a1, "赵六")


@pytest.fixture
def cadre_b(tree):
    return _cadre(tree.township_b1, "孙七")


def record(actor, cadre, kind="party_warning", decided_on=datetime.date(2025, 1, 10)):
    return ledger.sanction_record(
        actor=actor, cadre=cadre, kind_code=kind, decided_on=decided_on, reason="违反工作纪律"
    )


def track(actor, sanction, day=datetime.date(2025, 3, 1)):
    return ledger.sanction_tracking_add(
        actor=actor,
        sanction=sanction,
        tracked_on=day,
        attitude=Rating.GOOD,
        work=Rating.GOOD,
        public_opinion=Rating.FAIR,
    )


def as_user(client, user):
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def text(response):
    return response.content.decode()


def sheet_rows(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


# --- sanction ledger pages --------------------------------------------------------------------


def test_the_ledger_lists_the_jurisdictions_sanctions_only(client, people, cadre, cadre_b):
    record(people.org, cadre)
    record(people.org_b, cadre_b)

    response = as_user(client, people.org).get(SANCTIONS)

    assert response.status_code == 200
    page = text(response)
    assert "赵六" in page and "孙七" not in page
    assert 'class="active"' in page and "受处理处分台账" in page
    assert 'data-testid="record-link"' in page


def test_the_ledger_filters_by_status_category_period_and_name(client, people, tree, cadre):
    other = _cadre(tree.dept_a, "钱八", "局长")
    record(people.org, cadre, "party_warning", datetime.date(2025, 1, 10))  # ended
    record(people.org, other, "gov_warning", datetime.date(2026, 1, 1))  # ends 2026-06-30
    client = as_user(client, people.org)

    def names(**params):
        page = text(client.get(SANCTIONS, params))
        return [n for n in ("赵六", "钱八") if n in page]

    assert names(category="government") == ["钱八"]
    assert names(category="party") == ["赵六"]
    assert names(expiring="1") == ["钱八"]
    assert names(in_impact="1") == ["钱八"]
    assert names(in_impact="0") == ["赵六"]
    assert names(q="赵") == ["赵六"]
    assert names(unit=tree.dept_a.pk) == ["钱八"]
    assert names(status=SanctionStatus.REVOKED) == []
    assert "没有符合条件的记录" in text(client.get(SANCTIONS, {"status": "revoked"}))


def test_the_empty_ledger_says_so(client, people):
    assert "台账中暂无受处理处分干部" in text(as_user(client, people.org).get(SANCTIONS))


def test_the_ledger_pages_with_a_constant_number_of_queries(
    client, people, tree, django_assert_max_num_queries
):
    client = as_user(client, people.org)
    record(people.org, _cadre(tree.township_a1, "甲一"))
    with django_assert_max_num_queries(12) as few:
        assert client.get(SANCTIONS).status_code == 200
    for n in range(12):
        record(people.org, _cadre(tree.township_a1, f"乙{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(SANCTIONS).status_code == 200


def test_the_ledger_export_has_the_tracking_summary_and_nothing_out_of_scope(
    client, people, tree, cadre, cadre_b, django_assert_max_num_queries
):
    sanction = record(people.org, cadre)
    track(people.org, sanction)
    track(people.org, sanction, datetime.date(2025, 5, 1))
    record(people.org_b, cadre_b)
    client = as_user(client, people.org)

    response = client.get(SANCTION_EXPORT)

    assert response.status_code == 200
    rows = sheet_rows(response)
    assert rows[0][0] == "姓名" and rows[0][-1] == "跟踪了解情况"
    assert [r[0] for r in rows[1:]] == ["赵六"]
    assert rows[1][-1].startswith("共2次；最近2025-05-01")
    for n in range(5):
        s = record(people.org, _cadre(tree.township_a1, f"丙{n}"))
        track(people.org, s)
    with django_assert_max_num_queries(10):
        assert len(sheet_rows(client.get(SANCTION_EXPORT))) == 7


def test_the_sanction_detail_shows_trackings_and_timeline(client, people, cadre, cadre_b):
    sanction = record(people.org, cadre)
    track(people.org, sanction)
    other = record(people.org_b, cadre_b)
    client = as_user(client, people.org)

    page = text(client.get(reverse("incentives:sanction_detail", args=[sanction.pk])))

    assert "党内警告" in page and "2025-07-09" in page
    assert 'data-testid="tracking-row"' in page
    assert "登记" in page and "影响期内" in page
    assert client.get(reverse("incentives:sanction_detail", args=[other.pk])).status_code == 404


def test_recording_a_sanction_on_the_page(client, people, cadre):
    client = as_user(client, people.org)
    assert client.get(SANCTION_NEW).status_code == 200

    bad = client.post(SANCTION_NEW, {"cadre": cadre.pk, "kind_code": "", "decided_on": ""})
    assert bad.status_code == 400
    response = client.post(
        SANCTION_NEW,
        {
            "cadre": cadre.pk,
            "kind_code": "gov_demerit",
            "decided_on": "2026-02-01",
            "reason": "违规发放补贴",
            "authority": "县监委",
        },
    )

    sanction = Sanction.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("incentives:sanction_detail", args=[sanction.pk])
    assert sanction.impact_until == datetime.date(2027, 1, 31)


def test_a_read_only_role_reads_the_ledger_but_cannot_write(client, people, cadre):
    sanction = record(people.org, cadre)
    client = as_user(client, people.inspector)

    assert client.get(SANCTIONS).status_code == 200
    assert 'data-testid="record-link"' not in text(client.get(SANCTIONS))
    assert client.get(SANCTION_NEW).status_code == 403
    revoke = reverse("incentives:sanction_revoke", args=[sanction.pk])
    assert client.post(revoke, {"reason": "x"}).status_code == 403


def test_revoking_on_the_page_asks_for_confirmation_and_a_reason(client, people, cadre):
    sanction = record(people.org, cadre)
    url = reverse("incentives:sanction_revoke", args=[sanction.pk])
    client = as_user(client, people.org)

    page = text(client.get(url))
    assert 'data-testid="confirm-text"' in page and "data-confirm" in page
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "经复查撤销"})

    assert response.status_code == 302
    sanction.refresh_from_db()
    assert sanction.status == SanctionStatus.REVOKED
    # A second revocation is refused with a message, not an error page.
    again = client.post(url, {"reason": "再次"}, follow=True)
    assert "不允许此操作" in text(again)


def test_confirming_the_kind_and_tracking_on_the_pages(client, people, tree, cadre):
    inspector = people.inspector
    from tolerance import services as tolerance_services

    matter = tolerance_services.accountability_matter_open(
        actor=inspector,
        handling_unit=tree.county_a,
        accountable_body="discipline",
        title="违规决策",
        occurred_on=datetime.date(2026, 3, 1),
        opened_on=datetime.date(2026, 4, 1),
        cadres=[cadre],
        consider_tolerance=False,
    )
    tolerance_services.accountability_matter_decide(
        actor=inspector, matter=matter, form="discipline", decided_on=datetime.date(2026, 5, 10)
    )
    ledger.sanction_record_from_event(Event.objects.get(kind="tolerance.organisational_handling"))
    sanction = Sanction.objects.get()
    client = as_user(client, people.org)
    detail = text(client.get(reverse("incentives:sanction_detail", args=[sanction.pk])))
    assert 'data-testid="confirm-kind-link"' in detail

    response = client.post(
        reverse("incentives:sanction_confirm_kind", args=[sanction.pk]),
        {"kind_code": "party_warning"},
    )
    assert response.status_code == 302
    sanction.refresh_from_db()
    assert sanction.impact_until == datetime.date(2026, 11, 9)

    response = client.post(
        reverse("incentives:sanction_tracking", args=[sanction.pk]),
        {"tracked_on": "2026-06-01", "attitude": "good", "work": "good", "public_opinion": "good"},
    )
    assert response.status_code == 302
    assert sanction.trackings.count() == 1


# --- 能上能下 pages ----------------------------------------------------------------------------


def test_recording_an_adjustment_on_the_page_changes_the_post(client, people, cadre, cadre_b):
    client = as_user(client, people.org)
    assert "不能胜任现职" in text(client.get(ADJUSTMENT_NEW))

    bad = client.post(
        ADJUSTMENT_NEW,
        {
            "cadre": cadre.pk,
            "action": "removal",
            "situation_codes": ["D-A1"],
            "decided_on": "2026-05-01",
            "reason": "不胜任",
        },
    )
    assert bad.status_code == 400
    response = client.post(
        ADJUSTMENT_NEW,
        {
            "cadre": cadre.pk,
            "action": "adjustment",
            "situation_codes": ["D-A1"],
            "decided_on": "2026-05-01",
            "to_post": "镇党委委员",
            "reason": "不胜任",
        },
    )
    adjustment = Adjustment.objects.get()
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.post == "镇党委委员"

    ledger.adjustment_record(
        actor=people.org_b,
        cadre=cadre_b,
        action="removal",
        situation_codes=["D-R1"],
        reason="庸政懒政",
        decided_on=datetime.date(2026, 5, 1),
    )
    page = text(client.get(ADJUSTMENTS))
    assert "赵六" in page and "孙七" not in page
    detail = text(client.get(reverse("incentives:adjustment_detail", args=[adjustment.pk])))
    assert "不能胜任现职、不适宜担任现职的" in detail and "2027-04-30" in detail
    rows = sheet_rows(client.get(ADJUSTMENT_EXPORT))
    assert [r[0] for r in rows[1:]] == ["赵六"]
    assert rows[1][8] == "镇党委委员"


def test_the_adjustment_list_pages_with_a_constant_number_of_queries(
    client, people, tree, django_assert_max_num_queries
):
    client = as_user(client, people.org)

    def down(name):
        ledger.adjustment_record(
            actor=people.org,
            cadre=_cadre(tree.township_a1, name),
            action="removal",
            situation_codes=["D-R1"],
            reason="庸政懒政",
            decided_on=datetime.date(2026, 5, 1),
        )

    down("甲一")
    with django_assert_max_num_queries(12) as few:
        assert client.get(ADJUSTMENTS).status_code == 200
    for n in range(10):
        down(f"乙{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(ADJUSTMENTS, {"action": "removal"}).status_code == 200


# --- review pages -----------------------------------------------------------------------------


def test_the_review_list_puts_open_reviews_first(client, people, tree, cadre):
    first = record(people.org, cadre, "party_warning", datetime.date(2024, 1, 10))
    second = record(people.org, _cadre(tree.township_a1, "钱八"), "party_warning")
    ledger.open_expiry_reviews()
    ledger.review_decide(
        actor=people.org,
        review=ExpiryReview.objects.get(sanction=first),
        decision=ReviewDecision.NORMAL_USE,
        analysis="可以正常使用",
    )

    page = text(as_user(client, people.org).get(REVIEWS))

    assert page.index('data-status="open"') < page.index('data-status="decided"')
    assert ExpiryReview.objects.get(sanction=second).status == "open"


def test_the_review_page_shows_the_trackings_and_takes_the_conclusion(
    client, people, cadre, cadre_b
):
    sanction = record(people.org, cadre)
    track(people.org, sanction)
    record(people.org_b, cadre_b)
    ledger.open_expiry_reviews()
    review = ExpiryReview.objects.get(sanction=sanction)
    other = ExpiryReview.objects.exclude(pk=review.pk).get()
    url = reverse("incentives:review_decide", args=[review.pk])
    client = as_user(client, people.org)

    page = text(client.get(url))
    assert 'data-testid="tracking-row"' in page and 'data-testid="decide-form"' in page
    assert "重新使用" not in page.split('data-testid="decide-form"')[1]
    assert client.get(reverse("incentives:review_decide", args=[other.pk])).status_code == 404
    assert client.post(url, {"decision": "normal_use", "analysis": ""}).status_code == 400
    response = client.post(url, {"decision": "normal_use", "analysis": "认错态度诚恳"})

    assert response.status_code == 302
    sanction.refresh_from_db()
    assert sanction.status == SanctionStatus.NORMAL_USE
    assert 'data-testid="decide-form"' not in text(client.get(url))


def test_the_review_list_pages_with_a_constant_number_of_queries(
    client, people, tree, django_assert_max_num_queries
):
    client = as_user(client, people.org)
    record(people.org, _cadre(tree.township_a1, "甲一"))
    ledger.open_expiry_reviews()
    with django_assert_max_num_queries(12) as few:
        assert client.get(REVIEWS).status_code == 200
    for n in range(6):
        record(people.org, _cadre(tree.township_a1, f"乙{n}"))
        ledger.adjustment_record(
            actor=people.org,
            cadre=_cadre(tree.township_a1, f"丙{n}"),
            action="removal",
            situation_codes=["D-R1"],
            reason="庸政懒政",
            decided_on=datetime.date(2025, 1, 1),
        )
    assert ledger.open_expiry_reviews() == 12
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(REVIEWS).status_code == 200


# --- API --------------------------------------------------------------------------------------


def test_the_api_records_lists_and_retrieves_sanctions_in_scope(people, cadre, cadre_b):
    client = api(people.org)
    created = client.post(
        f"{API}sanctions/",
        {
            "cadre": cadre.pk,
            "kind_code": "party_warning",
            "decided_on": "2025-01-10",
            "reason": "违反工作纪律",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["impact_until"] == "2025-07-09"
    record(people.org_b, cadre_b)
    out_of_scope = Sanction.objects.get(cadre=cadre_b)

    listed = client.get(f"{API}sanctions/").json()["results"]
    assert [row["cadre_name"] for row in listed] == ["赵六"]
    assert client.get(f"{API}sanctions/{out_of_scope.pk}/").status_code == 404
    assert client.get(f"{API}sanctions/", {"category": "government"}).json()["results"] == []

    bad = client.post(
        f"{API}sanctions/",
        {"cadre": cadre.pk, "kind_code": "nope", "decided_on": "2025-01-10", "reason": ""},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"kind_code", "reason"}


def test_the_api_refuses_writes_to_a_read_only_role(people, cadre):
    sanction = record(people.org, cadre)
    client = api(people.inspector)

    assert client.get(f"{API}sanctions/{sanction.pk}/").status_code == 200
    response = client.post(
        f"{API}sanctions/",
        {"cadre": cadre.pk, "kind_code": "party_warning", "decided_on": "2025-01-10"},
        format="json",
    )
    assert response.status_code == 403
    revoke = client.post(f"{API}sanctions/{sanction.pk}/revoke/", {"reason": "x"}, format="json")
    assert revoke.status_code == 403


def test_the_api_revokes_once_then_conflicts_and_keeps_trackings(people, cadre):
    sanction = record(people.org, cadre)
    client = api(people.org)

    added = client.post(
        f"{API}sanctions/{sanction.pk}/trackings/",
        {"tracked_on": "2025-03-01", "attitude": "good", "work": "fair", "public_opinion": "good"},
        format="json",
    )
    assert added.status_code == 201
    assert len(client.get(f"{API}sanctions/{sanction.pk}/trackings/").json()) == 1
    assert (
        client.post(f"{API}sanctions/{sanction.pk}/revoke/", {}, format="json").status_code == 400
    )
    ok = client.post(f"{API}sanctions/{sanction.pk}/revoke/", {"reason": "撤销"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "revoked"
    again = client.post(f"{API}sanctions/{sanction.pk}/revoke/", {"reason": "再"}, format="json")
    assert again.status_code == 409
    kind = client.post(
        f"{API}sanctions/{sanction.pk}/confirm-kind/", {"kind_code": "gov_warning"}, format="json"
    )
    assert kind.status_code == 409


def test_the_api_records_adjustments_and_decides_reviews(people, cadre):
    client = api(people.org)
    created = client.post(
        f"{API}adjustments/",
        {
            "cadre": cadre.pk,
            "action": "adjustment",
            "situation_codes": ["D-A1"],
            "reason": "不胜任",
            "decided_on": "2025-05-01",
            "to_post": "镇党委委员",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["impact_until"] == "2026-04-30"
    missing = client.post(
        f"{API}adjustments/",
        {
            "cadre": cadre.pk,
            "action": "demotion",
            "situation_codes": ["D-D1"],
            "reason": "x",
            "decided_on": "2025-05-01",
        },
        format="json",
    )
    assert missing.status_code == 400 and "to_post" in missing.json()

    ledger.open_expiry_reviews()
    reviews = client.get(f"{API}reviews/").json()["results"]
    assert len(reviews) == 1 and reviews[0]["status"] == "open"
    review_id = reviews[0]["id"]
    decided = client.post(
        f"{API}reviews/{review_id}/decide/",
        {"decision": "reinstate", "analysis": "工作实绩突出", "reinstated_post": "副镇长"},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "decided"
    assert Adjustment.objects.get().status == AdjustmentStatus.REINSTATED
    cadre.refresh_from_db()
    assert cadre.post == "副镇长"
    again = client.post(
        f"{API}reviews/{review_id}/decide/",
        {"decision": "reinstate", "analysis": "再", "reinstated_post": "镇长"},
        format="json",
    )
    assert again.status_code == 409
    assert api(people.org_b).get(f"{API}reviews/{review_id}/").status_code == 404


def test_the_api_lists_with_a_constant_number_of_queries(
    people, tree, django_assert_max_num_queries
):
    client = api(people.org)
    record(people.org, _cadre(tree.township_a1, "甲一"))
    with django_assert_max_num_queries(10) as few:
        assert client.get(f"{API}sanctions/").status_code == 200
    for n in range(8):
        record(people.org, _cadre(tree.township_a1, f"乙{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(f"{API}sanctions/").json()["results"]) == 9


# --- admin ------------------------------------------------------------------------------------


def test_the_admin_shows_only_the_jurisdiction_and_changes_nothing(
    client, people, tree, cadre, cadre_b
):
    from django.contrib.auth.models import Permission

    mine = record(people.org, cadre)
    record(people.org_b, cadre_b)
    user = people.org
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="incentives",
            codename__in=["view_sanction", "view_expiryreview", "view_sanctiontracking"],
        )
    )
    client = as_user(client, user)

    page = text(client.get(reverse("admin:incentives_sanction_changelist")))
    assert "赵六" in page and "孙七" not in page
    assert client.get(reverse("admin:incentives_sanction_add")).status_code == 403
    change = client.get(reverse("admin:incentives_sanction_change", args=[mine.pk]))
    assert change.status_code == 200 and 'name="_save"' not in text(change)
