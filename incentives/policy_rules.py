"""Checks on the incentives policy lists before a version is published."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from assessment.choices import Grade
from cadre.models import Rank
from cadre.policy_rules import policy_rule

from .choices import KIND_RANK_LADDER, KIND_RANK_RULES

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
