"""Periodic jobs of leave: once the yearly leave plans are due, remind the organisation
department of each managing unit of the cadres still without a plan (beat entry
"care-leave-plan-reminders"; once a year per unit)."""

from celery import shared_task

from . import leave


@shared_task
def remind_leave_plans_task():
    """Remind the organisation departments of missing leave plans; idempotent."""
    return leave.remind_leave_plans()
