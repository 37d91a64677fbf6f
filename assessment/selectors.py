"""Reads of the assessment app that other apps use (incentives: grades over the years)."""

from decimal import Decimal

from .models import AnnualGrade


def annual_grades(cadre_ids, years=None) -> dict[tuple[int, int], str]:
    """{(cadre id, year): grade} of the fixed (closed or fed back) annual grades."""
    qs = AnnualGrade.objects.filter(cadre_id__in=cadre_ids).exclude(cycle__status="open")
    if years is not None:
        qs = qs.filter(cycle__year__in=list(years))
    return {(c, y): g for c, y, g in qs.values_list("cadre_id", "cycle__year", "grade")}


def unit_results(unit_ids, year: int, quarter: int | None = None) -> dict[int, Decimal]:
    """{unit id: score} of the quarterly review — the year's mean over its quarters when no
    quarter is given. The third of the three links (X): selection is tied to the result of the
    cadre's unit; incentives reads it here."""
    from django.db.models import Avg

    from .models import UnitQuarterScore

    qs = UnitQuarterScore.objects.filter(unit_id__in=list(unit_ids), year=year)
    if quarter is not None:
        return dict(qs.filter(quarter=quarter).values_list("unit_id", "score"))
    return dict(qs.values("unit_id").annotate(mean=Avg("score")).values_list("unit_id", "mean"))
