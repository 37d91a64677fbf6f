"""Periodic job of the health check-ups (F 19)."""

from celery import shared_task

from .health import remind_checkups

__all__ = ["remind_checkups_task"]


@shared_task(bind=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def remind_checkups_task(self):
    """Daily: as a plan's deadline nears, remind the cadres not yet checked (once) and tell the
    organisation department how many are pending (once per plan). Safe to run twice."""
    return remind_checkups()
