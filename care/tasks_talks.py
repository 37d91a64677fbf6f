"""Periodic jobs of the talks: the daily 五必谈 reminders and escalation (beat entry
"care-talk-reminders")."""

from celery import shared_task

from . import talks


@shared_task
def remind_due_talks_task():
    """Remind due talks nearing their deadline, escalate the overdue ones; idempotent."""
    return talks.remind_due_talks()
