"""Celery tasks of the core. Each takes ids, calls a service and is safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .events import dispatch_event, undispatched_events
from .models import Notification


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def dispatch_event_task(self, event_id):
    return dispatch_event(event_id)


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def dispatch_events_task(self, event_ids):
    """Dispatch a batch of events recorded together; each handler still runs once per event."""
    for event_id in event_ids:
        dispatch_event(event_id)
    return len(event_ids)


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
    """E-mail the given notifications once each; ones already e-mailed are skipped. Each row is
    locked while its mail goes out, so two runs never both send it, and a failed send is
    rolled back and retried."""
    sent = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=notification_id, emailed_at__isnull=True)
                .first()
            )
            if notification is None:
                continue
            email = notification.recipient.email
            if email:
                body = notification.body
                if notification.link:
                    body = f"{body}\n\n{notification.link}"
                send_mail(notification.title, body, settings.DEFAULT_FROM_EMAIL, [email])
                sent += 1
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
    return sent


@shared_task
def housekeeping():
    Session.objects.filter(expire_date__lt=timezone.now()).delete()
    from .models import UserSession

    UserSession.objects.exclude(session_key__in=Session.objects.values("session_key")).delete()
    from .models import ImportJob

    ImportJob.objects.filter(finished_at__lt=timezone.now() - timedelta(days=30)).update(
        content=b""
    )
    return True


@shared_task(bind=True)
def run_import_job(self, job_id):
    from .imports import import_job_run

    return import_job_run(job_id)
