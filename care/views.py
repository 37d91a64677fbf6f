"""The care overview (关心关爱概览): inside the user's jurisdiction, the 五必谈 talks due and
overdue (the ten most overdue named), this year's annual-talk coverage, this year's check-up
completion, the care-fund balances, open hardship applications, open talk requests and the
pay-tilt shortfalls of the latest year with bonus records (F 18) — each linking to its page. A
cadre user goes to their own care page."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from . import coverage as cov
from . import health, pay
from .choices import ApplicationStatus, ObligationStatus, RequestStatus
from .models import CareFund, HardshipApplication, TalkObligation, TalkRequest
from .models.common import can_read

MOST_OVERDUE = 10
FUNDS_SHOWN = 10
OPEN_APPLICATIONS = (ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED)
OPEN_REQUESTS = (RequestStatus.SUBMITTED, RequestStatus.ACCEPTED)


def _obligation_link(obligation):
    try:
        return reverse("care:obligation_detail", args=[obligation.pk])
    except NoReverseMatch:
        return reverse("care:obligation_list")


@login_required
def index(request):
    user = request.user
    if not can_read(user):
        return redirect("care:my_care")
    today = timezone.localdate()
    year = today.year
    due = TalkObligation.objects.restrict(user).filter(status=ObligationStatus.DUE)
    talks = due.aggregate(
        due=Count("pk", filter=Q(due_on__gte=today)),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
    )
    most_overdue = list(
        due.filter(due_on__lt=today)
        .select_related("cadre__unit", "responsible_unit")
        .order_by("due_on", "pk")[:MOST_OVERDUE]
    )
    for obligation in most_overdue:
        obligation.days_overdue = (today - obligation.due_on).days
        obligation.link = _obligation_link(obligation)
    coverage = cov.totals(cov.coverage_for_user(user, year=year))
    checkups = health.progress(health.record_list(user).filter(plan__year=year))
    funds_qs = CareFund.objects.restrict(user).select_related("unit")
    funds = list(funds_qs[:FUNDS_SHOWN])
    fund_totals = funds_qs.aggregate(count=Count("pk"), balance=Sum("balance"))
    applications = (
        HardshipApplication.objects.restrict(user).filter(status__in=OPEN_APPLICATIONS).count()
    )
    requests_open = TalkRequest.objects.restrict(user).filter(status__in=OPEN_REQUESTS).count()
    pay_tilt = pay.shortfall_total(user)
    return render(
        request,
        "care/index.html",
        {
            "tab": "index",
            "year": year,
            "today": today,
            "talks": talks,
            "most_overdue": most_overdue,
            "coverage": coverage,
            "checkups": checkups,
            "funds": funds,
            "fund_totals": fund_totals,
            "applications_open": applications,
            "requests_open": requests_open,
            "pay_tilt": pay_tilt,
        },
    )
