"""Periodic job of the annual talk coverage (F 16)."""

from celery import shared_task

from .coverage import remind_annual_coverage

__all__ = ["remind_annual_coverage_task"]


@shared_task(bind=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def remind_annual_coverage_task(self):
    """On the 1st of each month: in the last quarter, remind the secretaries whose annual talks
    are not complete, and the organisation departments that manage them. Safe to run twice."""
    return remind_annual_coverage()
