"""The staff pages of the cadre registry, as a user of each role meets them."""

import datetime
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from cadre.choices import Role
from cadre.crypto import mask_id_number
from cadre.models import Cadre, CadreTag, CadreViewLog, Notification, PostHistory, Rank
from tests.conftest import PASSWORD
from tests.factories import CadreFactory, level, make_id_number

LIST_URL = reverse("cadre:cadre_list")


def detail_url(cadre):
    return reverse("cadre:cadre_detail", args=[cadre.pk])


def edit_url(cadre):
    return reverse("cadre:cadre_update", args=[cadre.pk])


def delete_url(cadre):
    return reverse("cadre:cadre_delete", args=[cadre.pk])


def form_data(cadre, **changes):
    """What the edit form posts back for `cadre` when the user changes nothing else."""
    data = {
        "name": cadre.name,
        "gender": cadre.gender,
        "birth_date": cadre.birth_date.isoformat(),
        "ethnicity": cadre.ethnicity,
        "id_number": "",
        "staffing_type": cadre.staffing_type,
        "unit": cadre.unit_id,
        "post": cadre.post,
        "post_level": cadre.post_level_id or "",
        "rank": cadre.rank_id or "",
        "township_years": str(cadre.township_years),
        "status": cadre.status,
        "phone": cadre.phone,
    }
    data.update(changes)
    return data


def logged_in(client, user):
    client.force_login(user)
    return client


# --- unit tree ------------------------------------------------------------------------------


def test_unit_tree_shows_the_users_subtree_with_cadre_counts(org_client, tree, cadres):
    response = org_client.get(reverse("cadre:unit_tree"))

    page = response.content.decode()
    assert "甲县一镇" in page and "甲县发改局" in page
    assert "乙县" not in page
    # 张三 is the only cadre county A manages: 王五 is above its level.
    assert "（1 / 1）" in page
    assert reverse("cadre:unit_detail", args=[tree.township_a1.pk]) in page


def test_unit_detail_lists_children_and_links_to_its_cadres(org_client, tree, cadres):
    response = org_client.get(reverse("cadre:unit_detail", args=[tree.county_a.pk]))

    page = response.content.decode()
    assert "甲县一镇" in page and "甲县发改局" in page
    assert f"{LIST_URL}?unit={tree.county_a.pk}" in page


def test_unit_outside_the_jurisdiction_is_not_found(org_client, tree):
    response = org_client.get(reverse("cadre:unit_detail", args=[tree.county_b.pk]))

    assert response.status_code == 404


# --- cadre list -----------------------------------------------------------------------------


def test_list_shows_only_cadres_in_scope(org_client, cadres):
    response = org_client.get(LIST_URL)

    page = response.content.decode()
    assert "张三" in page
    assert "李四" not in page  # another county
    assert "王五" not in page  # above the level county A manages


def test_list_does_not_show_id_numbers(org_client, cadres):
    response = org_client.get(LIST_URL)

    page = response.content.decode()
    assert cadres.in_a.id_number not in page
    assert mask_id_number(cadres.in_a.id_number) not in page


def test_search_by_name(org_client, tree, cadres):
    CadreFactory(name="赵六", unit=tree.township_a1)

    page = org_client.get(LIST_URL, {"q": "张"}).content.decode()

    assert "张三" in page and "赵六" not in page


def test_search_by_full_id_number(org_client, tree, cadres):
    CadreFactory(name="赵六", unit=tree.township_a1)

    page = org_client.get(LIST_URL, {"q": cadres.in_a.id_number}).content.decode()

    assert "张三" in page and "赵六" not in page


def test_filter_by_unit_includes_its_subtree(org_client, tree, cadres):
    CadreFactory(name="钱七", unit=tree.dept_a)

    township = org_client.get(LIST_URL, {"unit": tree.township_a1.pk}).content.decode()
    county = org_client.get(LIST_URL, {"unit": tree.county_a.pk}).content.decode()

    assert "张三" in township and "钱七" not in township
    assert "张三" in county and "钱七" in county


def test_filter_by_tag(org_client, tree, cadres):
    young = CadreTag.objects.get(code="young")
    CadreFactory(name="赵六", unit=tree.township_a1, tags=[young])

    page = org_client.get(LIST_URL, {"tag": young.pk}).content.decode()

    assert "赵六" in page and "张三" not in page


def test_every_filter_offers_all_as_its_empty_choice(org_client, cadres):
    page = org_client.get(LIST_URL).content.decode()

    assert page.count(">全部</option>") == 6  # the unit filter and the five others
    assert "---------" not in page


def test_empty_state_when_no_cadre_is_in_scope(client, tree, make_user):
    user = make_user(Role.ORGANISATION, unit=tree.dept_a)

    page = logged_in(client, user).get(LIST_URL).content.decode()

    assert "您的管理范围内还没有干部" in page


def test_empty_state_when_nothing_matches(org_client, cadres):
    page = org_client.get(LIST_URL, {"q": "查无此人"}).content.decode()

    assert "没有符合条件的干部" in page


def test_list_is_paginated_by_50(org_client, tree):
    CadreFactory.create_batch(51, unit=tree.township_a1)

    first = org_client.get(LIST_URL)
    second = org_client.get(LIST_URL, {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 1
    assert "第 1 / 2 页" in first.content.decode()


@pytest.mark.parametrize("count", [1, 10, 100])
def test_list_query_count_does_not_grow_with_rows(
    org_client, tree, count, django_assert_max_num_queries
):
    tags = list(CadreTag.objects.all()[:2])
    rank = Rank.objects.first()
    CadreFactory.create_batch(
        count,
        unit=tree.township_a1,
        post_level=level("township_deputy"),
        rank=rank,
        tags=tags,
    )

    with django_assert_max_num_queries(13):
        response = org_client.get(LIST_URL)

    assert len(response.context["page"].object_list) == min(count, 50)


def test_import_button_only_for_roles_that_may_import(client, tree, make_user, org_client):
    discipline = make_user(Role.DISCIPLINE, unit=tree.county_a)
    import_url = reverse("cadre:import_start")

    assert import_url in org_client.get(LIST_URL).content.decode()
    assert import_url not in logged_in(client, discipline).get(LIST_URL).content.decode()


def test_pages_require_login(client, cadres):
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- cadre file -----------------------------------------------------------------------------


def test_detail_shows_the_cadres_file(org_client, cadres):
    response = org_client.get(detail_url(cadres.in_a))

    page = response.content.decode()
    assert response.status_code == 200
    assert "张三" in page and "镇长" in page and "甲县一镇" in page
    assert "任职经历" in page and "实绩档案" in page and "变更记录" in page


@pytest.mark.parametrize("which", ["in_b", "leader_a"])
def test_cadre_outside_the_jurisdiction_is_not_found(org_client, cadres, which):
    cadre = getattr(cadres, which)

    for url in (detail_url(cadre), edit_url(cadre), delete_url(cadre)):
        assert org_client.get(url).status_code == 404
    assert org_client.post(delete_url(cadre)).status_code == 404
    assert Cadre.objects.filter(pk=cadre.pk).exists()


def test_full_id_number_for_organisation_masked_for_discipline(client, tree, cadres, make_user):
    number = cadres.in_a.id_number
    organisation = make_user(Role.ORGANISATION, unit=tree.county_a)
    discipline = make_user(Role.DISCIPLINE, unit=tree.county_a)

    org_page = logged_in(client, organisation).get(detail_url(cadres.in_a)).content.decode()
    discipline_page = logged_in(client, discipline).get(detail_url(cadres.in_a)).content.decode()

    assert number in org_page
    assert number not in discipline_page
    assert mask_id_number(number) in discipline_page


def test_each_view_of_a_file_is_logged(org_client, org_user, cadres):
    org_client.get(detail_url(cadres.in_a), REMOTE_ADDR="10.1.2.3")

    log = CadreViewLog.objects.get(cadre=cadres.in_a)
    assert log.user == org_user
    assert log.path == detail_url(cadres.in_a)
    assert log.ip_address == "10.1.2.3"


def test_detail_query_count_is_bounded(org_client, cadres, django_assert_max_num_queries):
    with django_assert_max_num_queries(18):
        org_client.get(detail_url(cadres.in_a))


def test_edit_and_delete_buttons_only_for_roles_that_may(client, tree, cadres, make_user):
    auditor = make_user(Role.AUDITOR, unit=tree.county_a)

    page = logged_in(client, auditor).get(detail_url(cadres.in_a)).content.decode()

    assert edit_url(cadres.in_a) not in page
    assert delete_url(cadres.in_a) not in page


def test_role_without_the_right_is_refused_in_scope(client, tree, cadres, make_user):
    auditor = logged_in(client, make_user(Role.AUDITOR, unit=tree.county_a))

    assert auditor.get(edit_url(cadres.in_a)).status_code == 403
    assert auditor.post(edit_url(cadres.in_a), form_data(cadres.in_a)).status_code == 403
    assert auditor.get(delete_url(cadres.in_a)).status_code == 403
    assert auditor.post(delete_url(cadres.in_a)).status_code == 403
    assert auditor.get(reverse("cadre:cadre_create")).status_code == 403
    assert Cadre.objects.filter(pk=cadres.in_a.pk).exists()


def test_history_names_the_changed_fields_and_who_changed_them(org_client, org_user, cadres):
    org_client.post(edit_url(cadres.in_a), form_data(cadres.in_a, post="副镇长"))

    response = org_client.get(detail_url(cadres.in_a))

    history = response.content.decode().split('data-testid="history"')[1]
    assert "现任职务" in history
    assert "镇长 → 副镇长" in history
    assert str(org_user) in history


def test_history_never_shows_the_id_number(org_client, cadres):
    new_number = make_id_number()
    org_client.post(edit_url(cadres.in_a), form_data(cadres.in_a, id_number=new_number))

    page = org_client.get(detail_url(cadres.in_a)).content.decode()

    history = page.split('data-testid="history"')[1]
    assert "身份证号已变更" in history
    assert new_number not in history
    assert Cadre.objects.get(pk=cadres.in_a.pk).id_number_cipher not in history


# --- create and edit ------------------------------------------------------------------------


def test_edit_with_invalid_data_shows_chinese_field_errors_and_saves_nothing(org_client, cadres):
    response = org_client.post(
        edit_url(cadres.in_a), form_data(cadres.in_a, name="", birth_date="1980-13-45", post="")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "此项为必填项" in page
    assert "请输入有效日期" in page
    assert response.context["form"].errors.keys() >= {"name", "birth_date", "post"}
    cadre = Cadre.objects.get(pk=cadres.in_a.pk)
    assert (cadre.name, cadre.post) == ("张三", "镇长")


def test_bad_id_number_from_the_service_shows_on_its_field(org_client, cadres):
    valid = make_id_number()
    wrong_check = valid[:17] + ("1" if valid[17] == "0" else "0")

    response = org_client.post(
        edit_url(cadres.in_a), form_data(cadres.in_a, id_number=wrong_check, phone="1")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == ["身份证号码格式或校验位不正确"]
    # What the user typed is kept for correction; nothing was saved.
    assert 'value="1"' in response.content.decode()
    assert Cadre.objects.get(pk=cadres.in_a.pk).phone == ""


def test_id_number_of_another_cadre_is_refused(org_client, tree, cadres):
    other = CadreFactory(unit=tree.township_a1)

    response = org_client.post(
        edit_url(cadres.in_a), form_data(cadres.in_a, id_number=other.id_number)
    )

    assert response.context["form"].errors["id_number"] == ["该身份证号码已登记在其他干部名下"]


def test_date_rule_of_the_model_shows_on_its_field(org_client, cadres):
    response = org_client.post(
        edit_url(cadres.in_a), form_data(cadres.in_a, work_since="1970-01-01")
    )

    assert response.context["form"].errors["work_since"] == ["参加工作时间不能早于出生日期"]


def test_unit_outside_the_jurisdiction_cannot_be_chosen(org_client, tree, cadres):
    response = org_client.post(
        edit_url(cadres.in_a), form_data(cadres.in_a, unit=tree.township_b1.pk)
    )

    assert "unit" in response.context["form"].errors
    assert Cadre.objects.get(pk=cadres.in_a.pk).unit == tree.township_a1


def test_edit_saves_and_a_post_change_adds_a_post_history_row(org_client, tree, cadres):
    before = PostHistory.objects.filter(cadre=cadres.in_a).count()

    response = org_client.post(
        edit_url(cadres.in_a),
        form_data(cadres.in_a, post="镇党委书记", unit=tree.dept_a.pk),
        follow=True,
    )

    cadre = Cadre.objects.get(pk=cadres.in_a.pk)
    assert (cadre.post, cadre.unit) == ("镇党委书记", tree.dept_a)
    history = list(PostHistory.objects.filter(cadre=cadre))
    assert len(history) == before + 1
    assert history[0].post == "镇党委书记" and history[0].end_date is None
    assert history[1].post == "镇长" and history[1].end_date == timezone.localdate()
    assert response.redirect_chain[-1][0] == detail_url(cadre)
    assert "已保存" in response.content.decode()


def test_edit_leaving_the_id_number_blank_keeps_it(org_client, cadres):
    number = cadres.in_a.id_number

    org_client.post(edit_url(cadres.in_a), form_data(cadres.in_a, id_number="", phone="138"))

    cadre = Cadre.objects.get(pk=cadres.in_a.pk)
    assert cadre.phone == "138"
    assert cadre.id_number == number


def test_create_a_cadre(org_client, tree):
    young = CadreTag.objects.get(code="young")
    number = make_id_number(datetime.date(1990, 5, 1))

    response = org_client.post(
        reverse("cadre:cadre_create"),
        {
            "name": "孙八",
            "gender": "F",
            "birth_date": "1990-05-01",
            "ethnicity": "汉族",
            "id_number": number,
            "staffing_type": "administrative",
            "unit": tree.township_a1.pk,
            "post": "副镇长",
            "post_level": level("township_deputy").pk,
            "township_years": "3.5",
            "status": "active",
            "tags": [young.pk],
        },
    )

    cadre = Cadre.objects.get(name="孙八")
    assert response.status_code == 302 and response.url == detail_url(cadre)
    assert cadre.id_number == number
    assert list(cadre.tags.all()) == [young]
    assert cadre.post_history.count() == 1


# --- delete ---------------------------------------------------------------------------------


def test_delete_asks_for_confirmation_then_deletes(org_client, cadres):
    confirm = org_client.get(delete_url(cadres.in_a))

    assert confirm.status_code == 200
    assert "确认删除" in confirm.content.decode() and "data-confirm" in confirm.content.decode()
    assert Cadre.objects.filter(pk=cadres.in_a.pk).exists()

    response = org_client.post(delete_url(cadres.in_a), follow=True)

    assert not Cadre.objects.filter(pk=cadres.in_a.pk).exists()
    assert response.redirect_chain[-1][0] == LIST_URL
    assert "已删除干部“张三”" in response.content.decode()


def test_delete_page_refuses_other_methods(org_client, cadres):
    assert org_client.put(delete_url(cadres.in_a)).status_code == 405


# --- export ---------------------------------------------------------------------------------


def read_export(response):
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_export_is_an_xlsx_of_the_cadres_in_scope(org_client, cadres):
    response = org_client.get(reverse("cadre:cadre_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("干部名册-") in disposition
    rows = read_export(response)
    assert [row["姓名"] for row in rows] == ["张三"]
    assert rows[0]["身份证号"] == cadres.in_a.id_number
    assert rows[0]["单位"] == "甲县一镇"


def test_export_keeps_the_filters_of_the_list(org_client, tree, cadres):
    CadreFactory(name="钱七", unit=tree.dept_a)

    page = org_client.get(LIST_URL, {"unit": tree.dept_a.pk}).content.decode()
    export = org_client.get(reverse("cadre:cadre_export"), {"unit": tree.dept_a.pk})

    assert f"{reverse('cadre:cadre_export')}?unit={tree.dept_a.pk}" in page
    assert [row["姓名"] for row in read_export(export)] == ["钱七"]


def test_export_masks_id_numbers_for_roles_without_sensitive_access(
    client, tree, cadres, make_user
):
    discipline = make_user(Role.DISCIPLINE, unit=tree.county_a)

    response = logged_in(client, discipline).get(reverse("cadre:cadre_export"))

    (row,) = read_export(response)
    assert row["身份证号"] == mask_id_number(cadres.in_a.id_number)


def test_export_is_refused_to_roles_that_may_not_export(client, tree, cadres, make_user):
    leader = make_user(Role.UNIT_LEADER, unit=tree.county_a)

    response = logged_in(client, leader).get(reverse("cadre:cadre_export"))

    assert response.status_code == 403
    assert reverse("cadre:cadre_export") not in client.get(LIST_URL).content.decode()


# --- notifications --------------------------------------------------------------------------


def test_inbox_highlights_unread_and_marks_all_read(org_client, org_user, make_user):
    Notification.objects.create(recipient=org_user, kind="test", title="谈话提醒")
    Notification.objects.create(recipient=make_user(), kind="test", title="别人的通知")

    page = org_client.get(reverse("cadre:notifications")).content.decode()

    assert "谈话提醒" in page and "别人的通知" not in page
    assert 'class="unread"' in page and "全部标为已读" in page

    org_client.post(reverse("cadre:notification_read"))

    assert not Notification.objects.filter(recipient=org_user, read_at__isnull=True).exists()
    assert 'class="unread"' not in org_client.get(reverse("cadre:notifications")).content.decode()


def test_mark_one_notification_read(org_client, org_user):
    first = Notification.objects.create(recipient=org_user, kind="test", title="一")
    second = Notification.objects.create(recipient=org_user, kind="test", title="二")

    org_client.post(reverse("cadre:notification_read"), {"id": first.pk})

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_mark_read_is_post_only(org_client):
    assert org_client.get(reverse("cadre:notification_read")).status_code == 405


def test_notification_links_outside_the_site_are_not_rendered(org_client, org_user):
    Notification.objects.create(
        recipient=org_user, kind="test", title="可疑", link="javascript:alert(1)"
    )

    page = org_client.get(reverse("cadre:notifications")).content.decode()

    assert "javascript:alert" not in page


# --- sign in --------------------------------------------------------------------------------


def test_login_page_is_in_chinese_and_signs_in(client, org_user):
    page = client.get(reverse("login")).content.decode()
    assert "用户名" in page and "密码" in page

    response = client.post(reverse("login"), {"username": "org_a", "password": PASSWORD})

    assert response.status_code == 302


def test_account_is_locked_after_five_failures(client, org_user):
    for _attempt in range(5):
        client.post(reverse("login"), {"username": "org_a", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "org_a", "password": PASSWORD})

    page = response.content.decode()
    assert "账户已被锁定" in page and "30 分钟" in page
    assert "_auth_user_id" not in client.session


def test_detail_shows_an_earlier_post_held_outside_the_registry(org_client, cadres):
    # Posts held before the cadre came into the registry have a unit name but no unit row.
    PostHistory.objects.create(
        cadre=cadres.in_a,
        unit=None,
        unit_name="外省某局",
        post="科员",
        start_date=datetime.date(2005, 7, 1),
        end_date=datetime.date(2010, 1, 1),
    )
    response = org_client.get(detail_url(cadres.in_a))
    assert response.status_code == 200
    assert "外省某局" in response.content.decode()


def test_unit_tree_lists_siblings_in_their_set_order(client, tree, make_user):
    from cadre.models import Unit

    Unit.objects.filter(pk=tree.county_a.pk).update(sort_order=2)
    Unit.objects.filter(pk=tree.county_b.pk).update(sort_order=1)
    client.force_login(make_user(Role.ORGANISATION, unit=tree.city))
    html = client.get(reverse("cadre:unit_tree")).content.decode()
    assert html.index("乙县") < html.index("甲县")


def test_the_file_links_to_the_other_apps_pages_about_the_cadre_as_the_role_allows(
    client, org_client, tree, cadres, make_user
):
    # The organisation department follows every page the apps offer about the cadre.
    body = org_client.get(detail_url(cadres.in_a)).content.decode()
    for url_name in (
        "assessment:cadre_history",
        "incentives:rank_cadre",
        "incentives:appointment_form",
        "care:health_record",
    ):
        assert reverse(url_name, args=[cadres.in_a.pk]) in body
        # ... and each page opens for it.
        assert org_client.get(reverse(url_name, args=[cadres.in_a.pk])).status_code == 200

    # A discipline inspector reads the file and the rank check, but neither the appointment
    # form (organisation only) nor the health record (care is none of its business).
    inspector = make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw_links")
    client.force_login(inspector)
    body = client.get(detail_url(cadres.in_a)).content.decode()
    assert reverse("incentives:rank_cadre", args=[cadres.in_a.pk]) in body
    assert reverse("incentives:appointment_form", args=[cadres.in_a.pk]) not in body
    assert reverse("care:health_record", args=[cadres.in_a.pk]) not in body
