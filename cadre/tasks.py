"""Celery tasks of the core. Each takes ids, calls a service and is safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.utils import timezone

from .events import dispatch_event, undispatched_events
from .models import Notification


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def dispatch_event_task(self, event_id):
    return dispatch_event(event_id)


@shared_task
def sweep_events(older_than_seconds=60, limit=1000):
    """Re-dispatch events whose after-commit dispatch did not finish."""
    count = 0
    for event_id in undispatched_events(older_than_seconds).values_list("pk", flat=True)[:limit]:
        dispatch_event(event_id)
        count += 1
    return count


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(self, notification_ids):
    """E-mail the given notifications once each; ones already e-mailed are skipped."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient")
    for notification in pending:
        email = notification.recipient.email
        if email:
            body = notification.body
            if notification.link:
                body = f"{body}\n\n{notification.link}"
            send_mail(notification.title, body, settings.DEFAULT_FROM_EMAIL, [email])
            sent += 1
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return sent


@shared_task
def housekeeping():
    Session.objects.filter(expire_date__lt=timezone.now()).delete()
    from .models import ImportJob

    ImportJob.objects.filter(finished_at__lt=timezone.now() - timedelta(days=30)).update(
        content=b""
    )
    return True


@shared_task(bind=True)
def run_import_job(self, job_id):
    from .imports import import_job_run

    return import_job_run(job_id)
