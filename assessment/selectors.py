"""Reads of the assessment app that other apps use (incentives: grades over the years)."""

from .models import AnnualGrade


def annual_grades(cadre_ids, years=None) -> dict[tuple[int, int], str]:
    """{(cadre id, year): grade} of the fixed (closed or fed back) annual grades."""
    qs = AnnualGrade.objects.filter(cadre_id__in=cadre_ids).exclude(cycle__status="open")
    if years is not None:
        qs = qs.filter(cycle__year__in=list(years))
    return {(c, y): g for c, y, g in qs.values_list("cadre_id", "cycle__year", "grade")}
