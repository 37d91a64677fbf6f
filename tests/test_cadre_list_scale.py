"""What keeps the cadre list fast at province scale, as the user sees it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadre.choices import Role
from cadre.models import Cadre
from cadre.pagination import CappedPaginator
from tests.factories import CadreFactory


def test_one_or_two_characters_match_the_start_of_the_name(tree, make_user):
    CadreFactory(name="张三", unit=tree.township_a1)
    CadreFactory(name="李张", unit=tree.township_a1)
    CadreFactory(name="张三丰", unit=tree.township_a1)
    user = make_user(Role.ORGANISATION, unit=tree.county_a)

    def found(text):
        return set(Cadre.objects.restrict(user).search(text).values_list("name", flat=True))

    assert found("张") == {"张三", "张三丰"}
    assert found("张三") == {"张三", "张三丰"}
    assert found("三丰") == set()
    # Three characters or more match anywhere in the name.
    assert found("张三丰") == {"张三丰"}


def test_capped_paginator_stops_counting_at_the_cap(tree):
    for _ in range(5):
        CadreFactory(unit=tree.township_a1)
    paginator = CappedPaginator(Cadre.objects.order_by("name", "id"), 2, cap=3)
    assert paginator.count == 3
    assert paginator.is_capped
    assert len(paginator.page(1).object_list) == 2

    exact = CappedPaginator(Cadre.objects.order_by("name", "id"), 2, cap=10)
    assert exact.count == 5 and not exact.is_capped


def test_list_says_when_there_are_more_rows_than_counted(
    client, tree, make_user, settings, monkeypatch
):
    monkeypatch.setattr(CappedPaginator, "__init__", _small_cap(CappedPaginator.__init__))
    for _ in range(4):
        CadreFactory(unit=tree.township_a1)
    client.force_login(make_user(Role.ORGANISATION, unit=tree.county_a))
    html = client.get(reverse("cadre:cadre_list")).content.decode()
    assert "超过 3 条，请增加查询条件" in html


def _small_cap(init):
    def patched(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.cap = 3
        self.per_page = 1

    return patched


def test_unit_filter_offers_two_levels_below_the_users_unit(client, tree, make_user):
    client.force_login(make_user(Role.ORGANISATION, unit=tree.province))
    html = client.get(reverse("cadre:cadre_list")).content.decode()
    assert "甲县" in html and "乙县" in html  # two levels below the province
    assert "甲县一镇" not in html  # three levels below: reached from the unit pages

    html = client.get(reverse("cadre:cadre_list"), {"unit": tree.township_a1.pk}).content.decode()
    assert f'<option value="{tree.township_a1.pk}" selected>' in html


def test_the_count_does_not_compute_the_displayed_tag_names(tree):
    for _ in range(3):
        CadreFactory(unit=tree.township_a1)
    shown = Cadre.objects.order_by("name", "id").with_tag_names()
    paginator = CappedPaginator(shown, 2, count_queryset=Cadre.objects.all())
    with CaptureQueriesContext(connection) as captured:
        assert paginator.count == 3
    assert "cadre_cadre_tags" not in captured.captured_queries[0]["sql"]
