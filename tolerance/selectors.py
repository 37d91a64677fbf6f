"""Reads of the tolerance app that encode a rule, reused by pages, the API, exports, tasks and
other apps (assessment and incentives ask here whether something is held against a cadre)."""

from datetime import date

from django.db.models import Case as When_
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone

from .choices import (
    CLEARED_CONCLUSIONS,
    OPEN_CASE_STATUSES,
    Answer,
    ClearingConclusion,
    MatterStatus,
    Outcome,
)
from .models import AccountabilityMatter, Case, ChecklistAnswer, ClearingMatter


def case_worklist(user, *, today: date | None = None):
    """An inspector's worklist: the cases the user may see, overdue first, then by deadline."""
    today = today or timezone.localdate()
    overdue = When_(
        When(status__in=OPEN_CASE_STATUSES, due_on__lt=today, then=Value(0)),
        When(status__in=OPEN_CASE_STATUSES, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Case.objects.restrict(user)
        .select_related("handling_unit", "party_org")
        .annotate(urgency=overdue)
        .order_by("urgency", "due_on", "-id")
    )


def exempted_pairs(cadre_ids) -> set[tuple[int, int]]:
    """(cadre id, case id) of every case that exempted the cadre (免责)."""
    through = Case.cadres.through
    return set(
        through.objects.filter(cadre_id__in=cadre_ids, case__outcome=Outcome.EXEMPT).values_list(
            "cadre_id", "case_id"
        )
    )


def accountability_held_against(cadre_ids, *, since: date | None = None, until: date | None = None):
    """The one query assessment and promotion use: the accountability decisions held against
    each cadre — decided matters, minus those whose tolerance case exempted that cadre (J 三(五)2:
    an exempted cadre is judged objectively in assessment, promotion and awards). Rows of
    (cadre_id, matter_id, decided_on, form, form_label)."""
    through = AccountabilityMatter.cadres.through
    exempted = Case.objects.filter(
        matter_id=OuterRef("accountabilitymatter_id"),
        cadres=OuterRef("cadre_id"),
        outcome=Outcome.EXEMPT,
    )
    qs = through.objects.filter(
        cadre_id__in=cadre_ids, accountabilitymatter__status=MatterStatus.DECIDED
    ).exclude(Exists(exempted))
    if since is not None:
        qs = qs.filter(accountabilitymatter__decided_on__gte=since)
    if until is not None:
        qs = qs.filter(accountabilitymatter__decided_on__lte=until)
    return qs.values_list(
        "cadre_id",
        "accountabilitymatter_id",
        "accountabilitymatter__decided_on",
        "accountabilitymatter__form",
        "accountabilitymatter__form_label",
    )


def is_held_against(cadre_id: int, matter_id: int) -> bool:
    return any(row[1] == matter_id for row in accountability_held_against([cadre_id]))


def unfounded_reports(user, unit, start: date, end: date):
    """Clearing matters concluded unfounded or false in a period: the periodic list."""
    return (
        ClearingMatter.objects.restrict(user)
        .filter(
            handling_unit__path__startswith=unit.path,
            conclusion__in=CLEARED_CONCLUSIONS,
            concluded_on__range=(start, end),
        )
        .order_by("concluded_on", "id")
    )


def case_statistics(user, *, year: int | None = None, unit=None):
    """Counts for the statistics page: by year and outcome, by situation, by unit, by status."""
    cases = Case.objects.restrict(user)
    if unit is not None:
        cases = cases.filter(handling_unit__path__startswith=unit.path)
    by_year = list(
        cases.annotate(year=ExtractYear("created_at"))
        .values("year", "outcome")
        .annotate(n=Count("id"))
        .order_by("year", "outcome")
    )
    if year is not None:
        cases = cases.filter(created_at__year=year)
    by_status = list(cases.values("status").annotate(n=Count("id")).order_by("status"))
    by_unit = list(
        cases.values("handling_unit__name", "handling_unit_id")
        .annotate(
            n=Count("id"),
            tolerated=Count(
                "id", filter=Q(outcome__in=[Outcome.EXEMPT, Outcome.LIGHTER, Outcome.MITIGATED])
            ),
        )
        .order_by("-n", "handling_unit__name")[:50]
    )
    by_situation = list(
        ChecklistAnswer.objects.filter(
            case__in=cases, answer=Answer.YES, item__policy_list__kind="tolerance.situations"
        )
        .values("item__code", "item__label")
        .annotate(n=Count("case", distinct=True))
        .order_by("-n", "item__code")
    )
    by_outcome = list(cases.values("outcome").annotate(n=Count("id")).order_by("outcome"))
    return {
        "by_year": by_year,
        "by_status": by_status,
        "by_unit": by_unit,
        "by_situation": by_situation,
        "by_outcome": by_outcome,
        "total": cases.count(),
    }


def clearing_statistics(user, *, year: int | None = None, unit=None):
    qs = ClearingMatter.objects.restrict(user)
    if unit is not None:
        qs = qs.filter(handling_unit__path__startswith=unit.path)
    if year is not None:
        qs = qs.filter(received_on__year=year)
    through = ClearingMatter.cadres.through
    cleared = qs.filter(conclusion__in=CLEARED_CONCLUSIONS)
    return {
        "total": qs.count(),
        "cleared_cadres": through.objects.filter(clearingmatter__in=cleared)
        .values("cadre_id")
        .distinct()
        .count(),
        "cleared_orgs": cleared.filter(party_org__isnull=False).count(),
        "false_accusations": qs.filter(conclusion=ClearingConclusion.FALSE_ACCUSATION).count(),
        "blacklisted": qs.filter(conclusion=ClearingConclusion.FALSE_ACCUSATION).aggregate(
            n=Count("blacklist_entries")
        )["n"],
    }
