"""Team structure checks (领导班子结构) of the county leadership teams.

- F 9: 县级党政领导班子成员中具有乡镇（街道）党政正职经历的干部，比例不少于三分之一. The team
  of a county is the active cadres of the units directly under the county (Unit kind `region`,
  level `county`) whose kind is one of the list's `team_unit_kinds` (党委, 政府), holding a post
  level of `team_levels`. The share is `numerator`/`denominator` of the team, rounded up.
- ZJK 12(四): 县级领导班子调整，优先考虑具有乡镇党政正职任职经历的干部 (the same flag, shown per
  member); 县级机关提拔副科级以上领导干部，优先考虑具有3年以上乡镇工作经历的干部: the leaders of
  the county organs (the county's other units at county level, townships and streets apart) at
  the `township_years` item's `levels`, how many lack `min_years` of township work, and which of
  them took their post in the last `recent_years` (3 unless the list says otherwise).

The numbers come from the team-structure list that applies at each county (the nearest version
up the unit tree). Every read goes through `Cadre.objects.restrict(user)`; a county's team is
checked only for a user whose jurisdiction reaches the team's post levels: a county organisation
department manages cadres up to 乡科级, and the county team is managed by the organisation
department above it. Pages, API and export read through this module, in a fixed number of
queries whatever the number of counties.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import django_filters
from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre import access
from cadre.choices import CadreStatus, PolicyStatus, UnitKind, UnitLevel
from cadre.models import Cadre, PolicyList, PostLevel, Unit

from .choices import KIND_AGE_RULES, KIND_TEAM_STRUCTURE
from .models.common import can_read

SHARE_CODE = "township_head_share"
YEARS_CODE = "township_years"
PREFERENCE_CODE = "township_head_preference"
YOUNG_PREFIX = "young_"
# ZJK 12(四): "优先考虑具有3年以上乡镇工作经历" is weighed when a post is filled; the list's
# `recent_years` (default 3) says how far back a filled post is flagged.
DEFAULT_RECENT_YEARS = 3
# Units that are not county organs (县级机关): the township level and the county itself.
NOT_ORGAN_KINDS = (UnitKind.TOWNSHIP, UnitKind.STREET, UnitKind.REGION)

NOT_MANAGED_MESSAGE = _(
    "县级领导班子成员为县处级干部，由上级党委组织部门管理，超出本单位干部管理权限，"
    "班子结构情况请向上级组织部门了解。"
)


# --- the rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class YoungRule:
    """年轻干部: at most `max_age` at one of `levels` (incentives.age_rules young_*)."""

    label: str
    max_age: int
    levels: tuple


@dataclass(frozen=True)
class TeamRules:
    """The team-structure list (and the age list) in force at a county."""

    policy_list: PolicyList | None
    numerator: int = 1
    denominator: int = 3
    team_unit_kinds: tuple = ()
    team_levels: tuple = ()
    min_years: Decimal = Decimal(3)
    years_levels: tuple = ()
    recent_years: int = DEFAULT_RECENT_YEARS
    share_label: str = ""
    years_label: str = ""
    preference_label: str = ""
    young: tuple = ()

    @property
    def share_text(self) -> str:
        return f"{self.numerator}/{self.denominator}"

    def young_label(self, cadre: Cadre) -> str:
        """The young-cadre label that applies to the cadre, or ""."""
        code = cadre.post_level.code if cadre.post_level_id else None
        for rule in self.young:
            if code in rule.levels and cadre.age <= rule.max_age:
                return rule.label
        return ""


def _rules_from(team_list, team_items, age_items) -> TeamRules:
    items = {item.code: item for item in team_items}
    share = items.get(SHARE_CODE)
    years = items.get(YEARS_CODE)
    preference = items.get(PREFERENCE_CODE)
    sp = share.params if share else {}
    yp = years.params if years else {}
    young = tuple(
        YoungRule(item.label, int(item.params["max_age"]), tuple(item.params.get("levels", ())))
        for item in age_items
        if item.code.startswith(YOUNG_PREFIX) and "max_age" in item.params
    )
    return TeamRules(
        policy_list=team_list,
        numerator=int(sp.get("numerator", 1)),
        denominator=max(int(sp.get("denominator", 3)), 1),
        team_unit_kinds=tuple(sp.get("team_unit_kinds", ())),
        team_levels=tuple(sp.get("team_levels", ())),
        min_years=Decimal(str(yp.get("min_years", 3))),
        years_levels=tuple(yp.get("levels", ())),
        recent_years=int(yp.get("recent_years", DEFAULT_RECENT_YEARS)),
        share_label=share.label if share else "",
        years_label=years.label if years else "",
        preference_label=preference.label if preference else "",
        young=young,
    )


def rules_for(units) -> dict[int, TeamRules]:
    """{unit id: TeamRules} from the lists that apply at each unit (nearest up the tree, else
    the nationwide one). Two queries for any number of units."""
    units = list(units)
    ancestors = {uid for unit in units for uid in unit.ancestor_ids}
    lists = list(
        PolicyList.objects.filter(
            kind__in=[KIND_TEAM_STRUCTURE, KIND_AGE_RULES], status=PolicyStatus.PUBLISHED
        )
        .filter(Q(unit__isnull=True) | Q(unit_id__in=ancestors))
        .prefetch_related("items")
    )

    def nearest(kind, unit):
        depth = {uid: i for i, uid in enumerate(unit.ancestor_ids, start=1)}
        found = [
            pl for pl in lists if pl.kind == kind and (pl.unit_id is None or pl.unit_id in depth)
        ]
        return max(found, key=lambda pl: depth.get(pl.unit_id, 0), default=None)

    result = {}
    for unit in units:
        team_list = nearest(KIND_TEAM_STRUCTURE, unit)
        age_list = nearest(KIND_AGE_RULES, unit)
        result[unit.pk] = _rules_from(
            team_list,
            list(team_list.items.all()) if team_list else [],
            list(age_list.items.all()) if age_list else [],
        )
    return result


# --- F 9: the one-third rule --------------------------------------------------------------------


@dataclass(frozen=True)
class ShareCheck:
    """F 9 for one team: of `size` members, `count` served as township party/government head;
    at least `required` (size × numerator / denominator, rounded up) must have."""

    size: int
    count: int
    required: int
    shortfall: int
    ok: bool


def share_check(size: int, count: int, numerator: int = 1, denominator: int = 3) -> ShareCheck:
    """比例不少于三分之一 (F 9): exactly a third passes; a fraction of a person counts as one."""
    required = -(-size * numerator // denominator)
    shortfall = max(required - count, 0)
    return ShareCheck(size, count, required, shortfall, shortfall == 0)


# --- ZJK 12(四): township work of the county organs' leaders -----------------------------------


@dataclass
class OrganCheck:
    """The leaders of a county's organs at the list's levels: how many have `min_years` of
    township work, how many lack it, and how many of those took their post in the last
    `recent_years`."""

    leaders: int = 0
    with_years: int = 0
    lacking: int = 0
    recent_lacking: int = 0


@dataclass
class TeamSummary:
    county: Unit
    rules: TeamRules
    visible: bool
    share: ShareCheck | None = None
    organs: OrganCheck = field(default_factory=OrganCheck)

    @property
    def message(self):
        return "" if self.visible else NOT_MANAGED_MESSAGE

    @property
    def status(self) -> str:
        """ "hidden" (beyond the user's jurisdiction), "empty" (no team recorded), "ok" or
        "short"."""
        if not self.visible:
            return "hidden"
        if not self.share.size:
            return "empty"
        return "ok" if self.share.ok else "short"


def _level_orders(codes) -> dict[str, int]:
    return dict(PostLevel.objects.filter(code__in=set(codes)).values_list("code", "order"))


def _sees_levels(scope, codes, orders) -> bool:
    """Whether the user's jurisdiction reaches every post level of `codes`."""
    if scope.everything or scope.max_level_order is None:
        return True
    return all(orders.get(code, 0) <= scope.max_level_order for code in codes)


def recent_cutoff(rules: TeamRules, today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - rules.recent_years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - rules.recent_years, day=28)


def counties_for(user):
    """The county-level areas inside the user's jurisdiction, in tree order."""
    if not can_read(user):
        return Unit.objects.none()
    return (
        Unit.objects.restrict(user)
        .filter(kind=UnitKind.REGION, level=UnitLevel.COUNTY)
        .order_by("path")
    )


def _team_q(county_ids, kinds, levels):
    return Q(
        status=CadreStatus.ACTIVE,
        unit__parent_id__in=list(county_ids),
        unit__kind__in=list(kinds),
        post_level__code__in=list(levels),
    )


def _organ_q(counties, levels):
    paths = Q()
    for county in counties:
        paths |= Q(unit__path__startswith=county.path)
    return (
        Q(status=CadreStatus.ACTIVE, unit__level=UnitLevel.COUNTY, post_level__code__in=levels)
        & paths
        & ~Q(unit__kind__in=NOT_ORGAN_KINDS)
    )


def team_summaries(user, counties, *, today: datetime.date | None = None) -> list[TeamSummary]:
    """The F 9 and ZJK 12(四) numbers of each county, in five queries for any number of counties
    (lists, items, post levels, the team counts, the organ counts)."""
    counties = list(counties)
    if not counties:
        return []
    today = today or timezone.localdate()
    scope = access.scope_for(user)
    rules = rules_for(counties)
    orders = _level_orders(code for r in rules.values() for code in r.team_levels)
    summaries = {
        c.pk: TeamSummary(
            county=c,
            rules=rules[c.pk],
            visible=_sees_levels(scope, rules[c.pk].team_levels, orders),
        )
        for c in counties
    }
    cadres = Cadre.objects.restrict(user)

    # F 9: members and those with township head experience, per unit kind and post level.
    visible = [s for s in summaries.values() if s.visible]
    team_rows = defaultdict(list)
    if visible:
        kinds = {k for s in visible for k in s.rules.team_unit_kinds}
        levels = {lv for s in visible for lv in s.rules.team_levels}
        rows = (
            cadres.filter(_team_q([s.county.pk for s in visible], kinds, levels))
            .values("unit__parent_id", "unit__kind", "post_level__code")
            .annotate(size=Count("pk"), heads=Count("pk", filter=Q(served_township_head=True)))
            .order_by()
        )
        for row in rows:
            team_rows[row["unit__parent_id"]].append(row)
    for summary in visible:
        r = summary.rules
        size = heads = 0
        for row in team_rows[summary.county.pk]:
            if row["unit__kind"] in r.team_unit_kinds and row["post_level__code"] in r.team_levels:
                size += row["size"]
                heads += row["heads"]
        summary.share = share_check(size, heads, r.numerator, r.denominator)

    # ZJK 12(四): township years of the organs' leaders, per unit and post level.
    combos = sorted({(r.min_years, recent_cutoff(r, today)) for r in rules.values()})
    annotations = {}
    for i, (min_years, cutoff) in enumerate(combos):
        lacking = Q(township_years__lt=min_years)
        annotations[f"lacking_{i}"] = Count("pk", filter=lacking)
        annotations[f"recent_{i}"] = Count("pk", filter=lacking & Q(post_since__gte=cutoff))
    levels = sorted({lv for r in rules.values() for lv in r.years_levels})
    if levels:
        rows = (
            cadres.filter(_organ_q(counties, levels))
            .values("unit__path", "post_level__code")
            .annotate(leaders=Count("pk"), **annotations)
            .order_by()
        )
        for row in rows:
            unit_ids = [int(p) for p in row["unit__path"].strip("/").split("/") if p]
            summary = next((summaries[u] for u in unit_ids if u in summaries), None)
            if summary is None or row["post_level__code"] not in summary.rules.years_levels:
                continue
            r = summary.rules
            i = combos.index((r.min_years, recent_cutoff(r, today)))
            organs = summary.organs
            organs.leaders += row["leaders"]
            organs.lacking += row[f"lacking_{i}"]
            organs.recent_lacking += row[f"recent_{i}"]
            organs.with_years = organs.leaders - organs.lacking
    return [summaries[c.pk] for c in counties]


def team_summary(user, county, *, today=None) -> TeamSummary:
    return team_summaries(user, [county], today=today)[0]


# --- one team -----------------------------------------------------------------------------------


def team_members(user, summary: TeamSummary) -> list[Cadre]:
    """The members of a county's team the user may see (none when the team is beyond their
    jurisdiction), party committee first, senior first, each with `young_label`."""
    if not summary.visible:
        return []
    r = summary.rules
    members = list(
        Cadre.objects.restrict(user)
        .filter(_team_q([summary.county.pk], r.team_unit_kinds, r.team_levels))
        .select_related("unit", "post_level")
        .order_by("unit__sort_order", "unit__path", "-post_level__order", "name", "pk")
    )
    for cadre in members:
        cadre.young_label = r.young_label(cadre)
    return members


def organ_leaders(user, summary: TeamSummary, *, lacking_only=False, today=None):
    """The county organs' leaders at the list's levels (ZJK 12(四)), annotated `lacking`
    (under `min_years` of township work) and `recent_lacking` (lacking it, and in post for less
    than `recent_years`). Lacking first, then by unit and name."""
    r = summary.rules
    cutoff = recent_cutoff(r, today)
    lacking = Q(township_years__lt=r.min_years)
    qs = (
        Cadre.objects.restrict(user)
        .filter(_organ_q([summary.county], list(r.years_levels)))
        .select_related("unit", "post_level")
        .annotate(
            lacking=Case(
                When(lacking, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
            recent_lacking=Case(
                When(lacking & Q(post_since__gte=cutoff), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("-recent_lacking", "-lacking", "unit__path", "name", "pk")
    )
    if lacking_only:
        qs = qs.filter(lacking)
    return qs


class TeamFilterSet(django_filters.FilterSet):
    """The counties of the teams list (page and API), searched by name."""

    q = django_filters.CharFilter(
        field_name="name", lookup_expr="contains", label=_("县（市、区）")
    )

    class Meta:
        model = Unit
        fields = ["q"]
