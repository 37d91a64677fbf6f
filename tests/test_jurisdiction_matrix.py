"""Every role × list/detail/update/export × in-scope/out-of-scope object, on the pages and the
API. In scope and allowed → 200; in scope but not allowed for the role → 403; out of scope →
404 (or absent from lists and exports): an out-of-scope object never leaks."""

import io

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cadre.choices import Role

WRITERS = {Role.ORGANISATION, Role.ADMIN}
EXPORTERS = {Role.ORGANISATION, Role.ADMIN, Role.DISCIPLINE, Role.COMMITTEE, Role.AUDITOR}
ALL_ROLES = [r.value for r in Role]


@pytest.fixture(params=ALL_ROLES)
def actor(request, tree, cadres, make_user):
    role = request.param
    if role == Role.CADRE:
        user = make_user(role, unit=tree.township_a1, cadre=cadres.in_a)
    else:
        user = make_user(role, unit=tree.county_a)
    return role, user


def _page_client(client, user):
    client.force_login(user)
    return client


def test_list_page(client, actor, cadres):
    role, user = actor
    response = _page_client(client, user).get(reverse("cadre:cadre_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert cadres.in_a.name in html
    assert cadres.in_b.name not in html
    assert cadres.leader_a.name not in html  # above county A's management level


def test_detail_page(client, actor, cadres):
    role, user = actor
    c = _page_client(client, user)
    assert c.get(reverse("cadre:cadre_detail", args=[cadres.in_a.pk])).status_code == 200
    assert c.get(reverse("cadre:cadre_detail", args=[cadres.in_b.pk])).status_code == 404
    assert c.get(reverse("cadre:cadre_detail", args=[cadres.leader_a.pk])).status_code == 404


def test_update_page(client, actor, cadres):
    role, user = actor
    c = _page_client(client, user)
    expected = 200 if role in WRITERS else 403
    assert c.get(reverse("cadre:cadre_update", args=[cadres.in_a.pk])).status_code == expected
    assert c.get(reverse("cadre:cadre_update", args=[cadres.in_b.pk])).status_code == 404


def test_export(client, actor, cadres):
    role, user = actor
    response = _page_client(client, user).get(reverse("cadre:cadre_export"))
    if role not in EXPORTERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    names = {cell.value for row in book.active.iter_rows() for cell in row}
    assert cadres.in_a.name in names
    assert cadres.in_b.name not in names
    assert cadres.leader_a.name not in names


def test_api_list_detail_update(actor, cadres):
    role, user = actor
    api = APIClient()
    api.force_authenticate(user)
    listed = api.get("/api/v1/cadres/")
    assert listed.status_code == 200
    names = {row["name"] for row in listed.json()["results"]}
    assert cadres.in_a.name in names and cadres.in_b.name not in names

    assert api.get(f"/api/v1/cadres/{cadres.in_a.pk}/").status_code == 200
    assert api.get(f"/api/v1/cadres/{cadres.in_b.pk}/").status_code == 404

    patch_in = api.patch(
        f"/api/v1/cadres/{cadres.in_a.pk}/", {"phone": "13900000000"}, format="json"
    )
    assert patch_in.status_code == (200 if role in WRITERS else 403)
    patch_out = api.patch(
        f"/api/v1/cadres/{cadres.in_b.pk}/", {"phone": "13900000000"}, format="json"
    )
    assert patch_out.status_code == 404
    cadres.in_b.refresh_from_db()
    assert cadres.in_b.phone != "13900000000"
