"""The REST API of the core: jurisdiction, role limits, validation, writes through services,
filters, pagination, masking, query counts and the schema."""

import datetime

import pytest
from rest_framework.test import APIClient

from cadre.choices import Role
from cadre.crypto import mask_id_number
from cadre.models import Cadre, CadreTag, CadreViewLog, Event, Notification, PostHistory, Unit
from cadre.services import notify, performance_entry_append
from tests.factories import CadreFactory, level, make_id_number

CADRES = "/api/v1/cadres/"
UNITS = "/api/v1/units/"
NOTIFICATIONS = "/api/v1/notifications/"


def cadre_url(cadre):
    return f"{CADRES}{cadre.pk}/"


@pytest.fixture
def api():
    """An API client signed in as the given user."""

    def _login(user):
        client = APIClient()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def org_api(api, org_user):
    return api(org_user)


@pytest.fixture
def discipline_user(tree, make_user):
    return make_user(Role.DISCIPLINE, unit=tree.county_a, username="jw_a")


def names(response):
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def valid_payload(unit, **overrides):
    data = {
        "name": "赵六",
        "gender": "F",
        "birth_date": "1990-05-01",
        "id_number": make_id_number(datetime.date(1990, 5, 1)),
        "staffing_type": "administrative",
        "unit": unit.pk,
        "post": "副镇长",
        "post_level": level("township_deputy").pk,
        "post_since": "2022-03-01",
        "tags": [CadreTag.objects.get(code="young").pk],
    }
    data.update(overrides)
    return data


def is_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --- jurisdiction ---------------------------------------------------------------------------


def test_list_shows_only_cadres_in_scope(org_api, cadres):
    assert names(org_api.get(CADRES)) == {"张三"}


def test_city_user_sees_both_counties_and_their_leaders(api, tree, cadres, make_user):
    city_user = make_user(Role.ORGANISATION, unit=tree.city)
    assert names(api(city_user).get(CADRES)) == {"张三", "李四", "王五"}


@pytest.mark.parametrize("which", ["in_b", "leader_a"])
def test_retrieve_out_of_scope_cadre_is_not_found(org_api, cadres, which):
    response = org_api.get(cadre_url(getattr(cadres, which)))
    assert response.status_code == 404


def test_retrieve_in_scope_cadre_logs_the_view(org_api, org_user, cadres):
    response = org_api.get(cadre_url(cadres.in_a))
    assert response.status_code == 200
    assert response.json()["name"] == "张三"
    assert CadreViewLog.objects.filter(cadre=cadres.in_a, user=org_user).count() == 1


def test_update_out_of_scope_cadre_is_not_found_and_unchanged(org_api, cadres):
    response = org_api.patch(cadre_url(cadres.in_b), {"phone": "13900000000"}, format="json")
    assert response.status_code == 404
    cadres.in_b.refresh_from_db()
    assert cadres.in_b.phone == ""


def test_delete_out_of_scope_cadre_is_not_found(org_api, cadres):
    assert org_api.delete(cadre_url(cadres.in_b)).status_code == 404
    assert Cadre.objects.filter(pk=cadres.in_b.pk).exists()


def test_unit_list_shows_only_the_users_subtree(org_api, tree):
    assert names(org_api.get(UNITS)) == {"甲县", "甲县一镇", "甲县发改局"}


def test_unit_out_of_scope_is_not_found(org_api, tree):
    assert org_api.get(f"{UNITS}{tree.county_b.pk}/").status_code == 404


# --- roles ----------------------------------------------------------------------------------


def test_discipline_user_reads_but_may_not_change_a_cadre_in_scope(api, discipline_user, cadres):
    client = api(discipline_user)
    assert client.get(cadre_url(cadres.in_a)).status_code == 200

    response = client.patch(cadre_url(cadres.in_a), {"phone": "13900000000"}, format="json")

    assert response.status_code == 403
    cadres.in_a.refresh_from_db()
    assert cadres.in_a.phone == ""


def test_discipline_user_may_not_create_or_delete(api, discipline_user, tree, cadres):
    client = api(discipline_user)
    before = Cadre.objects.count()
    assert client.post(CADRES, valid_payload(tree.township_a1), format="json").status_code == 403
    assert client.delete(cadre_url(cadres.in_a)).status_code == 403
    assert Cadre.objects.count() == before


def test_anonymous_requests_are_refused(client, cadres):
    for url in (CADRES, cadre_url(cadres.in_a), UNITS, NOTIFICATIONS):
        assert client.get(url).status_code in (401, 403)
    assert client.post(CADRES, {}, content_type="application/json").status_code in (401, 403)


# --- create and update through the services -------------------------------------------------


def test_create_valid_cadre_answers_201_and_opens_post_history(org_api, tree):
    response = org_api.post(CADRES, valid_payload(tree.township_a1), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    cadre = Cadre.objects.get(pk=body["id"])
    assert body["unit_name"] == "甲县一镇"
    assert body["post_level_name"] == "乡科级副职"
    assert body["tag_names"] == ["年轻干部"]
    assert "id_number" not in body
    history = PostHistory.objects.get(cadre=cadre)
    assert (history.post, history.unit, history.start_date) == (
        "副镇长",
        tree.township_a1,
        datetime.date(2022, 3, 1),
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": None}, "name"),
        ({"id_number": "110101199005010000"}, "id_number"),
        ({"unit": "out_of_scope"}, "unit"),
        ({"birth_date": "1990-05-01", "work_since": "1980-01-01"}, "work_since"),
    ],
    ids=["missing-name", "bad-id-number", "unit-out-of-scope", "work-before-birth"],
)
def test_create_with_bad_data_answers_400_in_chinese_and_writes_nothing(
    org_api, tree, overrides, field
):
    payload = valid_payload(tree.township_a1)
    if overrides.get("unit") == "out_of_scope":
        overrides = {"unit": tree.township_b1.pk}
    for name, value in overrides.items():
        if value is None:
            payload.pop(name)
        else:
            payload[name] = value
    before = Cadre.objects.count()

    response = org_api.post(CADRES, payload, format="json")

    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors
    assert all(is_chinese(message) for message in errors[field])
    assert Cadre.objects.count() == before


def test_create_with_duplicate_id_number_answers_400(org_api, tree, cadres):
    payload = valid_payload(tree.township_a1, id_number=cadres.in_a.id_number)
    response = org_api.post(CADRES, payload, format="json")
    assert response.status_code == 400
    assert response.json()["id_number"] == ["该身份证号码已登记在其他干部名下"]


def test_malformed_json_is_a_400_not_a_500(org_api):
    response = org_api.post(CADRES, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_changing_the_post_records_a_post_changed_event(org_api, org_user, cadres):
    response = org_api.patch(cadre_url(cadres.in_a), {"post": "镇党委书记"}, format="json")

    assert response.status_code == 200, response.content
    event = Event.objects.get(cadre=cadres.in_a, kind="cadre.post_changed")
    assert event.actor == org_user
    assert event.payload["from_post"] == "镇长"
    assert event.payload["to_post"] == "镇党委书记"
    assert PostHistory.objects.filter(cadre=cadres.in_a, post="镇党委书记").exists()


def test_new_post_dated_before_the_current_one_is_refused_not_a_500(org_api, cadres):
    # The current post-history entry started when the cadre was registered (today).
    response = org_api.patch(
        cadre_url(cadres.in_a), {"post": "镇党委书记", "post_since": "2000-01-02"}, format="json"
    )
    assert response.status_code in (400, 409)
    assert is_chinese(str(response.json()))
    assert not Event.objects.filter(cadre=cadres.in_a).exists()


def test_changing_only_the_phone_records_no_event(org_api, cadres):
    response = org_api.patch(cadre_url(cadres.in_a), {"phone": "13900000000"}, format="json")
    assert response.status_code == 200
    assert response.json()["phone"] == "13900000000"
    assert not Event.objects.filter(cadre=cadres.in_a).exists()


def test_moving_a_cadre_out_of_scope_is_refused(org_api, tree, cadres):
    response = org_api.patch(cadre_url(cadres.in_a), {"unit": tree.township_b1.pk}, format="json")
    assert response.status_code == 400
    assert "unit" in response.json()
    cadres.in_a.refresh_from_db()
    assert cadres.in_a.unit == tree.township_a1


def test_organisation_user_deletes_a_cadre_in_scope(org_api, tree):
    cadre = CadreFactory(unit=tree.township_a1)
    assert org_api.delete(cadre_url(cadre)).status_code == 204
    assert not Cadre.objects.filter(pk=cadre.pk).exists()


def test_deleting_a_cadre_with_records_is_refused_with_a_reason(org_api, cadres):
    org_api.patch(cadre_url(cadres.in_a), {"post": "镇党委书记"}, format="json")  # an event
    response = org_api.delete(cadre_url(cadres.in_a))
    assert response.status_code == 400
    assert is_chinese(str(response.json()))
    assert Cadre.objects.filter(pk=cadres.in_a.pk).exists()


def test_create_unit_under_a_parent_in_scope(org_api, tree):
    response = org_api.post(
        UNITS,
        {
            "name": "甲县二镇",
            "code": "CA2",
            "parent": tree.county_a.pk,
            "kind": "township",
            "level": "township",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    unit = Unit.objects.get(code="CA2")
    assert unit.path == f"{tree.county_a.path}{unit.pk}/"
    assert response.json()["parent_name"] == "甲县"


def test_create_unit_under_a_parent_out_of_scope_is_refused(org_api, tree):
    response = org_api.post(
        UNITS,
        {
            "name": "乙县二镇",
            "code": "CB2",
            "parent": tree.county_b.pk,
            "kind": "township",
            "level": "township",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert not Unit.objects.filter(code="CB2").exists()


def test_moving_a_unit_keeps_its_subtree(api, tree, make_user):
    city_user = make_user(Role.ORGANISATION, unit=tree.city)
    response = api(city_user).patch(
        f"{UNITS}{tree.township_a1.pk}/", {"parent": tree.county_b.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    tree.township_a1.refresh_from_db()
    assert tree.township_a1.path.startswith(tree.county_b.path)


# --- filters and pagination -----------------------------------------------------------------


@pytest.fixture
def city_api(api, tree, make_user):
    return api(make_user(Role.ORGANISATION, unit=tree.city))


def test_filter_by_unit_includes_its_subtree(city_api, tree, cadres):
    assert names(city_api.get(CADRES, {"unit": tree.county_a.pk})) == {"张三", "王五"}


def test_filter_by_post_level(city_api, cadres):
    response = city_api.get(CADRES, {"post_level": level("county_chief").pk})
    assert names(response) == {"王五"}


def test_search_by_part_of_the_name(city_api, cadres):
    assert names(city_api.get(CADRES, {"q": "李"})) == {"李四"}


def test_search_by_full_id_number(city_api, cadres):
    assert names(city_api.get(CADRES, {"q": cadres.in_b.id_number})) == {"李四"}


def test_unit_filter_within(org_api, tree):
    assert names(org_api.get(UNITS, {"within": tree.township_a1.pk})) == {"甲县一镇"}


def test_cursor_pagination_walks_every_cadre_once(org_api, tree):
    created = {CadreFactory(unit=tree.township_a1).name for _ in range(5)}

    first = org_api.get(CADRES, {"page_size": 2}).json()
    seen = [row["name"] for row in first["results"]]
    next_url = first["next"]
    assert next_url and "cursor=" in next_url
    while next_url:
        page = org_api.get(next_url).json()
        seen += [row["name"] for row in page["results"]]
        next_url = page["next"]

    assert len(seen) == len(set(seen)) == 5
    assert set(seen) == created


def test_cursor_pagination_in_name_order_walks_namesakes_once(org_api, tree):
    ids = {CadreFactory(unit=tree.township_a1, name="王伟").pk for _ in range(5)}
    ids.add(CadreFactory(unit=tree.township_a1, name="安宁").pk)

    first = org_api.get(CADRES, {"page_size": 2}).json()
    rows = first["results"]
    next_url = first["next"]
    while next_url:
        page = org_api.get(next_url).json()
        rows += page["results"]
        next_url = page["next"]

    assert sorted(row["id"] for row in rows) == sorted(ids)  # each once, none lost
    assert [(row["name"], row["id"]) for row in rows] == sorted(
        (row["name"], row["id"]) for row in rows
    )


# --- sensitive fields -----------------------------------------------------------------------


def test_id_number_is_masked_for_discipline_and_whole_for_organisation(
    api, org_api, discipline_user, cadres
):
    number = cadres.in_a.id_number

    whole = org_api.get(cadre_url(cadres.in_a)).json()["id_number_display"]
    masked = api(discipline_user).get(cadre_url(cadres.in_a)).json()["id_number_display"]
    listed = api(discipline_user).get(CADRES).json()["results"][0]

    assert whole == number
    assert masked == mask_id_number(number)
    # Lists never carry ID numbers: the file is read one cadre at a time, and logged.
    assert "id_number_display" not in listed
    assert number not in str(api(discipline_user).get(CADRES).content)


# --- query counts ---------------------------------------------------------------------------

LIST_QUERY_BOUND = 7


@pytest.mark.parametrize("count", [1, 10, 100])
def test_cadre_list_query_count_is_constant(org_api, tree, count, django_assert_max_num_queries):
    tags = list(CadreTag.objects.all()[:2])
    for _ in range(count):
        cadre = CadreFactory(unit=tree.township_a1, post_level=level("township_deputy"))
        cadre.tags.set(tags)

    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = org_api.get(CADRES, {"page_size": 100})

    assert len(response.json()["results"]) == count
    assert response.json()["results"][0]["tag_names"]


# --- performance record ---------------------------------------------------------------------


def test_performance_record_of_a_cadre_in_scope(org_api, cadres):
    for day in (1, 2, 3):
        performance_entry_append(
            cadre=cadres.in_a,
            occurred_on=datetime.date(2024, 1, day),
            source="frontline",
            title=f"防汛第{day}天",
        )

    page = org_api.get(f"{cadre_url(cadres.in_a)}performance/", {"page_size": 2}).json()

    assert [row["title"] for row in page["results"]] == ["防汛第3天", "防汛第2天"]
    assert page["next"]
    assert "performance_entries" not in org_api.get(CADRES).json()["results"][0]


def test_performance_record_out_of_scope_is_not_found(org_api, cadres):
    assert org_api.get(f"{cadre_url(cadres.in_b)}performance/").status_code == 404


# --- notifications --------------------------------------------------------------------------


def test_notifications_are_the_users_own_and_can_be_marked_read(api, org_user, discipline_user):
    mine = notify(recipients=[org_user], kind="test", title="给我的")
    notify(recipients=[org_user], kind="test", title="也是给我的")
    notify(recipients=[discipline_user], kind="test", title="别人的")
    client = api(org_user)

    assert names_of(client.get(NOTIFICATIONS)) == {"给我的", "也是给我的"}
    others = Notification.objects.get(title="别人的")
    assert client.get(f"{NOTIFICATIONS}{others.pk}/").status_code == 404

    response = client.post(
        f"{NOTIFICATIONS}mark-read/", {"ids": [mine[0].pk, others.pk]}, format="json"
    )
    assert response.json() == {"marked": 1}
    assert Notification.objects.filter(read_at__isnull=True).count() == 2

    response = client.post(f"{NOTIFICATIONS}mark-read/", {}, format="json")
    assert response.json() == {"marked": 1}
    assert not Notification.objects.filter(recipient=org_user, read_at__isnull=True).exists()


def test_mark_read_with_bad_ids_is_a_400(org_api):
    response = org_api.post(f"{NOTIFICATIONS}mark-read/", {"ids": ["x"]}, format="json")
    assert response.status_code == 400
    assert "ids" in response.json()


def names_of(response):
    assert response.status_code == 200
    return {row["title"] for row in response.json()["results"]}


# --- schema and docs ------------------------------------------------------------------------


def test_schema_needs_a_signed_in_user(client, db):
    assert client.get("/api/schema/").status_code in (401, 403)


def test_schema_is_served(client, org_user):
    client.force_login(org_user)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/cadres/" in response.content


def test_docs_page_uses_vendored_sidecar_assets(client, org_user):
    client.force_login(org_user)
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"):
        assert cdn not in html
