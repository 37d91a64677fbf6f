"""Checks an app attaches to a kind of policy list, run before a version is published (e.g. the
360-degree rater weights must sum to 100). The core knows no app: apps register their checks
when they load (`AppConfig.ready`)."""

from collections import defaultdict

_rules = defaultdict(list)


def policy_rule(kind: str):
    """Register `func(policy_list, items)`, which raises ValidationError when the list cannot be
    published as it is."""

    def decorator(func):
        _rules[kind].append(func)
        return func

    return decorator


def validate_policy_list(policy_list) -> None:
    rules = _rules.get(policy_list.kind, [])
    if rules:
        items = list(policy_list.items.all())
        for rule in rules:
            rule(policy_list, items)
