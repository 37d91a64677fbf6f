"""Periodic work of the assessment app. Each task is idempotent: a second run changes nothing."""

from celery import shared_task

from .choices import RunStatus
from .models import QuarterlyRun
from .quarterly import last_complete_quarter, quarterly_review_run


@shared_task(bind=True, acks_late=True)
def quarterly_review_task(self, year=None, quarter=None, run_id=None):
    """The quarterly review of a quarter (by default the last complete one)."""
    if year is None or quarter is None:
        year, quarter = last_complete_quarter()
    run = None
    if run_id is not None:
        run = QuarterlyRun.objects.filter(pk=run_id).first()
    if run is None:
        run = QuarterlyRun.objects.create(year=year, quarter=quarter, status=RunStatus.RUNNING)
    return quarterly_review_run(year, quarter, run=run).counts
