"""Periodic work of the incentives app. Each task is idempotent and takes no objects."""

from celery import shared_task

from . import ledger


@shared_task
def open_expiry_reviews_task():
    """Open the review of every sanction and 能上能下 action whose impact period has ended
    (F 15; X 能下再上), once each. Returns how many were opened."""
    return ledger.open_expiry_reviews()
