"""职级晋升 under 职务与职级并行 (F 10; F 7; DOMAIN §3 "Rank promotion"): who may be promoted
to the next rank now, and why or why not, one reason per rule of the lists
`incentives.rank_ladder` and `incentives.rank_rules` that apply at the cadre's unit.

- Only serving civil servants (行政编制) are promoted on the rank ladder.
- Years in the current rank run from `rank_since`; a year whose annual grade is not among the
  counted grades (基本称职) does not count, nor an ungraded year unless the rules count it;
  a blocking grade (不称职) since then blocks.
- A sanction or 能上能下 action in its impact period blocks until the period ends; a matter
  exempted by a tolerance case (免责) is never held against the cadre (DOMAIN §3 last rule).
- An assessment restriction (限制职务晋升) blocks while it applies.
- 连续多年年度考核优秀 → 同等条件下优先晋升职级 (F 7).

`_evaluate` is the one place the rules are applied: it records what each rule found (counted
months, the years not counted, blocking grades, holds, restrictions, the 优秀 streak) and which
rules are not met. The reason sentences are written from those findings only when they are read
(`RankEligibility.reasons`): one cadre's check, the rows of a page, the export.

Everything is computed in a constant number of queries per chunk of `CHUNK` cadres: the
published lists of both kinds are read once and resolved per unit (nearest up the tree) in
Python. The jurisdiction's list (`eligible_now`) reads only the columns the rules need and
loads the full record of a cadre only for the rows shown or exported."""

import copy
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from assessment.choices import Grade
from cadre.choices import CadreStatus, PolicyStatus, StaffingType
from cadre.models import Cadre, PolicyList, Rank, Unit

from .choices import KIND_RANK_LADDER, KIND_RANK_RULES
from .selectors import (
    cadres_on_record,
    excellent_streak,
    grades_by_cadre,
    holds_on,
    restrictions_on,
)

# Cadres whose grades, holds and restrictions are read together (one query each per chunk).
CHUNK = 5000

# Stable codes of the reasons, one per rule.
APPLICABLE = "applicable"
RANK_RECORDED = "rank_recorded"
NEXT_RANK = "next_rank"
MIN_YEARS = "min_years"
BLOCKING_GRADES = "blocking_grades"
HOLDS = "holds"
RESTRICTION = "restriction"
PRIORITY = "excellent_priority"
REASON_LABELS = {
    APPLICABLE: _lazy("适用范围"),
    RANK_RECORDED: _lazy("现任职级"),
    NEXT_RANK: _lazy("上一职级"),
    MIN_YEARS: _lazy("任职年限"),
    BLOCKING_GRADES: _lazy("年度考核等次"),
    HOLDS: _lazy("处理处分和能上能下影响期"),
    RESTRICTION: _lazy("限制职务晋升"),
    PRIORITY: _lazy("优先晋升"),
}

# The params of `incentives.rank_rules` when a unit's list leaves an item out.
DEFAULT_RULES = {
    "counted_grades": {"grades": [Grade.EXCELLENT, Grade.COMPETENT]},
    "blocking_grades": {"grades": [Grade.INCOMPETENT]},
    "ungraded_years": {"count": True},
    "excellent_priority": {"min_consecutive": 3},
    "restriction_blocks": {"blocks": True, "years_after": 1},
}


@dataclass(frozen=True)
class Reason:
    """One rule's verdict: `blocking` rules decide eligibility, the others only inform."""

    code: str
    passed: bool
    text: str
    blocking: bool = True

    @property
    def label(self):
        return REASON_LABELS.get(self.code, self.code)


@dataclass(slots=True)
class RankEligibility:
    """What the rules found for one cadre on `on`. `failed` holds the codes of the blocking
    rules not met; eligible exactly when there are none."""

    cadre: Cadre
    on: date
    applicable: bool = False
    eligible: bool = False
    current_rank: Rank | None = None
    rank_since: date | None = None
    next_rank: Rank | None = None
    ladder_item_code: str = ""
    ladder_item_label: str = ""
    min_years: int | None = None
    counted_months: int | None = None
    uncounted: tuple = ()  # (year, grade or None) of the years not counted
    blocking_years: tuple = ()  # (year, grade) of the blocking grades since `rank_since`
    holds: tuple = ()  # selectors.Hold in their impact period on `on`
    restrictions: tuple = ()  # the 限制职务晋升 consequences still applying on `on`
    priority: bool = False
    streak: int = 0
    rules: "UnitRules | None" = None
    failed: tuple = ()
    _reasons: list | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def ladder_list(self) -> PolicyList | None:
        return self.rules.ladder_list if self.rules else None

    @property
    def rules_list(self) -> PolicyList | None:
        return self.rules.rules_list if self.rules else None

    @property
    def counted_text(self) -> str:
        return months_text(self.counted_months) if self.counted_months is not None else ""

    @property
    def not_counted(self) -> list[str]:
        return [_uncounted_text(year, grade) for year, grade in self.uncounted]

    @property
    def reasons(self) -> list[Reason]:
        """Every rule's reason in the order the rules are checked, written on first read."""
        if self._reasons is None:
            self._reasons = _explain(self)
        return self._reasons

    @property
    def failed_reasons(self) -> list[Reason]:
        return [r for r in self.reasons if r.blocking and not r.passed]


# --- dates --------------------------------------------------------------------------------


def cn_date(day: date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def months_text(months: int) -> str:
    years, rest = divmod(max(months, 0), 12)
    if years and rest:
        return _("%(y)s年%(m)s个月") % {"y": years, "m": rest}
    if years:
        return _("%(y)s年") % {"y": years}
    return _("%(m)s个月") % {"m": rest}


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- the policy lists, resolved per unit ----------------------------------------------------


class UnitRules:
    """The rank ladder and the rank rules applying at a unit, read into what the checks
    compare: the step up from each rank (the first ladder item listing it) with its minimum
    years, and the params of `incentives.rank_rules` (defaults for the items left out)."""

    def __init__(self, ladder_list, ladder, rules_list, rule_items):
        self.ladder_list, self.rules_list = ladder_list, rules_list
        self.steps = {}
        for item in ladder:
            params = item.params or {}
            for code in params.get("from_ranks", []):
                self.steps.setdefault(code, (item, int(params.get("min_years") or 0)))
        params = rules_params(rule_items)
        self.counted_grades = frozenset(params["counted_grades"].get("grades", []))
        self.count_ungraded = bool(params["ungraded_years"].get("count", True))
        self.blocking_grades = frozenset(params["blocking_grades"].get("grades", []))
        self.blocking_labels = [
            Grade(g).label for g in sorted(self.blocking_grades) if g in Grade.values
        ]
        self.priority_needed = int(params["excellent_priority"].get("min_consecutive", 3))
        self.restriction_blocks = bool(params["restriction_blocks"].get("blocks", True))
        self.restriction_years = int(params["restriction_blocks"].get("years_after", 1))


class RankPolicies:
    """Every published rank ladder and rank-rules list (two queries), resolved for a unit the
    way `cadre.selectors.policy_list_for` does: the nearest list up the tree, else the
    nationwide default. The ranks are read once, on first use."""

    def __init__(self):
        lists = PolicyList.objects.filter(
            kind__in=[KIND_RANK_LADDER, KIND_RANK_RULES], status=PolicyStatus.PUBLISHED
        ).prefetch_related("items")
        self._by_key = {}
        for policy_list in lists:
            self._by_key[(policy_list.kind, policy_list.unit_id)] = (
                policy_list,
                list(policy_list.items.all()),
            )
        self._at_unit: dict[int | None, UnitRules] = {}
        self._by_lists: dict[tuple, UnitRules] = {}
        self._ranks: list[Rank] | None = None

    def for_unit(self, kind, unit):
        for unit_id in reversed(unit.ancestor_ids if unit is not None else []):
            if (kind, unit_id) in self._by_key:
                return self._by_key[(kind, unit_id)]
        return self._by_key.get((kind, None), (None, []))

    def rules_at(self, unit) -> UnitRules:
        """The rules applying at `unit` (anything with `pk` and `ancestor_ids`)."""
        key = unit.pk if unit is not None else None
        found = self._at_unit.get(key)
        if found is None:
            ladder_list, ladder = self.for_unit(KIND_RANK_LADDER, unit)
            rules_list, rule_items = self.for_unit(KIND_RANK_RULES, unit)
            lists = (getattr(ladder_list, "pk", None), getattr(rules_list, "pk", None))
            found = self._by_lists.get(lists)
            if found is None:
                found = self._by_lists[lists] = UnitRules(
                    ladder_list, ladder, rules_list, rule_items
                )
            self._at_unit[key] = found
        return found

    def _all_ranks(self) -> list[Rank]:
        if self._ranks is None:
            self._ranks = list(Rank.objects.all())
        return self._ranks

    @property
    def ranks_by_code(self) -> dict[str, Rank]:
        return {r.code: r for r in self._all_ranks()}

    @property
    def ranks_by_id(self) -> dict[int, Rank]:
        return {r.pk: r for r in self._all_ranks()}

    def ladders(self):
        return [
            items
            for (kind, _unit), (_list, items) in self._by_key.items()
            if kind == KIND_RANK_LADDER
        ]

    def from_rank_codes(self) -> set[str]:
        return {
            code
            for items in self.ladders()
            for item in items
            for code in (item.params or {}).get("from_ranks", [])
        }

    def smallest_min_years(self) -> int:
        years = [
            int((item.params or {}).get("min_years") or 0)
            for items in self.ladders()
            for item in items
        ]
        return min(years, default=0)

    def max_restriction_years(self) -> int:
        values = [
            int(rules_params(items)["restriction_blocks"].get("years_after", 1))
            for (kind, _unit), (_list, items) in self._by_key.items()
            if kind == KIND_RANK_RULES
        ]
        return max(values, default=1)


def rules_params(items) -> dict:
    params = {code: dict(values) for code, values in DEFAULT_RULES.items()}
    for item in items:
        params[item.code] = {**params.get(item.code, {}), **(item.params or {})}
    return params


# --- the selector -----------------------------------------------------------------------------


def rank_candidates(queryset, on: date | None = None, policies: RankPolicies | None = None):
    """The cadres of `queryset` who could be eligible on `on`, narrowed in SQL: serving civil
    servants whose rank is on a ladder and who have held it at least the smallest minimum
    number of years of any ladder."""
    on = on or timezone.localdate()
    policies = policies or RankPolicies()
    cutoff = years_before(on, policies.smallest_min_years())
    return queryset.filter(
        status=CadreStatus.ACTIVE,
        staffing_type=StaffingType.ADMINISTRATIVE,
        rank__code__in=policies.from_rank_codes(),
        rank_since__lte=cutoff,
    )


def rank_eligibility(
    cadres, on: date | None = None, policies: RankPolicies | None = None, *, on_record=None
):
    """[RankEligibility] for `cadres` (with `unit` and `rank` loaded), in their order.
    `on_record`: the ids of the cadres with any sanction, 能上能下 action or assessment
    consequence on record (see `cadres_on_record`); the others have nothing held against them
    and their holds and restrictions are not looked up. None: look them up for everyone."""
    on = on or timezone.localdate()
    cadres = list(cadres)
    policies = policies or RankPolicies()
    if not cadres:
        return []
    ids = [c.pk for c in cadres]
    ranks = policies.ranks_by_code
    grades = grades_by_cadre(ids)
    looked_up = ids if on_record is None else [pk for pk in ids if pk in on_record]
    holds = holds_on(looked_up, on) if looked_up else {}
    restrictions = (
        restrictions_on(looked_up, on, policies.max_restriction_years()) if looked_up else {}
    )
    return [
        _evaluate(
            cadre,
            on,
            policies.rules_at(cadre.unit),
            ranks,
            grades.get(cadre.pk, {}),
            holds.get(cadre.pk, ()),
            restrictions.get(cadre.pk, ()),
        )
        for cadre in cadres
    ]


def cadre_rank_eligibility(cadre, on: date | None = None) -> RankEligibility:
    return rank_eligibility([cadre], on)[0]


class _Candidate:
    """The columns of a cadre the rules read (the jurisdiction's list evaluates these; the
    full record is loaded for the rows shown)."""

    __slots__ = ("pk", "unit", "rank", "rank_since", "status", "staffing_type")

    def __init__(self, pk, unit, rank, rank_since, status, staffing_type):
        self.pk, self.unit, self.rank = pk, unit, rank
        self.rank_since, self.status, self.staffing_type = rank_since, status, staffing_type


class EligibleList:
    """The eligible cadres in list order (priority first). Its length is exact; the rows read
    (a page by slicing, every row by iterating) carry the cadre's full record, loaded in one
    query per chunk, and write their reasons when read."""

    def __init__(self, results):
        self._results = results

    def __len__(self):
        return len(self._results)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return _with_cadres(self._results[index])
        return _with_cadres([self._results[index]])[0]

    def __iter__(self):
        for start in range(0, len(self._results), CHUNK):
            yield from _with_cadres(self._results[start : start + CHUNK])


def _with_cadres(results):
    """Copies of `results` carrying each cadre's full record (unit and rank loaded)."""
    cadres = Cadre.objects.select_related("unit", "rank").in_bulk([r.cadre.pk for r in results])
    shown = []
    for result in results:
        cadre = cadres.get(result.cadre.pk)
        if cadre is not None:  # not deleted since the check
            shown.append(copy.copy(result))
            shown[-1].cadre = cadre
    return shown


def eligible_now(queryset, on: date | None = None, narrow=None) -> EligibleList:
    """The eligible cadres of `queryset` (already restricted to the user's scope), priority
    first, else in the queryset's order: prefiltered in SQL, then every rule checked in Python
    chunk by chunk. `narrow` (a function of a list of results) keeps some of each chunk."""
    on = on or timezone.localdate()
    policies = RankPolicies()
    ranks = policies.ranks_by_id
    candidates = rank_candidates(queryset, on, policies)
    rows = list(
        candidates.values_list(
            "pk", "unit_id", "unit__path", "rank_id", "rank_since", "status", "staffing_type"
        )
    )
    on_record = cadres_on_record(candidates)
    units: dict[int, Unit] = {}
    eligible = []
    for start in range(0, len(rows), CHUNK):
        cadres = []
        for pk, unit_id, path, rank_id, since, status, staffing in rows[start : start + CHUNK]:
            unit = units.get(unit_id)
            if unit is None:
                unit = units[unit_id] = Unit(pk=unit_id, path=path)
            cadres.append(_Candidate(pk, unit, ranks.get(rank_id), since, status, staffing))
        checked = rank_eligibility(cadres, on, policies, on_record=on_record)
        results = [r for r in checked if r.eligible]
        eligible.extend(narrow(results) if narrow else results)
    eligible.sort(key=lambda r: not r.priority)  # stable: keeps the queryset's order
    return EligibleList(eligible)


# --- the rules ----------------------------------------------------------------------------------


def _evaluate(cadre, on, rules, ranks, grades, holds, restrictions) -> RankEligibility:
    """Every rule applied to `cadre` (a `Cadre` or a `_Candidate`) under the unit's `rules`,
    given its grades {year: grade}, holds and restrictions: what each rule found, no text."""
    rank, since = cadre.rank, cadre.rank_since
    result = RankEligibility(cadre=cadre, on=on, current_rank=rank, rank_since=since, rules=rules)
    if cadre.status != CadreStatus.ACTIVE or cadre.staffing_type != StaffingType.ADMINISTRATIVE:
        result.failed = (APPLICABLE,)
        return result
    result.applicable = True
    if rank is None or since is None:
        result.failed = (RANK_RECORDED,)
        return result
    step = rules.steps.get(rank.code)
    if step is None:
        result.failed = (NEXT_RANK,)
        return result
    item, min_years = step
    result.ladder_item_code, result.ladder_item_label = item.code, item.label
    result.next_rank = ranks.get(item.code)

    failed = []
    if not _check_years(result, since, on, min_years, rules, grades):
        failed.append(MIN_YEARS)
    if not _check_blocking_grades(result, since, rules, grades):
        failed.append(BLOCKING_GRADES)
    if holds:
        result.holds = tuple(holds)
        failed.append(HOLDS)
    if not _check_restrictions(result, on, rules, restrictions):
        failed.append(RESTRICTION)
    result.streak = excellent_streak(grades, up_to_year=on.year) if grades else 0
    result.priority = rules.priority_needed > 0 and result.streak >= rules.priority_needed
    result.failed = tuple(failed)
    result.eligible = not failed
    return result


def _check_years(result, since, on, min_years, rules, grades) -> bool:
    total = months_between(since, on)
    deducted = 0
    uncounted = []
    if grades or not rules.count_ungraded:
        for year in range(since.year, on.year + 1):
            grade = grades.get(year)
            if grade is None and rules.count_ungraded:
                continue
            if grade is not None and grade in rules.counted_grades:
                continue
            months = months_between(max(since, date(year, 1, 1)), min(on, date(year + 1, 1, 1)))
            if not months:
                continue
            deducted += months
            uncounted.append((year, grade))
    result.min_years = min_years
    result.counted_months = max(total - deducted, 0)
    result.uncounted = tuple(uncounted)
    return result.counted_months >= min_years * 12


def _check_blocking_grades(result, since, rules, grades) -> bool:
    if grades:
        blocking = rules.blocking_grades
        found = sorted((y, g) for y, g in grades.items() if y >= since.year and g in blocking)
        result.blocking_years = tuple(found)
    return not result.blocking_years


def _check_restrictions(result, on, rules, restrictions) -> bool:
    result.restrictions = tuple(
        c for c in restrictions if c.year + rules.restriction_years >= on.year
    )
    return not (result.restrictions and rules.restriction_blocks)


# --- the reasons, written from what the rules found ---------------------------------------------


def _uncounted_text(year, grade) -> str:
    if grade is None:
        return _("%(year)s年度尚未确定考核等次") % {"year": year}
    return _("%(year)s年度考核%(grade)s") % {"year": year, "grade": Grade(grade).label}


def _explain(result) -> list[Reason]:
    cadre, rank = result.cadre, result.current_rank
    if not result.applicable:
        text = _("职级晋升适用于在职公务员（行政编制）；%(name)s为%(staffing)s、%(status)s，不适用")
        words = {
            "name": cadre.name,
            "staffing": cadre.get_staffing_type_display(),
            "status": cadre.get_status_display(),
        }
        return [Reason(APPLICABLE, False, text % words)]
    reasons = [Reason(APPLICABLE, True, _("在职公务员（行政编制），适用公务员职级晋升"))]

    if RANK_RECORDED in result.failed:
        missing = _("现任职级") if rank is None else _("任现职级时间")
        text = _("未登记%(missing)s，无法计算任职年限，请先完善干部信息") % {"missing": missing}
        return [*reasons, Reason(RANK_RECORDED, False, text)]
    since = cn_date(result.rank_since)
    reasons.append(
        Reason(
            RANK_RECORDED, True, _("%(since)s起任%(rank)s") % {"since": since, "rank": rank.name}
        )
    )

    if NEXT_RANK in result.failed:
        text = _("%(rank)s已是本地区职级晋升清单的最高职级，没有可晋升的上一职级")
        return [*reasons, Reason(NEXT_RANK, False, text % {"rank": rank.name})]
    next_name = result.next_rank.name if result.next_rank else result.ladder_item_code
    text = _("可晋升的上一职级为%(next)s（%(rule)s）")
    reasons.append(
        Reason(NEXT_RANK, True, text % {"next": next_name, "rule": result.ladder_item_label})
    )

    reasons.append(_years_reason(result, rank))
    reasons.append(_grades_reason(result))
    reasons.extend(_hold_reasons(result))
    reasons.extend(_restriction_reasons(result))
    reasons.append(_priority_reason(result))
    return reasons


def _years_reason(result, rank) -> Reason:
    detail = _("计算任职年限%(counted)s") % {"counted": months_text(result.counted_months)}
    if result.uncounted:
        detail += _("，其中%(years)s不计算") % {"years": "、".join(result.not_counted)}
    words = {"rank": rank.name, "years": result.min_years, "detail": detail}
    if MIN_YEARS in result.failed:
        return Reason(MIN_YEARS, False, _("任%(rank)s未满%(years)s年（%(detail)s）") % words)
    return Reason(MIN_YEARS, True, _("任%(rank)s已满%(years)s年（%(detail)s）") % words)


def _grades_reason(result) -> Reason:
    if result.blocking_years:
        years = "、".join(
            _("%(year)s年度考核%(grade)s") % {"year": y, "grade": Grade(g).label}
            for y, g in result.blocking_years
        )
        text = _("任现职级期间%(years)s，不得晋升职级") % {"years": years}
        return Reason(BLOCKING_GRADES, False, text)
    labels = "、".join(str(label) for label in result.rules.blocking_labels)
    text = _("任现职级期间无%(grades)s等次") % {"grades": labels or _("影响晋升的考核")}
    return Reason(BLOCKING_GRADES, True, text)


def _hold_reasons(result) -> list[Reason]:
    if not result.holds:
        return [Reason(HOLDS, True, _("不在处理处分或能上能下影响期内"))]
    reasons = []
    for hold in result.holds:
        if hold.kind == "adjustment":
            what = _("%(since)s被%(label)s（能上能下）")
        else:
            what = _("%(since)s受%(label)s")
        what = what % {"label": hold.label, "since": cn_date(hold.since)}
        if hold.until is None:
            text = _("%(what)s，影响期待确认，暂不得晋升职级") % {"what": what}
        else:
            text = _("%(what)s，影响期至%(until)s，期内不得晋升职级") % {
                "what": what,
                "until": cn_date(hold.until),
            }
        reasons.append(Reason(HOLDS, False, str(text)))
    return reasons


def _restriction_reasons(result) -> list[Reason]:
    if not result.restrictions:
        return [Reason(RESTRICTION, True, _("未被限制职务晋升"))]
    blocks = result.rules.restriction_blocks
    reasons = []
    for consequence in result.restrictions:
        words = {
            "year": consequence.year,
            "kind": consequence.get_kind_display(),
            "cause": consequence.get_cause_display(),
        }
        if blocks:
            text = _("%(year)s年度%(cause)s，%(kind)s，期间不得晋升职级") % words
        else:
            text = _("%(year)s年度%(cause)s，%(kind)s（本地区清单规定不影响职级晋升）") % words
        reasons.append(Reason(RESTRICTION, not blocks, text))
    return reasons


def _priority_reason(result) -> Reason:
    if result.priority:
        text = _("连续%(n)s年年度考核优秀，同等条件下优先晋升职级") % {"n": result.streak}
    else:
        text = _("连续优秀%(n)s年（不足%(needed)s年），无优先晋升标记") % {
            "n": result.streak,
            "needed": result.rules.priority_needed,
        }
    return Reason(PRIORITY, result.priority, text, blocking=False)


def rank_eligible_list(user, data=None, on: date | None = None):
    """(filterset, eligible) of the cadres eligible now inside the user's jurisdiction,
    filtered as the page, the export and the API ask: `eligible` is an `EligibleList` (exact
    length; a page by slicing, every row by iterating)."""
    from .filtersets_rank import RankEligibilityFilterSet
    from .models.common import can_read

    queryset = Cadre.objects.restrict(user, "view") if can_read(user) else Cadre.objects.none()
    filterset = RankEligibilityFilterSet(data or {}, queryset=queryset)
    if not filterset.is_valid():
        return filterset, EligibleList([])
    return filterset, eligible_now(filterset.qs, on, narrow=filterset.narrow)


def rank_cadres_in_scope(user):
    """The cadres whose rank-promotion check the user may read (any cadre in jurisdiction)."""
    from .models.common import can_read

    if not can_read(user):
        return Cadre.objects.none()
    return Cadre.objects.restrict(user, "view").select_related("unit", "rank", "post_level")
