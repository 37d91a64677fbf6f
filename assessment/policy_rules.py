"""Checks on the assessment's policy lists before a version is published."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cadre.policy_rules import policy_rule

from .choices import KIND_GRADE_QUOTAS, KIND_RATER_GROUPS


def rater_weights(items) -> dict[str, Decimal]:
    weights = {}
    for item in items:
        try:
            weights[item.code] = Decimal(str((item.params or {}).get("weight")))
        except (InvalidOperation, TypeError):
            raise ValidationError(
                _("评价主体“%(label)s”的权重无效") % {"label": item.label}
            ) from None
    return weights


@policy_rule(KIND_RATER_GROUPS)
def rater_weights_sum_to_100(policy_list, items):
    weights = rater_weights(items)
    if any(w < 0 for w in weights.values()):
        raise ValidationError(_("评价主体权重不能为负数"))
    total = sum(weights.values(), Decimal(0))
    if total != 100:
        raise ValidationError(
            _("各评价主体权重之和须为100%%，当前为%(total)s%%")
            % {"total": format(total.normalize(), "f")}
        )


@policy_rule(KIND_GRADE_QUOTAS)
def quota_ratios_between_0_and_1(policy_list, items):
    for item in items:
        try:
            ratio = Decimal(str((item.params or {}).get("ratio")))
        except (InvalidOperation, TypeError):
            raise ValidationError(_("“%(label)s”的比例无效") % {"label": item.label}) from None
        if not Decimal(0) <= ratio <= Decimal(1):
            raise ValidationError(_("“%(label)s”的比例须在0到1之间") % {"label": item.label})
