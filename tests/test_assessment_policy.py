"""The assessment's policy lists: seeded defaults, and the checks run before a new version is
published (rater weights sum to 100; quota ratios between 0 and 1)."""

import pytest
from django.core.exceptions import ValidationError

from cadre.models import PolicyItem
from cadre.selectors import policy_items, policy_list_for
from cadre.services import policy_list_new_version, policy_list_publish

pytestmark = pytest.mark.django_db


def test_seeded_rater_groups_weigh_100():
    _list, items = policy_items("assessment.rater_groups", None)
    assert [i.label for i in items] == [
        "分管县级领导",
        "部门单位",
        "县委考核办",
        "本单位干部职工",
        "服务对象",
    ]
    assert sum(i.params["weight"] for i in items) == 100


def test_seeded_points_catalogue_has_the_double_rule_items():
    _list, items = policy_items("assessment.points_catalogue", None)
    doubles = {i.code for i in items if i.params.get("double")}
    assert doubles == {"city_assessment_gain", "city_assessment_loss"}


def _draft_weights(tree, **weights):
    base = policy_list_for("assessment.rater_groups", tree.county_a)
    draft = policy_list_new_version(base=base, unit=tree.county_a, title="甲县评价权重")
    for code, weight in weights.items():
        PolicyItem.objects.filter(policy_list=draft, code=code).update(params={"weight": weight})
    return draft


def test_weights_not_summing_to_100_are_refused(tree):
    draft = _draft_weights(tree, leader=30)  # 105 in all

    with pytest.raises(ValidationError) as err:
        policy_list_publish(policy_list=draft)

    assert "105" in err.value.messages[0]
    assert policy_list_for("assessment.rater_groups", tree.county_a).unit is None


def test_weights_summing_to_100_are_published(tree):
    draft = _draft_weights(tree, leader=30, staff=20)

    published = policy_list_publish(policy_list=draft)

    assert policy_list_for("assessment.rater_groups", tree.township_a1) == published


def test_a_quota_ratio_above_one_is_refused(tree):
    base = policy_list_for("assessment.grade_quotas", tree.county_a)
    draft = policy_list_new_version(base=base, unit=tree.county_a)
    PolicyItem.objects.filter(policy_list=draft, code="base").update(params={"ratio": "20"})

    with pytest.raises(ValidationError):
        policy_list_publish(policy_list=draft)
