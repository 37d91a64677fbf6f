"""Versioned policy lists scoped to a jurisdiction: the nearest published list up the unit tree
applies, a published version is frozen, and decisions keep the version they used."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from cadre.choices import PolicyStatus
from cadre.models import PolicyItem, PolicyList
from cadre.selectors import policy_items, policy_list_for
from cadre.services import policy_list_new_version, policy_list_publish

pytestmark = pytest.mark.django_db

KIND = "test.triggers"


def make_list(*codes, unit=None, kind=KIND, title="测试清单", publish=True):
    """A first version of a list with the given item codes, published unless told not to."""
    policy_list = PolicyList.objects.create(kind=kind, title=title, unit=unit, version=1)
    for order, code in enumerate(codes):
        PolicyItem.objects.create(
            policy_list=policy_list, code=code, label=f"条目{code}", order=order
        )
    if publish:
        policy_list = policy_list_publish(policy_list=policy_list)
    return policy_list


def codes_at(unit):
    _list, items = policy_items(KIND, unit)
    return [item.code for item in items]


def test_nationwide_default_applies_everywhere_without_a_local_list(tree):
    nationwide = make_list("C1", "C2")

    for unit in (tree.province, tree.county_a, tree.township_b1, None):
        assert policy_list_for(KIND, unit) == nationwide
    assert codes_at(tree.township_a1) == ["C1", "C2"]


def test_no_published_list_means_none(tree):
    make_list("C1", publish=False)

    assert policy_list_for(KIND, tree.county_a) is None
    assert policy_items(KIND, tree.county_a) == (None, [])


def test_county_refined_list_applies_in_its_subtree_only(tree):
    nationwide = make_list("C1", "C2")
    draft = policy_list_new_version(base=nationwide, unit=tree.county_a, title="甲县细化清单")
    PolicyItem.objects.create(policy_list=draft, code="A1", label="甲县补充情形", order=9)
    refined = policy_list_publish(policy_list=draft)

    assert policy_list_for(KIND, tree.county_a) == refined
    assert policy_list_for(KIND, tree.township_a1) == refined
    assert policy_list_for(KIND, tree.dept_a) == refined
    assert codes_at(tree.township_a1) == ["C1", "C2", "A1"]
    # The other county and the levels above keep the nationwide default.
    assert policy_list_for(KIND, tree.county_b) == nationwide
    assert policy_list_for(KIND, tree.township_b1) == nationwide
    assert policy_list_for(KIND, tree.city) == nationwide


def test_nearest_list_up_the_tree_wins(tree):
    make_list("N1")
    city_list = make_list("CITY1", unit=tree.city)
    county_list = make_list("CA1", unit=tree.county_a)

    assert policy_list_for(KIND, tree.township_a1) == county_list
    assert policy_list_for(KIND, tree.county_a) == county_list
    assert policy_list_for(KIND, tree.township_b1) == city_list
    assert policy_list_for(KIND, tree.city) == city_list


def test_a_draft_never_applies(tree):
    nationwide = make_list("C1")
    draft = policy_list_new_version(base=nationwide, unit=tree.county_a)

    assert draft.status == PolicyStatus.DRAFT
    assert policy_list_for(KIND, tree.township_a1) == nationwide


def test_lists_of_another_kind_do_not_apply(tree):
    make_list("X1", kind="test.other", unit=tree.county_a)
    nationwide = make_list("C1")

    assert policy_list_for(KIND, tree.township_a1) == nationwide


def test_publishing_v2_retires_v1_and_v1_keeps_its_items(tree):
    v1 = make_list("C1", "C2", unit=tree.county_a)
    # A decision made under v1 keeps a reference to it.
    decided_under = PolicyList.objects.get(pk=v1.pk)

    draft = policy_list_new_version(base=v1)
    assert (draft.kind, draft.unit, draft.version, draft.based_on) == (KIND, tree.county_a, 2, v1)
    draft.items.filter(code="C2").update(label="修订后的条目")
    PolicyItem.objects.create(policy_list=draft, code="C3", label="新增条目", order=5)
    v2 = policy_list_publish(policy_list=draft)

    v1.refresh_from_db()
    assert v1.status == PolicyStatus.RETIRED
    assert v2.status == PolicyStatus.PUBLISHED
    assert policy_list_for(KIND, tree.township_a1) == v2
    assert codes_at(tree.township_a1) == ["C1", "C2", "C3"]
    assert [(i.code, i.label) for i in decided_under.items.all()] == [
        ("C1", "条目C1"),
        ("C2", "条目C2"),
    ]


@pytest.mark.parametrize("status", [PolicyStatus.PUBLISHED, PolicyStatus.RETIRED])
def test_items_of_a_frozen_list_cannot_change(tree, status):
    frozen = make_list("C1")
    if status == PolicyStatus.RETIRED:
        policy_list_publish(policy_list=policy_list_new_version(base=frozen))
    frozen.refresh_from_db()
    assert frozen.status == status
    item = frozen.items.get()

    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyItem.objects.create(policy_list=frozen, code="C9", label="偷加的条目")
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyItem.objects.filter(pk=item.pk).update(label="偷改的条目")
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyItem.objects.filter(pk=item.pk).delete()

    assert [(i.code, i.label) for i in frozen.items.all()] == [("C1", "条目C1")]


def test_items_of_a_draft_can_be_edited(tree):
    draft = make_list("C1", publish=False)

    PolicyItem.objects.create(policy_list=draft, code="C2", label="新条目")
    draft.items.filter(code="C1").update(label="改过")
    draft.items.filter(code="C2").delete()

    assert [(i.code, i.label) for i in draft.items.all()] == [("C1", "改过")]


def test_publishing_an_empty_draft_is_refused(tree):
    draft = make_list(publish=False)

    with pytest.raises(ValidationError) as refused:
        policy_list_publish(policy_list=draft)

    assert "清单没有任何条目" in refused.value.messages[0]
    draft.refresh_from_db()
    assert draft.status == PolicyStatus.DRAFT


def test_publishing_twice_is_refused(tree):
    published = make_list("C1")

    with pytest.raises(ValidationError) as refused:
        policy_list_publish(policy_list=published)

    assert "草稿" in refused.value.messages[0]


@pytest.mark.parametrize("where", ["nationwide", "county"])
def test_database_allows_one_published_version_per_kind_and_unit(tree, where):
    unit = tree.county_a if where == "county" else None
    make_list("C1", unit=unit)

    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyList.objects.create(
            kind=KIND, title="第二个", unit=unit, version=2, status=PolicyStatus.PUBLISHED
        )


def test_published_lists_of_different_units_coexist(tree):
    make_list("C1")
    make_list("C1", unit=tree.county_a)
    make_list("C1", unit=tree.county_b)

    assert PolicyList.objects.filter(kind=KIND, status=PolicyStatus.PUBLISHED).count() == 3
