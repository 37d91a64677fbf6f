"""Scoping shared by every incentives model, and the append-only log of status changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cadre.access import RoleScope
from cadre.choices import Role
from cadre.models import APPEND_ONLY, ActionLog, RoleScopedCadreQuerySet, RoleScopedUnitQuerySet

from ..choices import LogSubject

# The organisation department runs promotion, the ledger and awards; the others read inside
# their jurisdiction.
WRITE_ROLES = frozenset({Role.ORGANISATION, Role.ADMIN})
READ_ROLES = frozenset(
    {Role.ORGANISATION, Role.ADMIN, Role.COMMITTEE, Role.DISCIPLINE, Role.AUDITOR, Role.UNIT_LEADER}
)
SCOPE = RoleScope(write_roles=WRITE_ROLES, read_roles=READ_ROLES)

can_write = SCOPE.can_write
can_read = SCOPE.can_read
# Q for rows about cadres (or of units) inside the user's scope, or None when they may see none.
cadre_scope_q = SCOPE.cadre_q
unit_scope_q = SCOPE.unit_q


class CadreScopedQuerySet(RoleScopedCadreQuerySet):
    """Rows about one cadre: visible when the cadre is in the user's scope."""

    role_scope = SCOPE


class UnitScopedQuerySet(RoleScopedUnitQuerySet):
    role_scope = SCOPE


class IncentiveLog(ActionLog):
    """One status change of an incentives record (who, when, from, to, why): the timelines
    show these. Append-only."""

    subject = models.CharField(_("对象类别"), max_length=20, choices=LogSubject.choices)

    class Meta(ActionLog.Meta):
        verbose_name = _("激励选任操作记录")
        verbose_name_plural = _("激励选任操作记录")
        indexes = [models.Index(fields=["subject", "subject_id"], name="incentive_log_subject")]
        triggers = list(APPEND_ONLY)


log = IncentiveLog.record
timeline = IncentiveLog.of
