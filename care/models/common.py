"""Scoping shared by every care model, and the append-only log of changes."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadre import access
from cadre.access import RoleScope
from cadre.choices import Role
from cadre.models import APPEND_ONLY, ActionLog, RoleScopedCadreQuerySet, RoleScopedUnitQuerySet

from ..choices import LogSubject

# The organisation department runs care (F 16-20); leaders and auditors read inside their
# jurisdiction. Discipline inspectors have no business in care records.
WRITE_ROLES = frozenset({Role.ORGANISATION, Role.ADMIN})
READ_ROLES = frozenset(
    {Role.ORGANISATION, Role.ADMIN, Role.COMMITTEE, Role.AUDITOR, Role.UNIT_LEADER}
)
# Who may read a talk's confidential content besides the talk's own parties.
CONFIDENTIAL_ROLES = frozenset({Role.ORGANISATION, Role.ADMIN})
SCOPE = RoleScope(write_roles=WRITE_ROLES, read_roles=READ_ROLES)

can_write = SCOPE.can_write
can_read = SCOPE.can_read
# Q for rows about cadres (or of units) inside the user's scope, or None when they may see none.
cadre_scope_q = SCOPE.cadre_q
unit_scope_q = SCOPE.unit_q


def user_roles(user) -> set:
    return set(getattr(user, "roles", None) or [])


class CadreScopedQuerySet(RoleScopedCadreQuerySet):
    """Rows about one cadre: visible when the cadre is in the user's scope."""

    role_scope = SCOPE


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


class UnitScopedQuerySet(RoleScopedUnitQuerySet):
    role_scope = SCOPE


class CareLog(ActionLog):
    """One change of a care record (who, when, what): the timelines show these. Append-only."""

    subject = models.CharField(_("对象类别"), max_length=20, choices=LogSubject.choices)

    class Meta(ActionLog.Meta):
        verbose_name = _("关心关爱操作记录")
        verbose_name_plural = _("关心关爱操作记录")
        indexes = [models.Index(fields=["subject", "subject_id"], name="care_log_subject")]
        triggers = list(APPEND_ONLY)


log = CareLog.record
timeline = CareLog.of
