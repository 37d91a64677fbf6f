"""Jurisdiction (干部管理权限): what a user may see and do.

A user acts for one unit with one or more roles. Their scope is that unit's subtree, limited to
cadres whose post level does not exceed what the unit manages (`Unit.manages_up_to`). Every
domain queryset offers `restrict(user, action)` built on `scope_for(user)`; pages, the API,
admin, exports and tasks all read through it, so an out-of-scope object is simply not found.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from .choices import Role

VIEW, ADD, CHANGE, DELETE, EXPORT, IMPORT, VIEW_SENSITIVE = (
    "view",
    "add",
    "change",
    "delete",
    "export",
    "import",
    "view_sensitive",
)
ALL_ACTIONS = frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT, IMPORT, VIEW_SENSITIVE})

# What each role may do with the registry (units, cadres and their records) inside its scope.
ROLE_ACTIONS = {
    Role.ADMIN: ALL_ACTIONS,
    Role.ORGANISATION: ALL_ACTIONS,
    Role.DISCIPLINE: frozenset({VIEW, EXPORT}),
    Role.COMMITTEE: frozenset({VIEW, EXPORT}),
    Role.AUDITOR: frozenset({VIEW, EXPORT}),
    Role.UNIT_LEADER: frozenset({VIEW}),
    Role.CADRE: frozenset({VIEW}),
}


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    path: str = ""
    max_level_order: int | None = None
    actions: frozenset = field(default_factory=frozenset)
    own_cadre_only: bool = False
    cadre_id: int | None = None

    def allows(self, action, model="cadre"):
        return self.everything or action in self.actions

    @property
    def is_empty(self):
        return not self.everything and not self.actions


NO_SCOPE = Scope()
EVERYTHING = Scope(everything=True, actions=ALL_ACTIONS)


def scope_for(user):
    """The user's management scope, computed once per user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_dandang_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._dandang_scope = scope
    return scope


def _compute_scope(user):
    if user.is_superuser:
        return EVERYTHING
    roles = set(user.roles or [])
    actions = frozenset().union(*(ROLE_ACTIONS.get(role, frozenset()) for role in roles))
    if Role.ADMIN in roles and user.unit_id is None:
        return EVERYTHING
    if user.unit_id is None:
        return NO_SCOPE
    unit = user.unit
    if roles and roles <= {Role.CADRE}:
        # Self-service: a cadre sees their own file and nothing else.
        return Scope(actions=actions, own_cadre_only=True, cadre_id=user.cadre_id)
    if not actions:
        return NO_SCOPE
    max_level = unit.manages_up_to.order if unit.manages_up_to_id else None
    return Scope(path=unit.path, max_level_order=max_level, actions=actions, cadre_id=user.cadre_id)


def can(user, action):
    """Whether the user's roles allow the action at all (scope is checked by `restrict`)."""
    return scope_for(user).allows(action)


def can_see_sensitive(user, cadre):
    scope = scope_for(user)
    if scope.allows(VIEW_SENSITIVE):
        return True
    return scope.cadre_id is not None and scope.cadre_id == cadre.pk


class RoleScope:
    """The jurisdiction of an app whose records some roles write and others read (incentives,
    care): rows about cadres, or of units, inside the user's management scope. A user without
    one of the roles sees nothing; writes need a write role."""

    def __init__(self, *, write_roles, read_roles):
        self.write_roles = frozenset(write_roles)
        self.read_roles = frozenset(read_roles)

    def _allowed(self, user, action) -> bool:
        scope = scope_for(user)
        roles = set(getattr(user, "roles", None) or [])
        allowed = self.write_roles if action != VIEW else self.read_roles
        return scope.everything or bool(roles & allowed and scope.path)

    def can_write(self, user) -> bool:
        return self._allowed(user, CHANGE)

    def can_read(self, user) -> bool:
        return self._allowed(user, VIEW)

    def cadre_q(self, user, action=VIEW, prefix="cadre"):
        """Q for rows about cadres inside the user's scope (unit subtree, limited by post
        level), or None when the user may see none."""
        if not self._allowed(user, action):
            return None
        scope = scope_for(user)
        if scope.everything:
            return Q()
        q = Q(**{f"{prefix}__unit__path__startswith": scope.path})
        if scope.max_level_order is not None:
            q &= Q(**{f"{prefix}__post_level__isnull": True}) | Q(
                **{f"{prefix}__post_level__order__lte": scope.max_level_order}
            )
        return q

    def unit_q(self, user, action=VIEW, prefix="unit"):
        """Q for rows of units in the user's subtree, or None."""
        if not self._allowed(user, action):
            return None
        scope = scope_for(user)
        return Q() if scope.everything else Q(**{f"{prefix}__path__startswith": scope.path})
