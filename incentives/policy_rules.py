"""Checks on the incentives policy lists before a version is published."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from assessment.choices import Grade
from cadre.models import PostLevel, Rank
from cadre.policy_rules import policy_rule

from .choices import (
    KIND_AWARD_KINDS,
    KIND_DOWN_SITUATIONS,
    KIND_EXCEPTIONAL_CHECKS,
    KIND_EXCEPTIONAL_PATHS,
    KIND_RANK_LADDER,
    KIND_RANK_RULES,
    KIND_SANCTION_KINDS,
    KIND_TEAM_STRUCTURE,
    DownAction,
)

# The rank-rules items whose params name annual grades.
GRADE_ITEMS = ("counted_grades", "blocking_grades")


@policy_rule(KIND_RANK_LADDER)
def rank_ladder_codes_and_years(policy_list, items):
    """Each step names the target rank by its code, the ranks it is reached from, and a
    positive whole number of minimum years (职务与职级并行)."""
    known = set(Rank.objects.values_list("code", flat=True))
    for item in items:
        params = item.params or {}
        words = {"label": item.label, "code": item.code}
        if item.code not in known:
            raise ValidationError(_("“%(label)s”的代码%(code)s不是已有的职级代码") % words)
        from_ranks = params.get("from_ranks")
        if not isinstance(from_ranks, list) or not from_ranks:
            raise ValidationError(_("“%(label)s”须列出晋升前的职级代码（from_ranks）") % words)
        unknown = [str(code) for code in from_ranks if code not in known]
        if unknown:
            raise ValidationError(
                _("“%(label)s”的晋升前职级代码无效：%(codes)s")
                % {**words, "codes": "、".join(unknown)}
            )
        years = params.get("min_years")
        if isinstance(years, bool) or not isinstance(years, int) or years < 1:
            raise ValidationError(_("“%(label)s”的最低任职年限须为正整数") % words)


@policy_rule(KIND_RANK_RULES)
def rank_rules_grade_codes(policy_list, items):
    """The grades named by the rules are annual assessment grades (优秀/称职/基本称职/不称职)."""
    valid = set(Grade.values)
    for item in items:
        grades = (item.params or {}).get("grades")
        if item.code not in GRADE_ITEMS and grades is None:
            continue
        if not isinstance(grades, list):
            raise ValidationError(_("“%(label)s”须列出考核等次代码") % {"label": item.label})
        unknown = [str(g) for g in grades if g not in valid]
        if unknown:
            raise ValidationError(
                _("“%(label)s”的考核等次代码无效：%(codes)s（可用 %(valid)s）")
                % {
                    "label": item.label,
                    "codes": "、".join(unknown),
                    "valid": ", ".join(Grade.values),
                }
            )


def _whole(value, minimum=0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _fail(message, item, **extra):
    raise ValidationError(message % {"label": item.label, "code": item.code, **extra})


@policy_rule(KIND_SANCTION_KINDS)
def sanction_kinds_have_impact_periods(policy_list, items):
    """Each kind gives its impact period in whole months (F 15), and any accountability forms
    it takes over from the tolerance app as a list of codes."""
    for item in items:
        params = item.params or {}
        if not _whole(params.get("impact_months")):
            _fail(_("“%(label)s”的影响期（impact_months）须为不小于0的整数（月）"), item)
        forms = params.get("accountability_forms", [])
        if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
            _fail(_("“%(label)s”的问责方式代码（accountability_forms）须为代码列表"), item)


@policy_rule(KIND_AWARD_KINDS)
def award_kinds_have_notice_periods(policy_list, items):
    """Each award kind gives its public-notice period in working days (0: no notice)."""
    for item in items:
        if not _whole((item.params or {}).get("notice_days")):
            _fail(_("“%(label)s”的公示期（notice_days）须为不小于0的整数（工作日）"), item)


@policy_rule(KIND_DOWN_SITUATIONS)
def down_situations_lead_to_a_way_down(policy_list, items):
    """Each 能上能下 situation is grouped under the way down it leads to."""
    for item in items:
        if item.group not in DownAction.values:
            _fail(
                _("“%(label)s”的分组须为%(ways)s之一"),
                item,
                ways="、".join(DownAction.values),
            )


@policy_rule(KIND_EXCEPTIONAL_PATHS)
def exceptional_paths_name_post_levels(policy_list, items):
    """Each allowed jump names the post levels it starts from and the level it leads to."""
    known = set(PostLevel.objects.values_list("code", flat=True))
    for item in items:
        params = item.params or {}
        levels = params.get("from_levels")
        if not isinstance(levels, list) or not levels or not set(levels) <= known:
            _fail(_("“%(label)s”的起始职务层次（from_levels）须为已有的职务层次代码"), item)
        if params.get("target_level") not in known:
            _fail(_("“%(label)s”的拟任职务层次（target_level）须为已有的职务层次代码"), item)
        keywords = params.get("post_keywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            _fail(_("“%(label)s”的职务关键词（post_keywords）须为文字列表"), item)


# The numbers each kind of exceptional-promotion check reads.
CHECK_NUMBERS = {
    "no_active_sanction": (),
    "no_restriction": (),
    "excellent_years": ("years", "min_excellent"),
    "min_years_in_post": ("years",),
    "max_level_jump": ("max_steps",),
    "senior_age": ("min_age",),
}


@policy_rule(KIND_EXCEPTIONAL_CHECKS)
def exceptional_checks_are_known(policy_list, items):
    """Each check is of a kind the system evaluates, with whole numbers where it needs them."""
    for item in items:
        params = item.params or {}
        kind = params.get("type")
        if kind not in CHECK_NUMBERS:
            _fail(
                _("“%(label)s”的核查类型（type）须为%(types)s之一"),
                item,
                types="、".join(CHECK_NUMBERS),
            )
        for key in CHECK_NUMBERS[kind]:
            if not _whole(params.get(key)):
                _fail(_("“%(label)s”的参数%(key)s须为不小于0的整数"), item, key=key)


@policy_rule(KIND_TEAM_STRUCTURE)
def team_share_is_a_fraction(policy_list, items):
    """The share of team members with township-head experience is a fraction (F 9: 1/3)."""
    for item in items:
        params = item.params or {}
        if "numerator" in params or "denominator" in params:
            if not (_whole(params.get("numerator"), 0) and _whole(params.get("denominator"), 1)):
                _fail(
                    _("“%(label)s”的比例须为整数分子（numerator）和正整数分母（denominator）"), item
                )
            if params["numerator"] > params["denominator"]:
                _fail(_("“%(label)s”的比例不能大于1"), item)
        if "min_years" in params and not _whole(params.get("min_years")):
            _fail(_("“%(label)s”的年限（min_years）须为不小于0的整数"), item)
