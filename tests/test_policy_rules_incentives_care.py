"""The incentives and care policy lists are edited in admin as new versions; before a version is
published the system checks it still says what the code reads. Every seeded list passes as it
is; each broken edit below is refused with a message naming the item."""

import pytest
from django.core.exceptions import ValidationError

from cadre.models import PolicyItem
from cadre.selectors import policy_list_for
from cadre.services import policy_list_new_version, policy_list_publish

pytestmark = pytest.mark.django_db

KINDS = [
    "incentives.priority_situations",
    "incentives.exceptional_paths",
    "incentives.exceptional_checks",
    "incentives.rank_ladder",
    "incentives.rank_rules",
    "incentives.age_rules",
    "incentives.team_structure",
    "incentives.down_situations",
    "incentives.sanction_kinds",
    "incentives.award_kinds",
    "care.talk_triggers",
    "care.talk_settings",
    "care.coverage_rules",
    "care.checkup_extras",
    "care.leave_entitlement",
    "care.hardship_categories",
    "care.facility_kinds",
]


def _draft(tree, kind):
    return policy_list_new_version(base=policy_list_for(kind, None), unit=tree.county_a)


@pytest.mark.parametrize("kind", KINDS)
def test_every_seeded_list_can_be_published_again_as_a_units_own_version(tree, kind):
    draft = _draft(tree, kind)
    published = policy_list_publish(policy_list=draft)
    assert policy_list_for(kind, tree.township_a1) == published


def _edit(draft, code, **changes):
    item = PolicyItem.objects.get(policy_list=draft, code=code)
    for field, value in changes.items():
        setattr(item, field, value)
    item.save()


BROKEN = [
    (
        "incentives.sanction_kinds",
        "party_warning",
        {"params": {"impact_months": "六个月"}},
        "影响期",
    ),
    (
        "incentives.sanction_kinds",
        "admonish",
        {"params": {"impact_months": 6, "accountability_forms": "admonish"}},
        "问责方式",
    ),
    ("incentives.award_kinds", "good_cadre", {"params": {"notice_days": -1}}, "公示期"),
    ("incentives.down_situations", "D-R1", {"group": "promotion"}, "分组"),
    (
        "incentives.exceptional_paths",
        "ZJK4-1",
        {"params": {"from_levels": ["village"], "target_level": "county_deputy"}},
        "起始职务层次",
    ),
    (
        "incentives.exceptional_paths",
        "ZJK4-2",
        {"params": {"from_levels": ["county_deputy"], "target_level": "none"}},
        "拟任职务层次",
    ),
    ("incentives.exceptional_checks", "post_years", {"params": {"type": "lucky"}}, "核查类型"),
    (
        "incentives.exceptional_checks",
        "level_jump",
        {"params": {"type": "max_level_jump"}},
        "max_steps",
    ),
    (
        "incentives.team_structure",
        "township_head_share",
        {"params": {"numerator": 2, "denominator": 1}},
        "比例",
    ),
    ("care.talk_triggers", "T1", {"params": {"deadline_days": 30, "events": []}}, "事件"),
    (
        "care.talk_triggers",
        "T2",
        {"params": {"deadline_days": 0, "events": [{"kind": "cadre.major_task_assigned"}]}},
        "期限",
    ),
    ("care.talk_settings", "coverage_reminder", {"params": {"months": [13]}}, "月份"),
    ("care.leave_entitlement", "y10", {"params": {"min_years": 10}}, "天数"),
    ("care.checkup_extras", "frontline", {"params": {"applies_to": "everyone"}}, "适用对象"),
]


@pytest.mark.parametrize(("kind", "code", "changes", "words"), BROKEN)
def test_a_broken_edit_is_refused_before_publishing(tree, kind, code, changes, words):
    draft = _draft(tree, kind)
    _edit(draft, code, **changes)
    with pytest.raises(ValidationError) as refused:
        policy_list_publish(policy_list=draft)
    assert words in " ".join(refused.value.messages)
    # The version in force is still the seeded one.
    assert policy_list_for(kind, tree.township_a1).unit_id is None
