"""Scoping shared by every care model, and the append-only log of changes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadre import access
from cadre.choices import Role
from cadre.models import APPEND_ONLY

from ..choices import LogSubject

# The organisation department runs care (F 16-20); leaders and auditors read inside their
# jurisdiction. Discipline inspectors have no business in care records.
WRITE_ROLES = frozenset({Role.ORGANISATION, Role.ADMIN})
READ_ROLES = frozenset(
    {Role.ORGANISATION, Role.ADMIN, Role.COMMITTEE, Role.AUDITOR, Role.UNIT_LEADER}
)
# Who may read a talk's confidential content besides the talk's own parties.
CONFIDENTIAL_ROLES = frozenset({Role.ORGANISATION, Role.ADMIN})


def user_roles(user) -> set:
    return set(getattr(user, "roles", None) or [])


def can_write(user) -> bool:
    scope = access.scope_for(user)
    return scope.everything or bool(user_roles(user) & WRITE_ROLES and scope.path)


def can_read(user) -> bool:
    scope = access.scope_for(user)
    return scope.everything or bool(user_roles(user) & READ_ROLES and scope.path)


def cadre_scope_q(user, action="view", prefix="cadre"):
    """Q for rows about cadres inside the user's management scope (unit subtree, limited by
    post level), or None when the user may see none. A cadre user sees rows about themself
    (`own` rows) only where the model allows it (see `OwnRowsQuerySet`)."""
    scope = access.scope_for(user)
    if scope.everything:
        return Q()
    allowed = WRITE_ROLES if action != "view" else READ_ROLES
    if not user_roles(user) & allowed or not scope.path:
        return None
    q = Q(**{f"{prefix}__unit__path__startswith": scope.path})
    if scope.max_level_order is not None:
        q &= Q(**{f"{prefix}__post_level__isnull": True}) | Q(
            **{f"{prefix}__post_level__order__lte": scope.max_level_order}
        )
    return q


def unit_scope_q(user, action="view", prefix="unit"):
    scope = access.scope_for(user)
    if scope.everything:
        return Q()
    allowed = WRITE_ROLES if action != "view" else READ_ROLES
    if not user_roles(user) & allowed or not scope.path:
        return None
    return Q(**{f"{prefix}__path__startswith": scope.path})


class CadreScopedQuerySet(models.QuerySet):
    """Rows about one cadre: visible when the cadre is in the user's scope."""

    cadre_path = "cadre"

    def restrict(self, user, action="view"):
        q = cadre_scope_q(user, action, prefix=self.cadre_path)
        return self.none() if q is None else self.filter(q)


class OwnRowsQuerySet(CadreScopedQuerySet):
    """Like CadreScopedQuerySet, and a cadre user also reads the rows about themself (their
    talks, requests, check-ups, leave) — self-service (X: 向组织说说心里话)."""

    def restrict(self, user, action="view"):
        q = cadre_scope_q(user, action, prefix=self.cadre_path)
        scope = access.scope_for(user)
        if action == "view" and scope.cadre_id:
            own = Q(**{f"{self.cadre_path}_id": scope.cadre_id})
            return self.filter(own if q is None else (q | own))
        return self.none() if q is None else self.filter(q)


class UnitScopedQuerySet(models.QuerySet):
    unit_path = "unit"

    def restrict(self, user, action="view"):
        q = unit_scope_q(user, action, prefix=self.unit_path)
        return self.none() if q is None else self.filter(q)


class CareLog(models.Model):
    """One change of a care record (who, when, what): the timelines show these. Append-only;
    pghistory keeps the field-level history besides."""

    subject = models.CharField(_("对象类别"), max_length=20, choices=LogSubject.choices)
    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    action = models.CharField(_("操作"), max_length=40)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("关心关爱操作记录")
        verbose_name_plural = _("关心关爱操作记录")
        indexes = [models.Index(fields=["subject", "subject_id"], name="care_log_subject")]
        triggers = list(APPEND_ONLY)

    def __str__(self):
        return f"{self.get_subject_display()} #{self.subject_id} {self.action}"


def log(subject, obj, action, *, actor=None, from_status="", to_status="", note=""):
    """Append one line to the record's timeline."""
    return CareLog.objects.create(
        subject=subject,
        subject_id=obj.pk,
        action=action,
        from_status=from_status or "",
        to_status=to_status or "",
        note=note or "",
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
    )


def timeline(subject, obj):
    return CareLog.objects.filter(subject=subject, subject_id=obj.pk).select_related("actor")
