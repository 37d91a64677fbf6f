"""Periodic work of the tolerance app. Each task is idempotent: running it twice notifies once."""

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre.choices import Role
from cadre.models import User
from cadre.services import notify

from .choices import CaseStatus
from .models import Case

# Who is told that a case is overdue in a state: the implementing bodies, and the committee
# while the case waits for its decision.
OVERDUE_ROLES = {
    CaseStatus.PRELIMINARY: [Role.COMMITTEE, Role.DISCIPLINE, Role.ORGANISATION],
}
DEFAULT_OVERDUE_ROLES = [Role.DISCIPLINE, Role.ORGANISATION]


def flag_overdue_cases(today=None) -> int:
    """Flag every open case past its state's deadline and notify the handling unit's staff,
    once per state the case is in. Returns how many cases were flagged now."""
    today = today or timezone.localdate()
    flagged = 0
    ids = list(
        Case.objects.overdue(today)
        .filter(overdue_notified_on__isnull=True)
        .values_list("pk", flat=True)
    )
    for case_id in ids:
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("handling_unit")
                .filter(pk=case_id, overdue_notified_on__isnull=True, due_on__lt=today)
                .first()
            )
            if case is None or not case.is_open:
                continue
            roles = OVERDUE_ROLES.get(case.status, DEFAULT_OVERDUE_ROLES)
            recipients = User.objects.filter(
                unit_id=case.handling_unit_id, is_active=True, roles__overlap=roles
            )
            notify(
                recipients=list(recipients),
                kind="tolerance.case_overdue",
                title=_("容错案件超期：%(number)s %(title)s")
                % {"number": case.number, "title": case.title},
                body=_("“%(status)s”环节的办理期限为%(due)s，已超期，请尽快办理。")
                % {"status": case.get_status_display(), "due": case.due_on},
                link=reverse("tolerance:case_detail", args=[case.pk]),
                dedupe_key=f"tolerance.overdue:{case.pk}:{case.status}:{case.due_on}",
            )
            case.overdue_notified_on = today
            case.save(update_fields=["overdue_notified_on"])
            flagged += 1
    return flagged


@shared_task
def flag_overdue_cases_task():
    return flag_overdue_cases()
