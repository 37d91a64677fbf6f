"""Django admin of the core: jurisdiction, writes through services, read-only tables, the
policy-list workflow and the event re-dispatch action."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadre import events, services
from cadre.choices import PolicyStatus, Role
from cadre.models import (
    Cadre,
    CadreViewLog,
    CalendarDay,
    Event,
    EventHandling,
    ImportJob,
    MentoringPair,
    PerformanceEntry,
    PolicyItem,
    PolicyList,
    PostHistory,
    TrainingRecord,
    Unit,
    User,
    UserSession,
)
from tests.factories import CadreFactory, make_id_number


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def grant_cadre_permissions(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="cadre"))
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per object


@pytest.fixture
def staff_org(org_user):
    """An organisation-department user of county A with every permission of the cadre app."""
    return grant_cadre_permissions(org_user)


@pytest.fixture
def staff_client(client, staff_org):
    client.force_login(staff_org)
    return client


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.gov.cn", "Secret-pass-123")


@pytest.fixture
def super_client(client, superuser):
    client.force_login(superuser)
    return client


def cadre_form(unit, **overrides):
    data = {
        "name": "赵六",
        "gender": "F",
        "birth_date": "1990-05-01",
        "ethnicity": "汉族",
        "id_number_input": make_id_number(datetime.date(1990, 5, 1)),
        "staffing_type": "administrative",
        "unit": unit.pk,
        "post": "副镇长",
        "township_years": "0",
        "status": "active",
    }
    data.update(overrides)
    return data


# --- jurisdiction ---------------------------------------------------------------------------


def test_staff_changelist_shows_only_cadres_in_scope(staff_client, cadres):
    response = staff_client.get(admin_url(Cadre))
    html = response.content.decode()
    assert response.status_code == 200
    assert "张三" in html
    assert "李四" not in html
    assert "王五" not in html  # county A does not manage county-level posts


@pytest.mark.parametrize("which", ["in_b", "leader_a"])
def test_staff_cannot_open_an_out_of_scope_cadre(staff_client, cadres, which):
    cadre = getattr(cadres, which)
    response = staff_client.get(admin_url(Cadre, "change", cadre.pk))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    followed = staff_client.get(response.url)
    assert cadre.name not in followed.content.decode()
    assert not CadreViewLog.objects.filter(cadre=cadre).exists()


def test_staff_cannot_change_an_out_of_scope_cadre(staff_client, tree, cadres):
    url = admin_url(Cadre, "change", cadres.in_b.pk)
    response = staff_client.post(url, cadre_form(tree.township_b1, name="改名"))
    assert response.status_code == 302
    cadres.in_b.refresh_from_db()
    assert cadres.in_b.name == "李四"


def test_opening_a_cadre_logs_the_view(staff_client, staff_org, cadres):
    response = staff_client.get(admin_url(Cadre, "change", cadres.in_a.pk))
    assert response.status_code == 200
    assert CadreViewLog.objects.filter(cadre=cadres.in_a, user=staff_org).count() == 1


def test_unit_choices_are_limited_to_the_scope(staff_client, tree, cadres):
    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "cadre", "model_name": "cadre", "field_name": "unit", "term": ""},
    )
    assert response.status_code == 200
    units = {row["text"] for row in response.json()["results"]}
    assert units == {"甲县", "甲县一镇", "甲县发改局"}


def test_records_hanging_off_cadres_are_scoped(staff_client, cadres):
    response = staff_client.get(admin_url(PostHistory))
    html = response.content.decode()
    assert "张三" in html
    assert "李四" not in html


def test_staff_sees_only_users_of_the_scope(staff_client, tree, make_user):
    make_user(Role.ORGANISATION, unit=tree.county_b, username="org_b")
    make_user(Role.ORGANISATION, unit=tree.township_a1, username="org_a1")
    html = staff_client.get(admin_url(User)).content.decode()
    assert "org_a1" in html
    assert "org_b" not in html


def test_discipline_staff_may_look_but_not_add_or_change(client, tree, cadres, make_user):
    user = grant_cadre_permissions(make_user(Role.DISCIPLINE, unit=tree.county_a))
    client.force_login(user)
    assert client.get(admin_url(Cadre)).status_code == 200
    assert client.get(admin_url(Cadre, "add")).status_code == 403
    response = client.post(
        admin_url(Cadre, "change", cadres.in_a.pk), cadre_form(tree.township_a1, name="改名")
    )
    assert response.status_code == 403
    cadres.in_a.refresh_from_db()
    assert cadres.in_a.name == "张三"


# --- cadres are written through the services ------------------------------------------------


def test_adding_a_cadre_goes_through_the_service(staff_client, tree):
    data = cadre_form(tree.township_a1, post_since="2022-03-01")
    response = staff_client.post(admin_url(Cadre, "add"), data)

    assert response.status_code == 302, response.content.decode()[-3000:]
    cadre = Cadre.objects.get(name="赵六")
    assert cadre.id_number == data["id_number_input"]
    history = PostHistory.objects.get(cadre=cadre)
    assert (history.post, history.start_date) == ("副镇长", datetime.date(2022, 3, 1))


def test_adding_a_cadre_with_a_bad_id_number_shows_the_error(staff_client, tree):
    data = cadre_form(tree.township_a1, id_number_input="110101199005010000")
    response = staff_client.post(admin_url(Cadre, "add"), data)
    assert response.status_code == 200
    assert "身份证号码格式或校验位不正确" in response.content.decode()
    assert not Cadre.objects.filter(name="赵六").exists()


def test_adding_a_cadre_out_of_scope_is_refused(staff_client, tree):
    response = staff_client.post(admin_url(Cadre, "add"), cadre_form(tree.township_b1))
    assert response.status_code == 200
    assert not Cadre.objects.filter(name="赵六").exists()


def test_duplicate_id_number_is_reported_not_a_server_error(staff_client, tree, cadres):
    data = cadre_form(tree.township_a1, id_number_input=cadres.in_a.id_number)
    response = staff_client.post(admin_url(Cadre, "add"), data, follow=True)
    assert response.status_code == 200
    assert "该身份证号码已登记在其他干部名下" in response.content.decode()
    assert not Cadre.objects.filter(name="赵六").exists()


def test_changing_the_post_in_admin_records_the_event(staff_client, staff_org, tree, cadres):
    data = cadre_form(
        tree.township_a1, name="张三", post="镇党委书记", id_number_input="", gender="M"
    )
    data["birth_date"] = "1980-01-01"
    response = staff_client.post(admin_url(Cadre, "change", cadres.in_a.pk), data)

    assert response.status_code == 302, response.content.decode()[-3000:]
    event = Event.objects.get(cadre=cadres.in_a, kind="cadre.post_changed")
    assert event.actor == staff_org
    cadres.in_a.refresh_from_db()
    assert cadres.in_a.post == "镇党委书记"
    assert cadres.in_a.id_number  # left blank: unchanged


def test_a_save_the_database_refuses_is_reported_not_a_server_error(staff_client, tree, cadres):
    # The current post-history entry started when the cadre was registered (today).
    data = cadre_form(
        tree.township_a1, name="张三", post="镇党委书记", id_number_input="", gender="M"
    )
    data.update(birth_date="1980-01-01", post_since="2000-01-02")
    response = staff_client.post(admin_url(Cadre, "change", cadres.in_a.pk), data, follow=True)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    cadres.in_a.refresh_from_db()
    assert cadres.in_a.post == "镇长"


def test_discipline_staff_sees_the_id_number_masked(client, tree, cadres, make_user):
    user = grant_cadre_permissions(make_user(Role.DISCIPLINE, unit=tree.county_a))
    client.force_login(user)
    html = client.get(admin_url(Cadre, "change", cadres.in_a.pk)).content.decode()
    number = cadres.in_a.id_number
    assert number not in html
    assert number[:4] + "**********" + number[-4:] in html


# --- units are written through the services ------------------------------------------------


def unit_form(unit, **overrides):
    data = {
        "name": unit.name,
        "code": unit.code,
        "parent": unit.parent_id or "",
        "kind": unit.kind,
        "level": unit.level,
        "region": "",
        "manages_up_to": unit.manages_up_to_id or "",
        "sort_order": "0",
    }
    data.update(overrides)
    return data


def test_adding_a_unit_in_admin_places_it_in_the_tree(staff_client, tree):
    response = staff_client.post(
        admin_url(Unit, "add"),
        unit_form(tree.township_a1, name="甲县二镇", code="CA2", parent=tree.county_a.pk),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    unit = Unit.objects.get(code="CA2")
    assert unit.path == f"{tree.county_a.path}{unit.pk}/"


def test_moving_a_unit_in_admin_moves_its_subtree(super_client, tree, cadres):
    response = super_client.post(
        admin_url(Unit, "change", tree.county_a.pk),
        unit_form(tree.county_a, parent=tree.county_b.pk),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    tree.township_a1.refresh_from_db()
    assert tree.township_a1.path.startswith(tree.county_b.path)
    assert set(
        Cadre.objects.filter(unit__path__startswith=tree.county_b.path).values_list(
            "name", flat=True
        )
    ) == {"张三", "李四", "王五"}


def test_staff_cannot_move_a_unit_out_of_scope(staff_client, tree):
    response = staff_client.post(
        admin_url(Unit, "change", tree.township_a1.pk),
        unit_form(tree.township_a1, parent=tree.county_b.pk),
    )
    assert response.status_code == 200  # the form refuses a parent it does not offer
    tree.township_a1.refresh_from_db()
    assert tree.township_a1.parent == tree.county_a


# --- read-only tables -----------------------------------------------------------------------


def test_performance_entries_are_added_but_never_edited(staff_client, staff_org, cadres):
    response = staff_client.post(
        admin_url(PerformanceEntry, "add"),
        {
            "cadre": cadres.in_a.pk,
            "occurred_on": "2024-06-01",
            "source": "frontline",
            "title": "抗洪抢险",
            "category": "",
            "detail": "",
        },
    )
    assert response.status_code == 302
    entry = PerformanceEntry.objects.get(title="抗洪抢险")
    assert entry.created_by == staff_org

    url = admin_url(PerformanceEntry, "change", entry.pk)
    assert 'name="title"' not in staff_client.get(url).content.decode()
    assert staff_client.post(url, {"title": "改写"}).status_code == 403
    entry.refresh_from_db()
    assert entry.title == "抗洪抢险"


def test_view_logs_and_events_cannot_be_added(super_client):
    for model in (CadreViewLog, Event, EventHandling, ImportJob, UserSession):
        assert super_client.get(admin_url(model, "add")).status_code == 403


# --- every model renders --------------------------------------------------------------------


@pytest.fixture
def one_of_everything(tree, cadres, superuser):
    services.frontline_assignment_create(
        cadre=cadres.in_a,
        kind="urgent",
        task="抗洪抢险",
        is_major_special_task=True,
        start_date=datetime.date(2024, 6, 1),
    )
    TrainingRecord.objects.create(
        cadre=cadres.in_a, title="专题培训", start_date=datetime.date(2024, 1, 1)
    )
    MentoringPair.objects.create(
        mentor=cadres.leader_a,
        mentee=cadres.in_a,
        kind="leader_pair",
        start_date=datetime.date(2024, 1, 1),
    )
    services.performance_entry_append(
        cadre=cadres.in_a, occurred_on=datetime.date(2024, 6, 2), source="other", title="事例"
    )
    services.cadre_view_log(user=superuser, cadre=cadres.in_a)
    services.notify(recipients=[superuser], kind="test", title="通知")
    EventHandling.objects.create(event=Event.objects.first(), handler="tests.handler")
    policy_list = make_policy_list()
    services.policy_list_publish(policy_list=policy_list)
    ImportJob.objects.create(filename="干部.xlsx", content=b"", created_by=superuser)
    UserSession.objects.create(user=superuser, session_key="k" * 40)
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), is_workday=False, note="元旦")


CADRE_ADMINS = [model for model in admin.site._registry if model._meta.app_label == "cadre"]


def test_every_cadre_model_is_registered():
    from django.apps import apps
    from pghistory.models import Event as HistoryEvent

    # The history tables pghistory generates are browsed through pghistory's own admin.
    models = {
        model
        for model in apps.get_app_config("cadre").get_models()
        if not issubclass(model, HistoryEvent)
    }
    # Policy items are edited inside their list, where the draft/published rule applies.
    assert set(CADRE_ADMINS) == models - {PolicyItem}
    assert any(inline.model is PolicyItem for inline in admin.site._registry[PolicyList].inlines)


@pytest.mark.parametrize("model", CADRE_ADMINS, ids=lambda m: m._meta.model_name)
def test_superuser_pages_of_every_model_render(super_client, one_of_everything, model):
    model_admin = admin.site._registry[model]
    changelist = super_client.get(admin_url(model))
    assert changelist.status_code == 200

    obj = model.objects.first()
    assert obj is not None
    assert super_client.get(admin_url(model, "change", obj.pk)).status_code == 200

    add = super_client.get(admin_url(model, "add"))
    expected = 200 if model_admin.has_add_permission(add.wsgi_request) else 403
    assert add.status_code == expected


@pytest.mark.parametrize("model", CADRE_ADMINS, ids=lambda m: m._meta.model_name)
def test_staff_changelist_of_every_model_renders(staff_client, one_of_everything, model):
    assert staff_client.get(admin_url(model)).status_code == 200


def test_cadre_changelist_query_count_is_constant(super_client, tree):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert super_client.get(admin_url(Cadre)).status_code == 200
        return len(ctx.captured_queries)

    CadreFactory(unit=tree.township_a1)
    count_queries()  # the first request of a session also refreshes its expiry
    few = count_queries()
    for _ in range(20):
        CadreFactory(unit=tree.township_a1)
    assert count_queries() == few


# --- policy lists ---------------------------------------------------------------------------


def make_policy_list(kind="test.exclusions", status=PolicyStatus.DRAFT):
    policy_list = PolicyList.objects.create(kind=kind, title="测试清单")
    for order, code in enumerate(["N1", "N2"]):
        PolicyItem.objects.create(
            policy_list=policy_list, code=code, label=f"情形{code}", order=order
        )
    if status != PolicyStatus.DRAFT:
        PolicyList.objects.filter(pk=policy_list.pk).update(status=status)
        policy_list.refresh_from_db()
    return policy_list


def run_action(client, action, *objs):
    return client.post(
        admin_url(PolicyList),
        {"action": action, "_selected_action": [obj.pk for obj in objs]},
        follow=True,
    )


def test_publish_action_publishes_a_draft(super_client, superuser):
    v1 = make_policy_list()
    response = run_action(super_client, "publish", v1)
    assert response.status_code == 200
    v1.refresh_from_db()
    assert v1.status == PolicyStatus.PUBLISHED
    assert v1.published_by == superuser
    assert "已发布" in response.content.decode()


def test_new_version_action_copies_the_items_into_a_draft(super_client):
    v1 = make_policy_list(status=PolicyStatus.PUBLISHED)

    response = run_action(super_client, "new_version", v1)

    assert response.status_code == 200
    v2 = PolicyList.objects.get(kind=v1.kind, version=2)
    assert v2.status == PolicyStatus.DRAFT
    assert v2.based_on == v1
    assert list(v2.items.values_list("code", "label")) == list(
        v1.items.values_list("code", "label")
    )
    assert "已创建草稿" in response.content.decode()


def test_publishing_v2_retires_v1(super_client):
    v1 = make_policy_list(status=PolicyStatus.PUBLISHED)
    v2 = services.policy_list_new_version(base=v1)

    run_action(super_client, "publish", v2)

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (PolicyStatus.RETIRED, PolicyStatus.PUBLISHED)


def test_publishing_an_empty_draft_is_refused_with_a_message(super_client):
    empty = PolicyList.objects.create(kind="test.empty", title="空清单")
    response = run_action(super_client, "publish", empty)
    assert "清单没有任何条目，不能发布" in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == PolicyStatus.DRAFT


def test_items_are_editable_only_while_the_list_is_a_draft(super_client):
    draft = make_policy_list()
    published = make_policy_list(kind="test.other", status=PolicyStatus.PUBLISHED)

    draft_html = super_client.get(admin_url(PolicyList, "change", draft.pk)).content.decode()
    published_html = super_client.get(
        admin_url(PolicyList, "change", published.pk)
    ).content.decode()

    assert 'name="items-0-label"' in draft_html
    assert 'name="items-0-label"' not in published_html
    assert "情形N1" in published_html
    assert 'name="_save"' not in published_html


def test_a_published_list_cannot_be_edited_in_place(super_client):
    published = make_policy_list(status=PolicyStatus.PUBLISHED)
    response = super_client.post(
        admin_url(PolicyList, "change", published.pk),
        {"kind": published.kind, "title": "改名", "source": ""},
    )
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.title == "测试清单"


def test_the_database_refuses_changes_to_items_of_a_published_list(db):
    published = make_policy_list(status=PolicyStatus.PUBLISHED)
    item = published.items.first()

    item.label = "改写"
    with pytest.raises(DatabaseError), transaction.atomic():
        item.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyItem.objects.create(policy_list=published, code="N9", label="新增")
    with pytest.raises(DatabaseError), transaction.atomic():
        item.delete()


def test_staff_cannot_edit_a_list_of_a_unit_above(client, tree, make_user):
    user = grant_cadre_permissions(make_user(Role.ORGANISATION, unit=tree.county_a))
    above = PolicyList.objects.create(kind="test.above", title="市级清单", unit=tree.city)
    own = PolicyList.objects.create(kind="test.own", title="县级清单", unit=tree.county_a)
    other = PolicyList.objects.create(kind="test.other", title="乙县清单", unit=tree.county_b)
    client.force_login(user)

    html = client.get(admin_url(PolicyList)).content.decode()
    assert "市级清单" in html and "县级清单" in html and "乙县清单" not in html
    assert (
        'name="title"' not in client.get(admin_url(PolicyList, "change", above.pk)).content.decode()
    )
    assert 'name="title"' in client.get(admin_url(PolicyList, "change", own.pk)).content.decode()
    assert client.get(admin_url(PolicyList, "change", other.pk)).status_code == 302


# --- events ---------------------------------------------------------------------------------


def test_redispatch_action_runs_the_handlers_that_have_not_run(super_client, cadres, monkeypatch):
    handled = []
    monkeypatch.setitem(
        events._handlers, "test.redispatch", {"tests.handler": lambda e: handled.append(e.pk)}
    )
    event = events.event_record(kind="test.redispatch", cadre=cadres.in_a)

    response = super_client.post(
        admin_url(Event), {"action": "redispatch", "_selected_action": [event.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "已重新分发" in response.content.decode()
    assert handled == [event.pk]
    event.refresh_from_db()
    assert event.dispatched_at is not None

    # A second run finds the handler done and does nothing.
    super_client.post(admin_url(Event), {"action": "redispatch", "_selected_action": [event.pk]})
    assert handled == [event.pk]
    assert EventHandling.objects.filter(event=event, handler="tests.handler").count() == 1


# --- users ----------------------------------------------------------------------------------


def test_superuser_adds_a_user_with_roles(super_client, tree):
    response = super_client.post(
        admin_url(User, "add"),
        {
            "username": "new_org",
            "usable_password": "true",
            "password1": "Another-pass-456",
            "password2": "Another-pass-456",
            "full_name": "新用户",
            "email": "",
            "unit": tree.county_a.pk,
            "roles": [Role.ORGANISATION, Role.COMMITTEE],
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    user = User.objects.get(username="new_org")
    assert user.roles == [Role.ORGANISATION, Role.COMMITTEE]
    assert user.unit == tree.county_a


def test_staff_cannot_appoint_a_system_administrator(staff_client):
    html = staff_client.get(admin_url(User, "add")).content.decode()
    assert 'value="organisation"' in html
    assert 'value="admin"' not in html


def test_a_major_task_added_in_admin_goes_through_the_service(staff_client, cadres):
    from cadre.models import Event, FrontlineAssignment

    response = staff_client.post(
        admin_url(FrontlineAssignment, "add"),
        {
            "cadre": cadres.in_a.pk,
            "kind": "urgent",
            "task": "抗洪抢险",
            "place": "",
            "is_major_special_task": "on",
            "start_date": "2025-07-01",
            "end_date": "",
            "result": "",
        },
    )
    assert response.status_code == 302
    assignment = FrontlineAssignment.objects.get(task="抗洪抢险")
    assert (
        Event.objects.filter(kind="cadre.major_task_assigned", source_id=str(assignment.pk)).count()
        == 1
    )
