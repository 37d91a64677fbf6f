"""Annual talk coverage (年度谈心谈话覆盖, F 16): "市县乡党委主要负责人同班子成员和下一级班子主要
负责人谈话每年至少1次" — every city, county and township party secretary talks at least once a
year with each member of their team and with the heads of the teams one level below.

Who must talk with whom is read from `care.coverage_rules` (the version applying at each region,
see the docstring of migration 0002): one item per level, a region item (`region_level`) for the
city and the county, a unit item (`unit_kinds`) for townships and streets. A pair is covered when
a talk (of any kind) was held in the year with `talker_cadre` = the secretary and `cadre` = the
person.

Reads (selectors): `coverage_for` (a subtree, a constant number of queries however many regions
it holds), `coverage_for_user` (the secretaries inside the user's jurisdiction), `totals`.
Periodic job: `remind_annual_coverage` (the last quarter, once a month per secretary)."""

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre import access
from cadre.choices import CadreStatus, PolicyStatus, UnitKind
from cadre.models import Cadre, PolicyList, Unit, User
from cadre.services import notify

from .choices import KIND_COVERAGE_RULES, KIND_TALK_SETTINGS, TalkKind
from .models import Talk
from .models.common import can_read
from .selectors import managing_units, organisation_users

# Kinds of unit a secretary governs: the region of a city or county, a township or street.
GOVERNED_KINDS = (UnitKind.REGION, UnitKind.TOWNSHIP, UnitKind.STREET)
NOTIFICATION_KIND = "care.coverage_reminder"


@dataclass
class SecretaryCoverage:
    """One party secretary's talks of the year: who they must talk with and who is missing."""

    secretary: Cadre
    governed: Unit  # the city/county region, or the township/street
    rule_code: str
    rule_label: str
    required: list = field(default_factory=list)
    covered: list = field(default_factory=list)
    missing: list = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        if not self.required:
            return None
        return round(100 * len(self.covered) / len(self.required))


# --- policy lists applying at many units, read once ------------------------------------------


class ListsByUnit:
    """The published lists of one kind, loaded once (two queries), answering for any unit the
    version that applies there: the nearest one up the tree, else the nationwide default."""

    def __init__(self, kind: str):
        lists = PolicyList.objects.filter(kind=kind, status=PolicyStatus.PUBLISHED)
        self.by_unit = {pl.unit_id: pl for pl in lists.prefetch_related("items")}

    def at(self, unit: Unit | None) -> PolicyList | None:
        if unit is not None:
            for uid in reversed(unit.ancestor_ids):
                if uid in self.by_unit:
                    return self.by_unit[uid]
        return self.by_unit.get(None)

    def items_at(self, unit: Unit | None) -> list:
        policy_list = self.at(unit)
        return list(policy_list.items.all()) if policy_list is not None else []

    def all_items(self):
        for policy_list in self.by_unit.values():
            yield from policy_list.items.all()


def _param_list(item, key) -> list:
    value = (item.params or {}).get(key) or []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _depth_param(item) -> int:
    try:
        return max(int((item.params or {}).get("lower_unit_depth") or 1), 1)
    except (TypeError, ValueError):
        return 1


def rule_for(items, unit: Unit):
    """The item of a coverage-rules list that governs `unit`: a region item for a region of
    its `region_level`, a unit item for a unit of its `unit_kinds`."""
    for item in items:
        params = item.params or {}
        if unit.kind == UnitKind.REGION and params.get("region_level") == unit.level:
            return item
        if not params.get("region_level") and unit.kind in _param_list(item, "unit_kinds"):
            return item
    return None


# --- the computation ----------------------------------------------------------------------------


def _year_bounds(year: int):
    return date(year, 1, 1), date(year, 12, 31)


def coverage_for(*, year: int, root: Unit | None = None) -> list[SecretaryCoverage]:
    """Every secretary governing a region, township or street inside `root`'s subtree
    (everywhere when None), with the people they must talk with in `year` and who of them had
    no talk with them yet. Five queries for any size of subtree."""
    rules = ListsByUnit(KIND_COVERAGE_RULES)  # 2 queries
    units_qs = Unit.objects.only(
        "id", "name", "kind", "level", "path", "depth", "parent_id", "manages_up_to_id"
    )
    if root is not None:
        units_qs = units_qs.filter(path__startswith=root.path)
    units = list(units_qs.order_by("path"))  # 1 query
    children: dict[int, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def below(unit, depth):
        level = [unit]
        for _step in range(depth):
            level = [child for u in level for child in children.get(u.pk, [])]
        return level

    # Which units hold the secretary, the team and the lower heads of each governed unit.
    plans = []
    for unit in units:
        if unit.kind not in GOVERNED_KINDS:
            continue
        item = rule_for(rules.items_at(unit), unit)
        if item is None:
            continue
        if (item.params or {}).get("region_level"):
            secretary_units = [
                u for u in children.get(unit.pk, []) if u.kind == UnitKind.PARTY_COMMITTEE
            ]
            team_kinds = set(_param_list(item, "team_unit_kinds"))
            team_units = [u for u in children.get(unit.pk, []) if u.kind in team_kinds]
        else:
            secretary_units = team_units = [unit]
        lower_kinds = set(_param_list(item, "lower_unit_kinds"))
        lower_units = (
            [u for u in below(unit, _depth_param(item)) if u.kind in lower_kinds]
            if lower_kinds
            else []
        )
        plans.append((unit, item, secretary_units, team_units, lower_units))
    if not plans:
        return []

    wanted_units = {u.pk for _g, _i, s, t, lo in plans for u in (*s, *t, *lo)}
    posts, levels = set(), set()
    for _g, item, *_rest in plans:
        posts |= set(_param_list(item, "secretary_posts")) | set(
            _param_list(item, "lower_head_posts")
        )
        levels |= set(_param_list(item, "team_levels"))
    people = (
        Cadre.objects.filter(status=CadreStatus.ACTIVE, unit_id__in=wanted_units)
        .filter(Q(post__in=posts) | Q(post_level__code__in=levels))
        .select_related("unit", "post_level")
        .order_by("name", "pk")
    )  # 1 query
    by_unit: dict[int, list[Cadre]] = {}
    for cadre in people:
        by_unit.setdefault(cadre.unit_id, []).append(cadre)

    rows = []
    for governed, item, secretary_units, team_units, lower_units in plans:
        secretary_posts = set(_param_list(item, "secretary_posts"))
        team_levels = set(_param_list(item, "team_levels"))
        head_posts = set(_param_list(item, "lower_head_posts"))
        secretaries = [
            c for u in secretary_units for c in by_unit.get(u.pk, []) if c.post in secretary_posts
        ]
        for secretary in secretaries:
            required = [
                c
                for u in team_units
                for c in by_unit.get(u.pk, [])
                if c.pk != secretary.pk and c.post_level_id and c.post_level.code in team_levels
            ]
            seen = {c.pk for c in required}
            for u in lower_units:
                for c in by_unit.get(u.pk, []):
                    if c.post in head_posts and c.pk not in seen and c.pk != secretary.pk:
                        required.append(c)
                        seen.add(c.pk)
            rows.append(
                SecretaryCoverage(
                    secretary=secretary,
                    governed=governed,
                    rule_code=item.code,
                    rule_label=item.label,
                    required=required,
                )
            )
    if rows:
        start, end = _year_bounds(year)
        held = set(
            Talk.objects.filter(
                talker_cadre_id__in=[r.secretary.pk for r in rows],
                held_on__gte=start,
                held_on__lte=end,
            )
            .values_list("talker_cadre_id", "cadre_id")
            .distinct()
        )  # 1 query
        for row in rows:
            for cadre in row.required:
                target = row.covered if (row.secretary.pk, cadre.pk) in held else row.missing
                target.append(cadre)
    return rows


def _governing_root(unit: Unit) -> Unit:
    """The region, township or street whose secretaries a unit's staff look after: the unit
    itself, or its nearest such ancestor (the county for its 县委 or its departments)."""
    if unit.kind in GOVERNED_KINDS:
        return unit
    ids = [uid for uid in unit.ancestor_ids if uid != unit.pk]
    found = Unit.objects.filter(pk__in=ids, kind__in=GOVERNED_KINDS).order_by("-depth").first()
    return found or unit


def in_scope(scope, cadre: Cadre) -> bool:
    """Whether a cadre lies in a management scope (unit subtree, capped post level)."""
    if scope.everything:
        return True
    if not scope.path or not cadre.unit.path.startswith(scope.path):
        return False
    if scope.max_level_order is None or cadre.post_level_id is None:
        return True
    return cadre.post_level.order <= scope.max_level_order


def coverage_for_user(user, *, year: int) -> list[SecretaryCoverage]:
    """The coverage of the secretaries inside the user's jurisdiction (干部管理权限: the
    secretary's unit in the subtree, their post level within what the unit manages)."""
    if not can_read(user):
        return []
    scope = access.scope_for(user)
    root = None if scope.everything or user.unit_id is None else _governing_root(user.unit)
    return [row for row in coverage_for(year=year, root=root) if in_scope(scope, row.secretary)]


def filter_rows(rows, *, level="", unit: Unit | None = None):
    """Rows of one rule (`city`, `county`, `township` …) and/or inside one unit's subtree."""
    if level:
        rows = [r for r in rows if r.rule_code == level]
    if unit is not None:
        rows = [r for r in rows if r.governed.path.startswith(unit.path)]
    return rows


def totals(rows) -> dict:
    required = sum(len(r.required) for r in rows)
    covered = sum(len(r.covered) for r in rows)
    return {
        "secretaries": len(rows),
        "required": required,
        "covered": covered,
        "missing": required - covered,
        "percent": round(100 * covered / required) if required else None,
    }


LEVEL_ORDER = {"city": 0, "county": 1, "township": 2}


def level_choices():
    """(code, label) of the coverage rules (the nationwide list and local versions)."""
    seen = {}
    for item in ListsByUnit(KIND_COVERAGE_RULES).all_items():
        seen.setdefault(item.code, item.label)
    return sorted(seen.items(), key=lambda pair: (LEVEL_ORDER.get(pair[0], 9), pair[0]))


def record_talk_url(secretary: Cadre, cadre: Cadre, base: str | None = None) -> str:
    """The talk form, filled in for an annual talk of the secretary with the cadre."""
    if base is None:
        base = talk_form_base()
    query = urlencode({"cadre": cadre.pk, "talker_cadre": secretary.pk, "kind": TalkKind.ANNUAL})
    return f"{base}?{query}"


def talk_form_base() -> str:
    try:
        return reverse("care:talk_create")
    except NoReverseMatch:
        return reverse("care:talk_list")


# --- reminders ---------------------------------------------------------------------------------


def _months(item) -> set[int]:
    try:
        return {int(m) for m in (item.params or {}).get("months") or []}
    except (TypeError, ValueError):
        return set()


def _reminder_months(settings_lists: ListsByUnit, unit: Unit) -> set[int]:
    for item in settings_lists.items_at(unit):
        if item.code == "coverage_reminder":
            return _months(item)
    return set()


def remind_annual_coverage(*, today: date | None = None) -> int:
    """In the months `care.talk_settings` → `coverage_reminder.months` names (the last
    quarter), tell each secretary who has not yet talked with everyone of their list — their
    own account when they have one — and the organisation department that manages them, with
    the names still missing. Once per secretary and month (dedupe key); returns the number of
    secretaries reminded."""
    today = today or timezone.localdate()
    settings_lists = ListsByUnit(KIND_TALK_SETTINGS)
    if not any(
        item.code == "coverage_reminder" and today.month in _months(item)
        for item in settings_lists.all_items()
    ):
        return 0
    rows = [
        r
        for r in coverage_for(year=today.year)
        if r.missing and today.month in _reminder_months(settings_lists, r.governed)
    ]
    if not rows:
        return 0
    managing = managing_units([r.secretary for r in rows])
    own_users = {
        u.cadre_id: u
        for u in User.objects.filter(cadre_id__in=[r.secretary.pk for r in rows], is_active=True)
    }
    org_users: dict[int, list] = {}
    for user in organisation_users({u.pk for u in managing.values()}):
        org_users.setdefault(user.unit_id, []).append(user)
    link = reverse("care:coverage") + f"?year={today.year}"
    for row in rows:
        recipients = list(org_users.get(managing[row.secretary.pk].pk, []))
        if row.secretary.pk in own_users:
            recipients.append(own_users[row.secretary.pk])
        names = "、".join(c.name for c in row.missing)
        notify(
            recipients=recipients,
            kind=NOTIFICATION_KIND,
            title=_("%(name)s%(year)s年度谈心谈话尚未覆盖%(n)s人")
            % {"name": row.secretary.name, "year": today.year, "n": len(row.missing)},
            body=_(
                "按照“市县乡党委主要负责人同班子成员和下一级班子主要负责人谈话每年至少1次”的要求，"
                "%(unit)s%(post)s%(name)s同志本年度尚未谈话的有：%(names)s。"
            )
            % {
                "unit": row.governed.name,
                "post": row.secretary.post,
                "name": row.secretary.name,
                "names": names,
            },
            link=link,
            dedupe_key=f"care.coverage:{row.secretary.pk}:{today:%Y-%m}",
        )
    return len(rows)
