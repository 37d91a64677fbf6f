"""Periodic work of the tolerance app. Each task is idempotent: running it twice notifies once."""

from celery import shared_task
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre.choices import Role
from cadre.models import Notification, User
from cadre.services import notify

from .choices import CaseStatus, ClearingStatus
from .models import Case, FollowUpVisit

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


def remind_follow_up_visits(today=None) -> int:
    """Remind the handling unit's staff of follow-up visits that fall due (回访, "一人一策、
    一件一档": the next visit planned at the last one), while the case or clearing is still
    being followed up. Each planned visit is reminded once. Returns how many reminders."""
    today = today or timezone.localdate()
    later = FollowUpVisit.objects.filter(
        Q(case_id=OuterRef("case_id"), case__isnull=False)
        | Q(clearing_id=OuterRef("clearing_id"), clearing__isnull=False),
        visited_on__gt=OuterRef("visited_on"),
    )
    due = (
        FollowUpVisit.objects.filter(next_visit_on__lte=today)
        .filter(
            Q(case__status__in=[CaseStatus.CORRECTING, CaseStatus.FOLLOW_UP])
            | Q(clearing__status__in=[ClearingStatus.CLARIFIED, ClearingStatus.FOLLOW_UP])
        )
        .exclude(Exists(later))
        .select_related("case__handling_unit", "clearing__handling_unit")
    )
    sent = 0
    for visit in due:
        parent = visit.case or visit.clearing
        if visit.case_id:
            link = reverse("tolerance:case_detail", args=[visit.case_id])
        else:
            link = reverse("tolerance:clearing_detail", args=[visit.clearing_id])
        recipients = User.objects.filter(
            unit_id=parent.handling_unit_id, is_active=True, roles__overlap=DEFAULT_OVERDUE_ROLES
        )
        key = f"tolerance.visit_due:{visit.pk}"
        if Notification.objects.filter(dedupe_key=key).exists():
            continue
        notify(
            recipients=list(recipients),
            kind="tolerance.visit_due",
            title=_("回访提醒：%(number)s") % {"number": parent.number},
            body=_("按计划应于%(date)s进行回访，请及时回访并登记回访情况。")
            % {"date": visit.next_visit_on},
            link=link,
            dedupe_key=key,
        )
        sent += 1
    return sent


@shared_task
def remind_follow_up_visits_task():
    return remind_follow_up_visits()
