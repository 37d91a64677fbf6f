"""The overview of the incentives area (激励选任): what is open or running inside the user's
jurisdiction — priority-promotion links in force, exceptional-promotion candidate lists not yet
closed, sanctions in their impact period and those whose kind is still to be confirmed, impact
periods ended and waiting for review, 能上能下 actions in effect, award campaigns by status —
each linking to its page. Every count reads through `restrict(user)`; one query per kind of
record whatever the numbers."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from .choices import (
    AdjustmentStatus,
    CampaignStatus,
    CandidateListStatus,
    RecordStatus,
    ReviewStatus,
    SanctionStatus,
)
from .models import (
    Adjustment,
    AwardCampaign,
    CandidateList,
    ExpiryReview,
    PriorityRecord,
    Sanction,
)
from .models.common import can_read


def overview_counts(user) -> dict:
    """The open work of the incentives area inside the user's jurisdiction. Six queries."""
    sanctions = (
        Sanction.objects.restrict(user)
        .order_by()
        .aggregate(
            in_impact=Count("pk", filter=Q(status=SanctionStatus.IN_IMPACT)),
            pending_kind=Count("pk", filter=Q(status=SanctionStatus.PENDING_KIND)),
        )
    )
    campaigns = dict(
        AwardCampaign.objects.restrict(user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return {
        "priority": PriorityRecord.objects.restrict(user)
        .filter(status=RecordStatus.ACTIVE)
        .count(),
        "candidate_lists": CandidateList.objects.restrict(user)
        .exclude(status=CandidateListStatus.CLOSED)
        .count(),
        "sanctions_in_impact": sanctions["in_impact"],
        "sanctions_pending_kind": sanctions["pending_kind"],
        "reviews_open": ExpiryReview.objects.restrict(user)
        .filter(status=ReviewStatus.OPEN)
        .count(),
        "adjustments_in_effect": Adjustment.objects.restrict(user)
        .filter(status=AdjustmentStatus.IN_EFFECT)
        .count(),
        "campaigns": [
            {"status": value, "label": label, "count": campaigns.get(value, 0)}
            for value, label in CampaignStatus.choices
        ],
        "campaigns_in_notice": campaigns.get(CampaignStatus.NOTICE, 0),
    }


@login_required
def index(request):
    user = request.user
    readable = can_read(user)
    return render(
        request,
        "incentives/index.html",
        {
            "tab": "index",
            "readable": readable,
            "counts": overview_counts(user) if readable else None,
            "statuses": {
                "in_impact": SanctionStatus.IN_IMPACT,
                "pending_kind": SanctionStatus.PENDING_KIND,
                "review_open": ReviewStatus.OPEN,
                "in_effect": AdjustmentStatus.IN_EFFECT,
                "active": RecordStatus.ACTIVE,
                "notice": CampaignStatus.NOTICE,
            },
        },
    )
