"""The facts every promotion and award check reads, in a constant number of queries for any
number of cadres: what is held against a cadre on a date (sanctions and 能上能下 actions in
their impact period, assessment restrictions) and the annual grades with their 优秀 streaks.

A tolerated cadre (免责, DOMAIN §3 last rule; J 三(五)2) is never disadvantaged: a ledger
entry that came from an accountability matter counts only while the tolerance app still holds
that matter against the cadre."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from assessment.models import Consequence
from assessment.rankings import restrictions_for
from assessment.selectors import annual_grades
from tolerance.selectors import accountability_held_against

from .choices import AdjustmentStatus
from .models import Adjustment, Sanction
from .models.ledger import BLOCKING_SANCTION_STATUSES

EXCELLENT = "excellent"


@dataclass(frozen=True)
class Hold:
    """Something that blocks promotion, rank promotion and awards until `until`."""

    kind: str  # "sanction" | "adjustment"
    pk: int
    label: str
    since: date
    until: date | None  # None: the kind (and so the period) is still to be confirmed


def holds_on(cadre_ids, on: date) -> dict[int, list[Hold]]:
    """{cadre id: [Hold]} of the sanctions and 能上能下 actions whose impact period covers
    `on` (decided on or before it, ending on or after it). Two queries, plus one for the
    accountability matters behind ledger entries when there are any."""
    cadre_ids = list(cadre_ids)
    found: dict[int, list[Hold]] = defaultdict(list)
    sanctions = list(
        Sanction.objects.filter(
            cadre_id__in=cadre_ids,
            status__in=BLOCKING_SANCTION_STATUSES,
            decided_on__lte=on,
        )
        .filter(Q(impact_until__isnull=True) | Q(impact_until__gte=on))
        .order_by("decided_on", "pk")
    )
    with_matter = {s.cadre_id for s in sanctions if s.matter_id}
    held = set()
    if with_matter:
        held = {(c, m) for c, m, *_ in accountability_held_against(with_matter)}
    for s in sanctions:
        if s.matter_id and (s.cadre_id, s.matter_id) not in held:
            continue  # exempted by a tolerance case (免责): not held against the cadre
        found[s.cadre_id].append(
            Hold(
                "sanction",
                s.pk,
                s.kind_label or "处理处分（种类待确认）",
                s.decided_on,
                s.impact_until,
            )
        )
    adjustments = Adjustment.objects.filter(
        cadre_id__in=cadre_ids,
        status__in=[AdjustmentStatus.IN_EFFECT, AdjustmentStatus.REVIEW],
        decided_on__lte=on,
        impact_until__gte=on,
    ).order_by("decided_on", "pk")
    for a in adjustments:
        found[a.cadre_id].append(
            Hold("adjustment", a.pk, a.get_action_display(), a.decided_on, a.impact_until)
        )
    return dict(found)


def cadres_on_record(queryset) -> set[int]:
    """The ids of the cadres of `queryset` with any sanction, 能上能下 action or assessment
    consequence on record, whatever its status or period: the only cadres `holds_on` and
    `restrictions_on` can find anything for (keep it in step with the tables they read). One
    query."""
    ids = queryset.order_by().values("pk")
    first, *others = (
        model.objects.filter(cadre_id__in=ids).values_list("cadre_id", flat=True)
        for model in (Sanction, Adjustment, Consequence)
    )
    return set(first.union(*others))


def grades_by_cadre(cadre_ids, years=None) -> dict[int, dict[int, str]]:
    """{cadre id: {year: grade}} of the fixed annual grades. One query."""
    by_cadre: dict[int, dict[int, str]] = defaultdict(dict)
    for (cadre_id, year), grade in annual_grades(list(cadre_ids), years=years).items():
        by_cadre[cadre_id][year] = grade
    return dict(by_cadre)


def excellent_streak(grades: dict[int, str], up_to_year: int | None = None) -> int:
    """The number of consecutive 优秀 years ending with the latest graded year (up to
    `up_to_year`): 连续多年年度考核优秀 (F 7)."""
    years = sorted((y for y in grades if up_to_year is None or y <= up_to_year), reverse=True)
    streak = 0
    expected = years[0] if years else None
    for year in years:
        if year != expected or grades[year] != EXCELLENT:
            break
        streak += 1
        expected = year - 1
    return streak


def restrictions_on(cadre_ids, on: date, years_after: int = 1) -> dict[int, list]:
    """{cadre id: [assessment Consequence]} of the 限制职务晋升 consequences (X: ranked low
    two years running) that still apply on `on`: one decided for year Y holds through year
    Y + `years_after` (the rank rules' `restriction_blocks` item gives the number). One query."""
    return {
        cadre_id: current
        for cadre_id, found in restrictions_for(list(cadre_ids)).items()
        if (current := [c for c in found if c.year + years_after >= on.year])
    }
