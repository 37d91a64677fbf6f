"""The clearing-of-names pages (澄清正名, DOMAIN §4.6) as the users of each role meet them:
registering a report, verifying and concluding it, clearing the cadre or organisation, visiting
until they are at ease, the periodic list of unfounded reports and the dishonesty blacklist."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import CadreFactory
from tolerance import services
from tolerance.models import BlacklistEntry, ClearingMatter, Publication
from tolerance.workflow import clearing_transition

LIST_URL = reverse("tolerance:clearing_list")
OPEN_URL = reverse("tolerance:clearing_open")
UNFOUNDED_URL = reverse("tolerance:unfounded_list")
PUBLISH_URL = reverse("tolerance:unfounded_publish")
BLACKLIST_URL = reverse("tolerance:blacklist")

ACCUSER = "举报人赵某"
ACCUSER_CONTACT = "13900001111"


def detail_url(clearing):
    return reverse("tolerance:clearing_detail", args=[clearing.pk])


def action_url(name, clearing):
    return reverse(f"tolerance:{name}", args=[clearing.pk])


def logged_in(client, user):
    client.force_login(user)
    return client


def report_data(tree, **changes):
    data = {
        "handling_unit": tree.county_a.pk,
        "source": "letter",
        "received_on": timezone.localdate().isoformat(),
        "allegation": "反映其在项目招标中收受好处。",
        "accuser_name": ACCUSER,
        "accuser_contact": ACCUSER_CONTACT,
        "background_check": "",
    }
    data.update(changes)
    return data


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def move(client, clearing, name, **data):
    """Post a transition from the state the page showed (the matter's current state)."""
    clearing.refresh_from_db()
    payload = {"name": name, "expected_status": clearing.status, "reason": ""}
    payload.update(data)
    return client.post(action_url("clearing_transition", clearing), payload)


def open_report(actor, tree, cadres=(), party_org=None, **kwargs):
    """A report registered through the service (for tests about other pages)."""
    return services.clearing_open(
        actor=actor,
        handling_unit=tree.county_a,
        source="letter",
        allegation=kwargs.pop("allegation", "反映其违规发放补贴。"),
        cadres=list(cadres),
        party_org=party_org,
        accuser_name=kwargs.pop("accuser_name", ACCUSER),
        accuser_contact=kwargs.pop("accuser_contact", ACCUSER_CONTACT),
        **kwargs,
    )


def concluded(actor, clearing, conclusion="unfounded", **data):
    for name, payload in (
        ("start_verification", {}),
        ("conclude", {"conclusion": conclusion, "conclusion_reasons": "经核查反映不实", **data}),
    ):
        clearing_transition(actor=actor, clearing=clearing, name=name, data=payload)
    clearing.refresh_from_db()
    return clearing


def sheet_rows(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


# --- the journey --------------------------------------------------------------------------------


def test_report_against_a_party_organisation_is_registered_verified_and_cleared(
    client, staff, tree
):
    # Given an inspector of county A on the report form
    logged_in(client, staff.inspector)
    assert client.get(OPEN_URL).status_code == 200
    # When they register a report against a township's party organisation
    response = client.post(
        OPEN_URL, report_data(tree, party_org=tree.township_a1.pk, background_check="群众口碑较好")
    )
    clearing = ClearingMatter.objects.get(party_org=tree.township_a1)
    # Then the matter's file opens, naming the organisation and the background check
    assert response.status_code == 302 and response["Location"] == detail_url(clearing)
    page = client.get(detail_url(clearing))
    assert "甲县一镇" in page.content.decode() and "群众口碑较好" in page.content.decode()
    assert page.context["clearing"].status == "received"
    # When it is verified and concluded unfounded
    assert move(client, clearing, "start_verification").status_code == 302
    response = move(
        client, clearing, "conclude", conclusion="unfounded", conclusion_reasons="查无实据"
    )
    # Then the organisation is among the unfounded reports of the quarter
    assert response.status_code == 302
    listed = client.get(UNFOUNDED_URL)
    assert clearing.number in listed.content.decode()


def test_report_against_a_cadre_goes_through_to_closing_after_the_cadre_is_at_ease(
    client, staff, tree, cadres
):
    # Given an inspector registers a report against a cadre of county A
    logged_in(client, staff.inspector)
    response = client.post(OPEN_URL, report_data(tree, cadres=[cadres.in_a.pk]))
    clearing = ClearingMatter.objects.get(cadres=cadres.in_a)
    assert response.status_code == 302
    # When they start the verification and look at the file
    move(client, clearing, "start_verification")
    page = client.get(detail_url(clearing))
    # Then concluding asks for confirmation first
    assert page.context["clearing"].status == "verifying"
    assert 'data-testid="transition-conclude"' in page.content.decode()
    assert "data-confirm" in page.content.decode()
    # When they conclude the report unfounded
    response = move(
        client, clearing, "conclude", conclusion="unfounded", conclusion_reasons="经核查查无实据"
    )
    assert response.status_code == 302
    # And the organisation department records the clarification and marks the name cleared
    logged_in(client, staff.organisation)
    response = client.post(
        action_url("clearing_clarification_add", clearing),
        {
            "method": "letter",
            "scope": "甲县一镇领导班子",
            "held_on": timezone.localdate().isoformat(),
            "content": "经核查，反映张三同志的问题不属实，予以澄清。",
        },
    )
    assert response.status_code == 302
    move(client, clearing, "clarify")
    move(client, clearing, "start_follow_up")
    # And a first visit finds the cadre still worried
    today = timezone.localdate()
    client.post(
        action_url("clearing_visit_add", clearing),
        {
            "cadre": cadres.in_a.pk,
            "visited_on": (today - datetime.timedelta(days=20)).isoformat(),
            "visitors": "组织甲",
            "findings": "仍有顾虑，不敢放手干事",
        },
    )
    # Then closing is refused with the reason on the page
    refused = move(client, clearing, "close")
    clearing.refresh_from_db()
    assert clearing.status == "follow_up"
    assert "思想包袱已解除" in refused.content.decode()
    assert refused.context["transitions"][-1]["form"].non_field_errors()
    # When a later visit finds the cadre at ease
    client.post(
        action_url("clearing_visit_add", clearing),
        {
            "visited_on": today.isoformat(),
            "visitors": "组织甲",
            "findings": "思想包袱已放下，工作积极",
            "at_ease": "on",
        },
    )
    # Then the matter can be closed, and the file tells the whole story
    response = move(client, clearing, "close")
    assert response.status_code == 302
    clearing.refresh_from_db()
    assert clearing.status == "closed"
    page = client.get(detail_url(clearing))
    steps = [entry["label"] for entry in page.context["timeline"]]
    assert [str(s) for s in steps] == [
        "登记受理",
        "启动快速核查",
        "作出核查结论",
        "完成澄清正名",
        "转入跟踪回访",
        "办结",
    ]
    assert len(page.context["visits"]) == 2
    assert page.context["transitions"] == []


def test_the_report_form_refuses_a_report_without_subject_or_with_a_cadre_out_of_scope(
    client, staff, tree, cadres
):
    logged_in(client, staff.inspector)
    # When nobody is named
    response = client.post(OPEN_URL, report_data(tree))
    # Then the form says so on the cadre field
    assert response.status_code == 200
    assert response.context["form"].errors["cadres"]
    # When a cadre of county B is posted
    response = client.post(OPEN_URL, report_data(tree, cadres=[cadres.in_b.pk]))
    assert response.context["form"].errors["cadres"]
    # When a date is not a date
    response = client.post(OPEN_URL, report_data(tree, party_org=tree.dept_a.pk, received_on="x"))
    assert response.context["form"].errors["received_on"]
    assert not ClearingMatter.objects.exists()


def test_report_form_lists_the_cadres_of_the_chosen_unit(client, staff, tree, cadres):
    logged_in(client, staff.inspector)
    response = client.get(OPEN_URL, {"subject_unit": tree.dept_a.pk})
    offered = dict(response.context["form"].fields["cadres"].widget.choices)
    assert cadres.in_a.pk not in offered
    response = client.get(OPEN_URL, {"subject_unit": tree.township_a1.pk})
    offered = dict(response.context["form"].fields["cadres"].widget.choices)
    assert cadres.in_a.pk in offered and cadres.in_b.pk not in offered


def test_conclude_without_a_conclusion_shows_field_errors(client, staff, tree, cadres):
    clearing = open_report(staff.inspector, tree, [cadres.in_a])
    clearing_transition(actor=staff.inspector, clearing=clearing, name="start_verification")
    logged_in(client, staff.inspector)
    response = move(client, clearing, "conclude", conclusion="", conclusion_reasons="")
    assert response.status_code == 200
    form = response.context["transitions"][0]["form"]
    assert form.errors["conclusion"] and form.errors["conclusion_reasons"]
    clearing.refresh_from_db()
    assert clearing.status == "verifying"


# --- false accusation and the blacklist ----------------------------------------------------------


def test_false_accusation_puts_the_accusers_on_the_blacklist(client, staff, tree, cadres):
    # Given a report under verification
    clearing = open_report(staff.inspector, tree, [cadres.in_a])
    clearing_transition(actor=staff.inspector, clearing=clearing, name="start_verification")
    logged_in(client, staff.inspector)
    # When it is concluded a false accusation without a referral note
    response = move(
        client,
        clearing,
        "conclude",
        conclusion="false_accusation",
        conclusion_reasons="捏造事实",
        accusers="赵某，甲县某村\n钱某",
    )
    # Then the referral note is asked for and nobody is listed yet
    assert response.context["transitions"][0]["form"].errors["referral_note"]
    assert not BlacklistEntry.objects.exists()
    # When the referral is recorded
    response = move(
        client,
        clearing,
        "conclude",
        conclusion="false_accusation",
        conclusion_reasons="捏造事实",
        referral_note="移送县公安局依法查处",
        accusers="赵某，甲县某村\n钱某",
    )
    assert response.status_code == 302
    # Then both accusers are on the blacklist, with their unit, linked to the matter
    page = client.get(BLACKLIST_URL)
    entries = list(page.context["page"].object_list)
    assert {(e.person_name, e.person_unit) for e in entries} == {
        ("赵某", "甲县某村"),
        ("钱某", ""),
    }
    assert clearing.number in page.content.decode()
    # And the organisation department sees them too
    logged_in(client, staff.organisation)
    assert "钱某" in client.get(BLACKLIST_URL).content.decode()
    # And the search finds one of them
    found = client.get(BLACKLIST_URL, {"q": "钱"})
    assert [e.person_name for e in found.context["page"].object_list] == ["钱某"]


def test_blacklist_export_lists_the_entries(client, staff, tree, cadres):
    clearing = open_report(staff.inspector, tree, [cadres.in_a], accuser_name="孙某")
    concluded(staff.inspector, clearing, "false_accusation", referral_note="已移送")
    logged_in(client, staff.organisation)
    response = client.get(reverse("tolerance:blacklist_export"))
    rows = sheet_rows(response)
    assert rows[0][0] == "姓名"
    assert rows[1][0] == "孙某" and rows[1][5] == clearing.number


@pytest.mark.parametrize("who", ["committee", "auditor", "cadre_user", "unit_leader"])
def test_blacklist_is_for_discipline_and_organisation_only(client, staff, who):
    logged_in(client, getattr(staff, who))
    assert client.get(BLACKLIST_URL).status_code == 403
    assert client.get(reverse("tolerance:blacklist_export")).status_code == 403


def test_blacklist_shows_only_entries_in_scope(client, staff, tree, cadres):
    clearing_a = open_report(staff.inspector, tree, [cadres.in_a], accuser_name="周某")
    concluded(staff.inspector, clearing_a, "false_accusation", referral_note="已移送")
    logged_in(client, staff.other_inspector)
    page = client.get(BLACKLIST_URL)
    assert page.status_code == 200
    assert "周某" not in page.content.decode()
    assert page.context["page"].paginator.count == 0


# --- the accuser is protected --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["organisation", "committee", "auditor"])
def test_accuser_is_hidden_from_users_outside_discipline(client, staff, tree, cadres, who):
    # Given a report with a named accuser
    clearing = open_report(staff.inspector, tree, [cadres.in_a])
    logged_in(client, getattr(staff, who))
    # When a user of another role reads the list, the file and the export
    listed = client.get(LIST_URL).content.decode()
    shown = client.get(detail_url(clearing)).content.decode()
    exported = sheet_rows(client.get(reverse("tolerance:clearing_export")))
    # Then the accuser's name and contact appear nowhere
    assert clearing.number in listed and clearing.number in shown
    for text in (listed, shown, str(exported)):
        assert ACCUSER not in text and ACCUSER_CONTACT not in text
    assert "举报人" not in exported[0]


def test_inspector_sees_the_accuser(client, staff, tree, cadres):
    clearing = open_report(staff.inspector, tree, [cadres.in_a])
    logged_in(client, staff.inspector)
    assert ACCUSER in client.get(LIST_URL).content.decode()
    assert ACCUSER_CONTACT in client.get(detail_url(clearing)).content.decode()
    exported = sheet_rows(client.get(reverse("tolerance:clearing_export")))
    assert exported[1][-2:] == [ACCUSER, ACCUSER_CONTACT]


# --- jurisdiction, roles and conflicts -----------------------------------------------------------


def test_matter_of_another_county_is_not_found(client, staff, tree, cadres):
    clearing = open_report(staff.inspector, tree, [cadres.in_a])
    logged_in(client, staff.other_inspector)
    assert client.get(detail_url(clearing)).status_code == 404
    assert move(client, clearing, "start_verification").status_code == 404
    assert client.get(action_url("clearing_document", clearing)).status_code == 404
    assert clearing.number not in client.get(LIST_URL).content.decode()
    clearing.refresh_from_db()
    assert clearing.status == "received"


def test_city_inspector_sees_the_county_matter(client, staff, tree, cadres):
    clearing = open_report(staff.inspector, tree, [cadres.in_a])
    logged_in(client, staff.city_inspector)
    assert client.get(detail_url(clearing)).status_code == 200


@pytest.mark.parametrize("who", ["cadre_user", "unit_leader"])
def test_cadres_and_unit_leaders_may_not_open_the_clearing_pages(client, staff, tree, who):
    logged_in(client, getattr(staff, who))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(UNFOUNDED_URL).status_code == 403


@pytest.mark.parametrize("who", ["organisation", "committee", "auditor"])
def test_only_the_discipline_body_registers_reports(client, staff, tree, who):
    logged_in(client, getattr(staff, who))
    assert client.get(OPEN_URL).status_code == 403
    response = client.post(OPEN_URL, report_data(tree, party_org=tree.dept_a.pk))
    assert response.status_code == 403
    assert not ClearingMatter.objects.exists()
    assert 'data-testid="open-link"' not in client.get(LIST_URL).content.decode()


@pytest.mark.parametrize("who", ["organisation", "committee", "auditor"])
def test_only_the_discipline_body_concludes(client, staff, tree, cadres, who):
    clearing = open_report(staff.inspector, tree, [cadres.in_a])
    clearing_transition(actor=staff.inspector, clearing=clearing, name="start_verification")
    logged_in(client, getattr(staff, who))
    page = client.get(detail_url(clearing))
    assert 'data-testid="transition-conclude"' not in page.content.decode()
    response = move(client, clearing, "conclude", conclusion="unfounded", conclusion_reasons="x")
    assert response.status_code == 403
    clearing.refresh_from_db()
    assert clearing.status == "verifying"


def test_auditor_may_not_record_a_visit(client, staff, tree, cadres):
    clearing = concluded(staff.inspector, open_report(staff.inspector, tree, [cadres.in_a]))
    logged_in(client, staff.auditor)
    response = client.post(
        action_url("clearing_visit_add", clearing),
        {"visited_on": timezone.localdate().isoformat(), "visitors": "x", "findings": "y"},
    )
    assert response.status_code == 403


def test_a_stale_page_is_told_the_matter_moved_on(client, staff, tree, cadres):
    # Given two inspectors looking at the same received report
    clearing = open_report(staff.inspector, tree, [cadres.in_a])
    seen_status = clearing.status
    # When one starts the verification first
    clearing_transition(actor=staff.inspector, clearing=clearing, name="start_verification")
    # And the other submits the same step from their page
    logged_in(client, staff.inspector2)
    response = client.post(
        action_url("clearing_transition", clearing),
        {"name": "start_verification", "expected_status": seen_status},
        follow=True,
    )
    # Then they are told clearly, and the step is not recorded twice
    assert response.status_code == 200
    assert any("已被他人处理" in m for m in messages_of(response))
    assert clearing.status_changes.filter(transition="start_verification").count() == 1


def test_unknown_step_is_a_message_not_an_error(client, staff, tree, cadres):
    clearing = open_report(staff.inspector, tree, [cadres.in_a])
    logged_in(client, staff.inspector)
    response = client.post(
        action_url("clearing_transition", clearing), {"name": "explode"}, follow=True
    )
    assert response.status_code == 200
    assert messages_of(response)


def test_clarification_with_an_unknown_method_shows_a_field_error(client, staff, tree, cadres):
    clearing = concluded(staff.inspector, open_report(staff.inspector, tree, [cadres.in_a]))
    logged_in(client, staff.organisation)
    response = client.post(
        action_url("clearing_clarification_add", clearing),
        {"method": "telepathy", "scope": "全县", "held_on": "2026-01-01", "content": "x"},
    )
    assert response.status_code == 200
    assert response.context["clarification_form"].errors["method"]
    assert not clearing.clarifications.exists()


def test_background_check_is_saved_by_the_inspector(client, staff, tree, cadres):
    clearing = open_report(staff.inspector, tree, [cadres.in_a])
    logged_in(client, staff.inspector)
    response = client.post(
        action_url("clearing_background", clearing), {"background_check": "走访同事三人"}
    )
    assert response.status_code == 302
    clearing.refresh_from_db()
    assert clearing.background_check == "走访同事三人"


# --- the list ----------------------------------------------------------------------------------


def test_list_filters_by_status_and_shows_an_empty_state(client, staff, tree, cadres):
    first = open_report(staff.inspector, tree, [cadres.in_a])
    second = open_report(staff.inspector, tree, party_org=tree.dept_a)
    clearing_transition(actor=staff.inspector, clearing=second, name="start_verification")
    logged_in(client, staff.organisation)
    page = client.get(LIST_URL, {"status": "verifying"})
    numbers = [row["number"] for row in page.context["rows"]]
    assert numbers == [second.number]
    assert first.number not in page.content.decode()
    empty = client.get(LIST_URL, {"q": "不存在的问题"})
    assert 'data-testid="empty"' in empty.content.decode()
    bad = client.get(LIST_URL, {"year": "abc"})
    assert bad.status_code == 200


def test_list_exports_the_filtered_matters(client, staff, tree, cadres):
    first = open_report(staff.inspector, tree, [cadres.in_a])
    open_report(staff.inspector, tree, party_org=tree.dept_a, allegation="另一件事")
    logged_in(client, staff.inspector)
    rows = sheet_rows(client.get(reverse("tolerance:clearing_export"), {"q": "张三"}))
    assert len(rows) == 2
    assert rows[1][0] == first.number and rows[1][2] == "张三"


def test_list_runs_a_constant_number_of_queries(
    client, staff, tree, cadres, django_assert_max_num_queries
):
    logged_in(client, staff.inspector)
    colleague = CadreFactory(name="陈七", unit=tree.dept_a, post="局长")
    for _i in range(3):
        open_report(staff.inspector, tree, [cadres.in_a, colleague])
    with django_assert_max_num_queries(10):
        response = client.get(LIST_URL)
    assert len(response.context["rows"]) == 3
    for _i in range(10):
        open_report(staff.inspector, tree, [cadres.in_a], party_org=tree.dept_a)
    with django_assert_max_num_queries(10):
        response = client.get(LIST_URL)
    assert len(response.context["rows"]) == 13


# --- unfounded reports and their bulletin --------------------------------------------------------


def test_unfounded_list_shows_the_quarter_without_accusers_and_publishes_a_bulletin(
    client, staff, tree, cadres
):
    # Given one unfounded and one founded report this quarter
    unfounded = concluded(staff.inspector, open_report(staff.inspector, tree, [cadres.in_a]))
    founded = concluded(
        staff.inspector, open_report(staff.inspector, tree, party_org=tree.dept_a), "founded"
    )
    # When the organisation department opens the list of unfounded reports
    logged_in(client, staff.organisation)
    page = client.get(UNFOUNDED_URL)
    content = page.content.decode()
    # Then only the unfounded one is listed, without the accuser
    assert unfounded.number in content and founded.number not in content
    assert ACCUSER not in content
    # When they publish the quarter's bulletin
    response = client.post(
        PUBLISH_URL,
        {
            "period_start": page.context["start"].isoformat(),
            "period_end": page.context["end"].isoformat(),
            "unit": tree.county_a.pk,
            "scope": "jurisdiction",
            "channel": "党风廉政建设通报",
        },
        follow=True,
    )
    # Then it is recorded and shown as this period's bulletin, naming no accuser
    publication = Publication.objects.get()
    assert publication.scope_label == "本地区" and unfounded.number in publication.content
    assert ACCUSER not in publication.content
    assert response.context["bulletins"] == [publication]
    assert any("不实举报通报" in m for m in messages_of(response))


def test_bulletin_with_an_unknown_scope_shows_a_field_error(client, staff, tree, cadres):
    concluded(staff.inspector, open_report(staff.inspector, tree, [cadres.in_a]))
    logged_in(client, staff.inspector)
    start, end = timezone.localdate().replace(day=1), timezone.localdate()
    response = client.post(
        PUBLISH_URL,
        {
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "unit": tree.county_a.pk,
            "scope": "moon",
            "channel": "通报",
        },
    )
    assert response.status_code == 200
    assert response.context["bulletin_form"].errors["scope"]
    assert not Publication.objects.exists()


def test_bulletin_of_an_empty_period_is_refused(client, staff, tree):
    logged_in(client, staff.inspector)
    page = client.get(UNFOUNDED_URL, {"start": "2020-01-01", "end": "2020-03-31"})
    assert page.context["bulletin_form"] is None
    assert 'data-testid="empty"' in page.content.decode()
    response = client.post(
        PUBLISH_URL,
        {
            "period_start": "2020-01-01",
            "period_end": "2020-03-31",
            "unit": tree.county_a.pk,
            "scope": "unit",
            "channel": "通报",
        },
    )
    assert response.status_code == 200
    assert response.context["bulletin_form"].non_field_errors()
    assert not Publication.objects.exists()


def test_committee_reads_the_unfounded_list_but_may_not_publish(client, staff, tree, cadres):
    concluded(staff.inspector, open_report(staff.inspector, tree, [cadres.in_a]))
    logged_in(client, staff.committee)
    page = client.get(UNFOUNDED_URL)
    assert page.status_code == 200 and page.context["bulletin_form"] is None
    response = client.post(
        PUBLISH_URL,
        {"period_start": "2026-01-01", "period_end": "2026-03-31", "unit": tree.county_a.pk},
    )
    assert response.status_code == 403


def test_unfounded_list_chooses_the_period(client, staff, tree, cadres):
    unfounded = concluded(staff.inspector, open_report(staff.inspector, tree, [cadres.in_a]))
    logged_in(client, staff.inspector)
    earlier = client.get(UNFOUNDED_URL, {"start": "2020-01-01", "end": "2020-12-31"})
    assert unfounded.number not in earlier.content.decode()
    reversed_period = client.get(UNFOUNDED_URL, {"start": "2020-12-31", "end": "2020-01-01"})
    assert reversed_period.status_code == 200
    assert reversed_period.context["period_form"].errors["end"]
    other_unit = client.get(UNFOUNDED_URL, {"unit": tree.county_b.pk})
    assert other_unit.context["period_form"].errors["unit"]


def test_unfounded_export_lists_the_period(client, staff, tree, cadres):
    unfounded = concluded(staff.inspector, open_report(staff.inspector, tree, [cadres.in_a]))
    logged_in(client, staff.inspector)
    rows = sheet_rows(client.get(reverse("tolerance:unfounded_export")))
    assert rows[1][0] == unfounded.number and rows[1][2] == "张三"
    assert ACCUSER not in str(rows)


def test_unfounded_list_and_blacklist_run_a_constant_number_of_queries(
    client, staff, tree, cadres, django_assert_max_num_queries
):
    logged_in(client, staff.inspector)

    def add(n):
        for _i in range(n):
            clearing = open_report(staff.inspector, tree, [cadres.in_a], accuser_name="吴某")
            concluded(staff.inspector, clearing, "false_accusation", referral_note="已移送")

    add(2)
    with django_assert_max_num_queries(13):
        assert len(client.get(UNFOUNDED_URL).context["rows"]) == 2
    with django_assert_max_num_queries(8):
        assert len(client.get(BLACKLIST_URL).context["page"].object_list) == 2
    add(6)
    with django_assert_max_num_queries(13):
        assert len(client.get(UNFOUNDED_URL).context["rows"]) == 8
    with django_assert_max_num_queries(8):
        assert len(client.get(BLACKLIST_URL).context["page"].object_list) == 8


# --- the clarification letter --------------------------------------------------------------------


def test_clarification_letter_is_offered_once_the_report_is_found_unfounded(
    client, staff, tree, cadres
):
    # Given a report still under verification
    clearing = open_report(staff.inspector, tree, [cadres.in_a])
    clearing_transition(actor=staff.inspector, clearing=clearing, name="start_verification")
    logged_in(client, staff.organisation)
    # Then no letter is offered, and asking for it is answered with a message
    assert 'data-testid="letter-link"' not in client.get(detail_url(clearing)).content.decode()
    refused = client.get(action_url("clearing_document", clearing), follow=True)
    assert refused.status_code == 200 and messages_of(refused)
    # When it is concluded unfounded
    clearing_transition(
        actor=staff.inspector,
        clearing=clearing,
        name="conclude",
        data={"conclusion": "unfounded", "conclusion_reasons": "查无实据"},
    )
    # Then the letter is offered and downloads as a Word document
    assert 'data-testid="letter-link"' in client.get(detail_url(clearing)).content.decode()
    response = client.get(action_url("clearing_document", clearing))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert response.content[:2] == b"PK"


def test_a_cleared_matter_is_published_within_a_scope(client, staff, tree, cadres):
    clearing = concluded(staff.inspector, open_report(staff.inspector, tree, [cadres.in_a]))
    services.clarification_add(
        actor=staff.inspector,
        clearing=clearing,
        method="meeting",
        scope="所在单位",
        held_on=timezone.localdate(),
        content="澄清",
    )
    clearing_transition(actor=staff.inspector, clearing=clearing, name="clarify")
    logged_in(client, staff.organisation)

    refused = client.post(
        action_url("clearing_publication_add", clearing),
        {"scope": "nowhere", "channel": "会议", "content": "通报"},
    )
    assert refused.status_code == 200 and "scope" in refused.context["publication_form"].errors
    response = client.post(
        action_url("clearing_publication_add", clearing),
        {"scope": "unit", "channel": "干部大会通报", "content": "经核查反映不实，予以澄清"},
    )

    assert response.status_code == 302
    publication = clearing.publications.get()
    assert (publication.scope_label, publication.published_by) == ("所在单位", staff.organisation)
    assert "干部大会通报" in client.get(detail_url(clearing)).content.decode()


def test_no_close_or_clarify_button_that_would_be_refused(client, staff, tree, cadres):
    clearing = concluded(staff.inspector, open_report(staff.inspector, tree, [cadres.in_a]))
    from tolerance.workflow import allowed_clearing_transitions

    names = [t.name for t in allowed_clearing_transitions(staff.inspector, clearing)]
    assert names == ["clarify"]
    founded = concluded(
        staff.inspector, open_report(staff.inspector, tree, [cadres.in_a]), conclusion="founded"
    )
    assert [t.name for t in allowed_clearing_transitions(staff.inspector, founded)] == ["close"]
