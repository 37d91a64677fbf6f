"""Keeps the user → sessions map, so that disabling a user ends every session at once."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .models import User, UserSession


@receiver(user_logged_in)
def remember_session(sender, request, user, **kwargs):
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.get_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )


@receiver(user_logged_out)
def forget_session(sender, request, user, **kwargs):
    key = getattr(request.session, "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


@receiver(pre_save, sender=User)
def note_deactivation(sender, instance, **kwargs):
    instance._was_active = None
    if instance.pk:
        instance._was_active = (
            User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
        )


@receiver(post_save, sender=User)
def end_sessions_of_disabled_user(sender, instance, created, **kwargs):
    if not created and instance._was_active and not instance.is_active:
        user_sessions_end(instance)


def user_sessions_end(user):
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
