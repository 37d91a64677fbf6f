"""Checks on the care app's policy lists before a version is published: a list edited in admin
must still say what the code reads (care/migrations/0002_policy_lists.py defines the params)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cadre.policy_rules import policy_rule

from .choices import (
    KIND_CHECKUP_EXTRAS,
    KIND_LEAVE_ENTITLEMENT,
    KIND_TALK_SETTINGS,
    KIND_TALK_TRIGGERS,
)

# Who an extra check-up item applies to (F 19: 基层一线、困难地区、特种行业).
EXTRA_TARGETS = ("frontline", "hardship", "special_industry")


def _whole(value, minimum=0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _fail(message, item, **extra):
    raise ValidationError(message % {"label": item.label, "code": item.code, **extra})


@policy_rule(KIND_TALK_TRIGGERS)
def triggers_name_events_and_deadlines(policy_list, items):
    """Each 五必谈 trigger names the events that call for the talk (a kind, and payload values
    to match) and gives a deadline of at least one day."""
    for item in items:
        params = item.params or {}
        events = params.get("events")
        if not isinstance(events, list) or not events:
            _fail(_("“%(label)s”须列出触发谈话的事件（events）"), item)
        for event in events:
            if not isinstance(event, dict) or not isinstance(event.get("kind"), str):
                _fail(_("“%(label)s”的每个事件须有事件类别（kind）"), item)
            if not isinstance(event.get("payload", {}), dict):
                _fail(_("“%(label)s”的事件内容条件（payload）须为键值对"), item)
        if not _whole(params.get("deadline_days", 30), 1):
            _fail(_("“%(label)s”的谈话期限（deadline_days）须为正整数（天）"), item)


@policy_rule(KIND_TALK_SETTINGS)
def talk_settings_are_numbers(policy_list, items):
    """Reminder days are whole numbers; the coverage months are months of the year."""
    for item in items:
        params = item.params or {}
        if "days" in params and not _whole(params["days"]):
            _fail(_("“%(label)s”的天数（days）须为不小于0的整数"), item)
        months = params.get("months")
        if months is not None and (
            not isinstance(months, list) or not all(_whole(m, 1) and m <= 12 for m in months)
        ):
            _fail(_("“%(label)s”的月份（months）须为1至12的整数列表"), item)
        if "month" in params and not (_whole(params["month"], 1) and params["month"] <= 12):
            _fail(_("“%(label)s”的月份（month）须为1至12的整数"), item)
        if "day" in params and not (_whole(params["day"], 1) and params["day"] <= 31):
            _fail(_("“%(label)s”的日期（day）须为1至31的整数"), item)


@policy_rule(KIND_LEAVE_ENTITLEMENT)
def leave_entitlement_by_years(policy_list, items):
    """Each step gives the days of paid leave from a number of years of service."""
    for item in items:
        params = item.params or {}
        if not _whole(params.get("min_years")) or not _whole(params.get("days")):
            _fail(_("“%(label)s”的工作年限（min_years）和天数（days）须为不小于0的整数"), item)


@policy_rule(KIND_CHECKUP_EXTRAS)
def checkup_extras_say_whom(policy_list, items):
    for item in items:
        if (item.params or {}).get("applies_to") not in EXTRA_TARGETS:
            _fail(
                _("“%(label)s”的适用对象（applies_to）须为%(targets)s之一"),
                item,
                targets="、".join(EXTRA_TARGETS),
            )
