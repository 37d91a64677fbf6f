"""End to end in a real browser: the organisation department enters a sanction in the ledger
and sees it block the cadre's rank promotion (F 15, F 10); the 五必谈 talk a post change made
due is recorded and closes the obligation (F 16); a cadre asks the organisation for a talk and
follows its status ("向组织说说心里话", X).

Runs headless Chromium from the system (/usr/bin/chromium) through Playwright; it never
downloads a browser."""

import datetime

from django.utils import timezone

from cadre.choices import Role, StaffingType
from cadre.events import dispatch_event
from cadre.models import Event, Rank
from cadre.services import cadre_update
from care.choices import ObligationStatus, RequestStatus
from care.models import TalkObligation, TalkRequest
from incentives.choices import SanctionStatus
from incentives.models import Sanction
from tests.conftest import PASSWORD, signed_in


def test_a_sanction_entered_in_the_ledger_blocks_rank_promotion(
    live_server,
    transactional_db,
    browser,
    staff,
    cadres,
):
    from playwright.sync_api import expect

    cadre = cadres.in_a
    cadre.staffing_type = StaffingType.ADMINISTRATIVE
    cadre.rank = Rank.objects.get(code="principal_clerk_3")
    cadre.rank_since = timezone.localdate() - datetime.timedelta(days=5 * 366)
    cadre.save()
    page = signed_in(browser, live_server, staff.organisation.username)

    # Eligible before: five years as 三级主任科员, two needed.
    page.goto(f"{live_server.url}/incentives/rank/cadres/{cadre.pk}/")
    expect(page.locator("body")).to_contain_text("二级主任科员")
    assert "诫勉" not in page.locator("body").inner_text()

    # The organisation officer enters an admonishment (诫勉) decided a week ago.
    page.goto(f"{live_server.url}/incentives/ledger/sanctions/new/")
    page.select_option("#id_cadre", str(cadre.pk))
    page.select_option("#id_kind_code", "admonish")
    page.fill("#id_decided_on", (timezone.localdate() - datetime.timedelta(days=7)).isoformat())
    page.fill("#id_reason", "落实安全生产责任不到位")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("body")).to_contain_text("影响期内")
    sanction = Sanction.objects.get(cadre=cadre)
    assert sanction.status == SanctionStatus.IN_IMPACT
    assert sanction.kind_label == "诫勉"

    # The rank check now names the admonishment and the end of its impact period.
    page.goto(f"{live_server.url}/incentives/rank/cadres/{cadre.pk}/")
    body = page.locator("body").inner_text()
    assert "诫勉" in body
    assert f"{sanction.impact_until.year}年{sanction.impact_until.month}月" in body


def test_a_due_talk_is_recorded_and_a_cadre_follows_their_request(
    live_server,
    transactional_db,
    browser,
    staff,
    cadres,
    tree,
    make_user,
):
    from playwright.sync_api import expect

    # A post change (trigger 1) made a talk due.
    cadre = cadres.in_a
    cadre_update(actor=staff.organisation, cadre=cadre, post="党委副书记")
    for event in Event.objects.filter(kind="cadre.post_changed"):
        dispatch_event(event.pk)
    obligation = TalkObligation.objects.get(cadre=cadre)
    assert obligation.trigger_code == "T1"

    page = signed_in(browser, live_server, staff.organisation.username)
    page.goto(f"{live_server.url}/care/talks/obligations/")
    expect(page.locator("body")).to_contain_text("干部岗位变动必谈")
    page.goto(f"{live_server.url}/care/talks/new/?obligation={obligation.pk}")
    page.fill("#id_summary", "了解新岗位的工作打算，提醒尽快进入角色。")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("body")).to_contain_text("已登记与")
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.HELD
    assert obligation.talk is not None

    # A cadre asks the organisation for a talk and sees its status.
    user = make_user(Role.CADRE, unit=tree.township_a1, username="gb_e2e", cadre=cadre)
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/care/talks/requests/new/")
    page.fill("#id_topic", "工作压力与家庭照顾")
    page.fill("#id_content", "近期任务重，家中老人生病，希望和组织谈谈。")
    page.locator("form button[type=submit]").last.click()
    page.goto(f"{live_server.url}/care/talks/mine/")
    expect(page.locator("body")).to_contain_text("工作压力与家庭照顾")
    expect(page.locator("body")).to_contain_text("已提交")
    assert TalkRequest.objects.get(cadre=cadre).status == RequestStatus.SUBMITTED
