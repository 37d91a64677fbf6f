"""End to end in a real browser: a tolerance case from the accountability matter to the written
feedback (DOMAIN §4.5). An inspector files the matter with a tolerance case, an organisation
officer investigates, fills the checklist and submits the preliminary opinion, a committee
member decides, the inspector sends the feedback and downloads the feedback letter.

Runs headless Chromium from the system (/usr/bin/chromium) through Playwright; it never
downloads a browser. Install one with `apt-get install -y chromium`.
"""

import datetime

import docx
from django.utils import timezone

from tests.conftest import PASSWORD, TIMEOUT_MS, signed_in  # noqa: F401
from tests.tolerance_helpers import ALL_CONDITIONS, ALL_EXCLUSIONS, ALL_SITUATIONS, DISTINCTIONS
from tolerance.choices import CaseStatus, Outcome
from tolerance.models import Case


def status_of(page):
    return page.locator("[data-testid=case-status]").inner_text()


def submit_transition(page, name):
    page.locator(f"form[data-transition={name}] button[type=submit]").click()


def test_case_from_filing_to_the_feedback_letter(
    live_server, transactional_db, browser, staff, tree, cadres, tmp_path
):
    from playwright.sync_api import expect

    occurred = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()

    # The inspector opens an accountability matter and considers tolerance with it.
    inspector = signed_in(browser, live_server, staff.inspector.username)
    inspector.goto(f"{live_server.url}/tolerance/")
    inspector.locator("[data-testid=open-matter]").click()
    inspector.fill("#id_title", "重点项目先行开工")
    inspector.fill("#id_facts", "为赶工期，在用地手续办结前先行开工。")
    inspector.select_option("#id_matter_category", "project")
    inspector.fill("#id_occurred_on", occurred)
    inspector.select_option("#id_cadres", str(cadres.in_a.pk))
    expect(inspector.locator("#id_consider_tolerance")).to_be_checked()
    inspector.locator("[data-testid=filing-form] button.primary").click()
    inspector.wait_for_url("**/tolerance/cases/*/")
    number = inspector.locator("[data-testid=case-number]").inner_text()
    case_url = inspector.url
    assert status_of(inspector) == str(CaseStatus.FILED.label)

    # A colleague of the organisation department investigates.
    officer = signed_in(browser, live_server, staff.organisation.username)
    officer.goto(case_url)
    submit_transition(officer, "start_investigation")
    expect(officer.locator("[data-testid=case-status]")).to_have_text(
        str(CaseStatus.INVESTIGATING.label)
    )
    checklist = officer.locator("[data-testid=checklist-form]")
    for code in [*DISTINCTIONS, *ALL_CONDITIONS, "S2"]:
        checklist.locator(f'tr[data-code="{code}"] input[value="yes"]').check()
    for code in [*ALL_EXCLUSIONS, *(s for s in ALL_SITUATIONS if s != "S2")]:
        checklist.locator(f'tr[data-code="{code}"] input[value="no"]').check()
    for code in DISTINCTIONS:
        checklist.locator(f'tr[data-code="{code}"] textarea').fill("缺乏经验、先行先试，无谋私情节")
    checklist.locator("[data-testid=severity]").select_option("L1")
    checklist.locator("button[type=submit]").click()
    expect(officer.locator("[data-testid=suggestion-outcome]")).to_have_text(
        str(Outcome.EXEMPT.label)
    )

    opinion = officer.locator("form[data-transition=submit_opinion]")
    opinion.locator("[name='t-submit_opinion-motive_attitude']").fill("出于公心，推动项目落地")
    opinion.locator("[name='t-submit_opinion-proposed_outcome']").select_option("exempt")
    opinion.locator("[name='t-submit_opinion-proposal_reasons']").fill("符合容错条件和情形 S2")
    submit_transition(officer, "submit_opinion")
    expect(officer.locator("[data-testid=case-status]")).to_have_text(
        str(CaseStatus.PRELIMINARY.label)
    )

    # A member of the party committee decides (the page asks for confirmation).
    member = signed_in(browser, live_server, staff.committee.username)
    member.goto(case_url)
    decide = member.locator("form[data-transition=decide]")
    expect(member.locator("[data-testid=decide-hint]")).to_contain_text("必须")
    decide.locator("[name='t-decide-outcome']").select_option("exempt")
    decide.locator("[name='t-decide-decision_meeting']").fill("县委常委会第12次会议")
    submit_transition(member, "decide")
    expect(member.locator("[data-testid=case-status]")).to_have_text(str(CaseStatus.DECIDED.label))

    # The inspector sends the written feedback and downloads the letter.
    inspector.goto(case_url)
    feedback = inspector.locator("form[data-transition=send_feedback]")
    feedback.locator("[name='t-send_feedback-feedback_to']").fill("甲县一镇党委、张三同志")
    submit_transition(inspector, "send_feedback")
    expect(inspector.locator("[data-testid=case-status]")).to_have_text(
        str(CaseStatus.FEEDBACK_SENT.label)
    )
    with inspector.expect_download() as info:
        inspector.locator("[data-testid=doc-feedback_letter]").click()
    download = info.value

    assert download.suggested_filename.endswith(f"{number}.docx")
    assert "反馈函" in download.suggested_filename
    saved = tmp_path / "feedback.docx"
    download.save_as(saved)
    document = docx.Document(str(saved))
    text = "\n".join(p.text for p in document.paragraphs)
    assert number in text
    assert "免责" in text

    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.FEEDBACK_SENT
    assert case.outcome == Outcome.EXEMPT
    assert case.decided_by == staff.committee
    assert case.proposed_by == staff.organisation
    assert [c.transition for c in case.status_changes.all()] == [
        "file",
        "start_investigation",
        "submit_opinion",
        "decide",
        "send_feedback",
    ]
