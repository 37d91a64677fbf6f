"""The one REST router under /api/v1/."""

from rest_framework.routers import DefaultRouter

from assessment.api.evaluation import register as register_evaluation
from assessment.api.ordinary import register as register_ordinary
from assessment.api.points import register as register_points
from assessment.api.rankings import register as register_rankings
from assessment.api.views import AnnualGradeViewSet, CycleViewSet
from cadre.api.views import CadreViewSet, NotificationViewSet, UnitViewSet
from care.api.coverage import register as register_care_coverage
from care.api.hardship import register as register_care_hardship
from care.api.health import register as register_care_health
from care.api.leave import register as register_care_leave
from care.api.living import register as register_care_living
from care.api.pay import register as register_care_pay
from care.api.talks import register as register_care_talks
from incentives.api.awards import register as register_awards
from incentives.api.ledger import register as register_ledger
from incentives.api.rank import register as register_rank
from incentives.api.selection import register as register_selection
from incentives.api.structure import register as register_structure
from tolerance.api.views import (
    AccountabilityMatterViewSet,
    BlacklistViewSet,
    CaseViewSet,
    ClearingViewSet,
    PublicationViewSet,
    ReminderViewSet,
)

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("cadres", CadreViewSet, basename="cadre")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("assessment/cycles", CycleViewSet, basename="assessment-cycle")
router.register("assessment/grades", AnnualGradeViewSet, basename="assessment-grade")
register_ordinary(router)
register_points(router)
register_evaluation(router)
register_rankings(router)
router.register("tolerance/cases", CaseViewSet, basename="tolerance-case")
router.register("tolerance/matters", AccountabilityMatterViewSet, basename="tolerance-matter")
router.register("tolerance/reminders", ReminderViewSet, basename="tolerance-reminder")
router.register("tolerance/clearing", ClearingViewSet, basename="tolerance-clearing")
router.register("tolerance/blacklist", BlacklistViewSet, basename="tolerance-blacklist")
router.register("tolerance/publications", PublicationViewSet, basename="tolerance-publication")
register_rank(router)
register_selection(router)
register_structure(router)
register_ledger(router)
register_awards(router)
register_care_talks(router)
register_care_coverage(router)
register_care_health(router)
register_care_leave(router)
register_care_hardship(router)
register_care_living(router)
register_care_pay(router)

urlpatterns = router.urls
