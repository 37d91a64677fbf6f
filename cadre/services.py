"""Writes of the core. Every write of units, cadres and their records goes through here."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access
from .choices import PolicyStatus
from .events import event_record
from .models import (
    Cadre,
    FrontlineAssignment,
    MentoringPair,
    Notification,
    PerformanceEntry,
    PolicyItem,
    PolicyList,
    PostHistory,
    TrainingRecord,
    Unit,
)
from .policy_rules import validate_policy_list

# The records that make up a cadre's file besides the cadre row itself.
FILE_RECORDS = (PostHistory, FrontlineAssignment, TrainingRecord, MentoringPair)

CADRE_FIELDS = [
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "party_member_since",
    "education",
    "staffing_type",
    "unit",
    "post",
    "post_level",
    "rank",
    "post_since",
    "rank_since",
    "work_since",
    "township_years",
    "served_township_head",
    "status",
    "phone",
]


def _require(actor, action):
    if actor is not None and not access.can(actor, action):
        raise PermissionDenied(_("您没有执行此操作的权限"))


def _require_unit_in_scope(actor, unit):
    if actor is None or unit is None:
        return
    if not Unit.objects.restrict(actor, "view").filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("所选单位不在您的管理范围内")})


# --- units ----------------------------------------------------------------------------------


@transaction.atomic
def unit_create(*, actor=None, parent=None, **fields) -> Unit:
    _require(actor, access.ADD)
    if parent is not None:
        _require_unit_in_scope(actor, parent)
    elif actor is not None and not access.scope_for(actor).everything:
        # A top-level unit would lie outside every scope but the whole system's.
        raise ValidationError({"parent": _("请选择上级单位")})
    unit = Unit(parent=parent, **fields)
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = (parent.path if parent else "/") + f"{unit.pk}/"
    unit.depth = (parent.depth + 1) if parent else 0
    unit.save(update_fields=["path", "depth"])
    return unit


@transaction.atomic
def unit_update(*, actor=None, unit: Unit, **fields) -> Unit:
    _require(actor, access.CHANGE)
    new_parent = fields.pop("parent", unit.parent)
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean(exclude=["path", "parent"])
    unit.save(update_fields=list(fields) or None)
    if (new_parent.pk if new_parent else None) != unit.parent_id:
        unit_move(actor=actor, unit=unit, parent=new_parent)
    return unit


@transaction.atomic
def unit_move(*, actor=None, unit: Unit, parent: Unit | None) -> Unit:
    """Re-hang a unit and its whole subtree in one statement."""
    _require(actor, access.CHANGE)
    if parent is not None and parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("不能把单位移到它自己或其下级单位之下")})
    _require_unit_in_scope(actor, parent)
    old_path, old_depth = unit.path, unit.depth
    new_path = (parent.path if parent else "/") + f"{unit.pk}/"
    new_depth = (parent.depth + 1) if parent else 0
    Unit.objects.filter(pk=unit.pk).update(parent=parent)
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1)),
        depth=F("depth") - old_depth + new_depth,
    )
    unit.refresh_from_db()
    return unit


# --- cadres ---------------------------------------------------------------------------------


@transaction.atomic
def cadre_create(*, actor=None, id_number: str = "", tags=None, **fields) -> Cadre:
    _require(actor, access.ADD)
    _require_unit_in_scope(actor, fields.get("unit"))
    cadre = Cadre(**fields)
    cadre.set_id_number(id_number)
    _validate_id_number(cadre, id_number)
    cadre.full_clean()
    cadre.save()
    if tags is not None:
        cadre.tags.set(tags)
    if cadre.post:
        PostHistory.objects.create(
            cadre=cadre,
            unit=cadre.unit,
            unit_name=cadre.unit.name,
            post=cadre.post,
            post_level=cadre.post_level,
            start_date=cadre.post_since or timezone.localdate(),
        )
    return cadre


def id_number_check(value: str) -> str:
    """The ID number as stored (trimmed, upper-case X), or a Chinese field error."""
    from .crypto import id_number_is_valid

    value = (value or "").strip().upper()
    if value and not id_number_is_valid(value):
        raise ValidationError({"id_number": _("身份证号码格式或校验位不正确")})
    return value


def _validate_id_number(cadre, id_number):
    id_number = id_number_check(id_number)
    if id_number:
        clash = Cadre.objects.filter(id_number_hash=cadre.id_number_hash).exclude(pk=cadre.pk)
        if clash.exists():
            raise ValidationError({"id_number": _("该身份证号码已登记在其他干部名下")})


@transaction.atomic
def cadre_update(
    *, actor=None, cadre: Cadre, id_number: str | None = None, tags=None, **fields
) -> Cadre:
    """Change a cadre's record. A change of unit or post closes the current post-history entry,
    opens a new one and emits `cadre.post_changed` (五必谈 trigger 1)."""
    _require(actor, access.CHANGE)
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if "unit" in fields:
        _require_unit_in_scope(actor, fields["unit"])
    before = {name: getattr(cadre, name) for name in ("unit_id", "post", "post_level_id")}
    changed = []
    for name, value in fields.items():
        if name not in CADRE_FIELDS:
            raise ValueError(f"unknown cadre field {name}")
        if getattr(cadre, name) != value:
            setattr(cadre, name, value)
            changed.append(name)
    if id_number is not None and id_number.strip().upper() != cadre.id_number:
        cadre.set_id_number(id_number)
        _validate_id_number(cadre, id_number)
        changed += ["id_number_cipher", "id_number_hash"]
    cadre.full_clean()
    if changed:
        cadre.save(update_fields=[*changed, "updated_at"])
    if tags is not None:
        cadre.tags.set(tags)
    after = {"unit_id": cadre.unit_id, "post": cadre.post, "post_level_id": cadre.post_level_id}
    if before != after:
        _post_changed(actor=actor, cadre=cadre, before=before)
    return cadre


def _post_changed(*, actor, cadre, before):
    start = cadre.post_since or timezone.localdate()
    current = PostHistory.objects.filter(cadre=cadre, end_date__isnull=True)
    if current.filter(start_date__gt=start).exists():
        raise ValidationError({"post_since": _("任现职时间不能早于上一职务的起始时间")})
    current.update(end_date=start)
    entry = PostHistory.objects.create(
        cadre=cadre,
        unit=cadre.unit,
        unit_name=cadre.unit.name,
        post=cadre.post,
        post_level=cadre.post_level,
        start_date=start,
    )
    event_record(
        kind="cadre.post_changed",
        actor=actor,
        cadre=cadre,
        source=entry,
        payload={
            "from_unit_id": before["unit_id"],
            "from_post": before["post"],
            "to_unit_id": cadre.unit_id,
            "to_post": cadre.post,
            "effective": start.isoformat(),
        },
    )


@transaction.atomic
def cadre_delete(*, actor=None, cadre: Cadre) -> None:
    _require(actor, access.DELETE)
    try:
        with transaction.atomic():
            cadre.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("该干部已有业务记录，不能删除；如已调离或退休，请修改其状态")
        ) from exc


def _record_cadre(record):
    """The cadre whose file a record belongs to (a mentoring pair: the mentee's)."""
    return record.mentee if isinstance(record, MentoringPair) else record.cadre


@transaction.atomic
def cadre_record_save(*, actor=None, record):
    """Create or change a record of a cadre's file: post history, a frontline assignment, a
    training record or a mentoring pair. A new major special task emits
    `cadre.major_task_assigned` (五必谈 trigger 2)."""
    if not isinstance(record, FILE_RECORDS):
        raise TypeError(f"not a record of a cadre's file: {type(record).__name__}")
    _require(actor, access.CHANGE)
    cadre = _record_cadre(record)
    if (
        actor is not None
        and not Cadre.objects.restrict(actor, access.CHANGE).filter(pk=cadre.pk).exists()
    ):
        raise ValidationError(_("该干部不在您的管理范围内"))
    is_new = record._state.adding
    record.full_clean()
    record.save()
    if is_new and isinstance(record, FrontlineAssignment) and record.is_major_special_task:
        event_record(
            kind="cadre.major_task_assigned",
            actor=actor,
            cadre=cadre,
            source=record,
            payload={"task": record.task, "start_date": record.start_date.isoformat()},
        )
    return record


@transaction.atomic
def cadre_record_delete(*, actor=None, record) -> None:
    _require(actor, access.CHANGE)
    cadre = _record_cadre(record)
    if (
        actor is not None
        and not Cadre.objects.restrict(actor, access.CHANGE).filter(pk=cadre.pk).exists()
    ):
        raise ValidationError(_("该干部不在您的管理范围内"))
    record.delete()


def frontline_assignment_create(*, actor=None, cadre: Cadre, **fields) -> FrontlineAssignment:
    """Record a frontline posting (see cadre_record_save)."""
    return cadre_record_save(actor=actor, record=FrontlineAssignment(cadre=cadre, **fields))


# --- performance record ---------------------------------------------------------------------


def performance_entry_append(
    *,
    cadre: Cadre,
    occurred_on: date,
    source: str,
    title: str,
    detail: str = "",
    category: str = "",
    source_key: str = "",
    actor=None,
) -> PerformanceEntry:
    """Append a deed to the performance record (实绩档案). With a `source_key`, appending the
    same thing twice returns the first entry: periodic jobs may re-run safely."""
    if source_key:
        existing = PerformanceEntry.objects.filter(cadre=cadre, source_key=source_key).first()
        if existing is not None:
            return existing
    entry = PerformanceEntry(
        cadre=cadre,
        occurred_on=occurred_on,
        source=source,
        title=title,
        detail=detail,
        category=category,
        source_key=source_key,
        created_by=actor,
    )
    # Validated with or without a key; the unique (cadre, source_key) is left to the database.
    entry.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        if not source_key:
            raise
        # A concurrent run appended the same deed first.
        return PerformanceEntry.objects.get(cadre=cadre, source_key=source_key)
    return entry


# --- notifications --------------------------------------------------------------------------


def notify(
    *, recipients, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str = ""
):
    """Put a message in each recipient's inbox and e-mail it after commit. With a
    `dedupe_key`, a recipient gets the message once however often this is called."""
    rows = [
        Notification(
            recipient=user, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key
        )
        for user in recipients
        if user.is_active
    ]
    created = Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
    if dedupe_key:
        created = list(
            Notification.objects.filter(
                recipient__in=[r.recipient for r in rows],
                dedupe_key=dedupe_key,
                emailed_at__isnull=True,
            )
        )
    ids = [n.pk for n in created if n.pk]
    if ids:
        from .tasks import send_notification_emails

        send_notification_emails.delay_on_commit(ids)
    return created


def notification_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# --- policy lists ---------------------------------------------------------------------------


@transaction.atomic
def policy_list_new_version(
    *, actor=None, base: PolicyList, unit: Unit | None = ..., title=None
) -> PolicyList:
    """Start a draft copied from `base`: a new version of the same list, or (with another
    `unit`) a unit's own refined list (细化清单) that will apply inside its jurisdiction."""
    target_unit = base.unit if unit is ... else unit
    last = (
        PolicyList.objects.filter(kind=base.kind, unit=target_unit)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    draft = PolicyList.objects.create(
        kind=base.kind,
        title=title or base.title,
        unit=target_unit,
        version=(last or 0) + 1,
        status=PolicyStatus.DRAFT,
        source=base.source,
        based_on=base,
    )
    PolicyItem.objects.bulk_create(
        PolicyItem(
            policy_list=draft,
            code=item.code,
            label=item.label,
            description=item.description,
            group=item.group,
            order=item.order,
            params=item.params,
        )
        for item in base.items.all()
    )
    return draft


@transaction.atomic
def policy_list_publish(
    *, actor=None, policy_list: PolicyList, effective_from: date | None = None
) -> PolicyList:
    """Publish a draft; the version it replaces (same kind and unit) is retired. Decisions
    made under the old version keep pointing to it, unchanged."""
    policy_list = PolicyList.objects.select_for_update().get(pk=policy_list.pk)
    if policy_list.status != PolicyStatus.DRAFT:
        raise ValidationError(_("只有草稿状态的清单可以发布"))
    if not policy_list.items.exists():
        raise ValidationError(_("清单没有任何条目，不能发布"))
    validate_policy_list(policy_list)
    if effective_from is not None and effective_from > timezone.localdate():
        # A published version applies at once; a later date is published on that day.
        raise ValidationError({"effective_from": _("生效日期不能晚于今天，请在生效当日发布")})
    PolicyList.objects.filter(
        kind=policy_list.kind, unit=policy_list.unit, status=PolicyStatus.PUBLISHED
    ).update(status=PolicyStatus.RETIRED)
    policy_list.status = PolicyStatus.PUBLISHED
    policy_list.published_at = timezone.now()
    policy_list.published_by = actor if actor is not None and actor.is_authenticated else None
    policy_list.effective_from = effective_from or timezone.localdate()
    policy_list.save(update_fields=["status", "published_at", "published_by", "effective_from"])
    return policy_list


def cadre_view_log(*, user, cadre: Cadre, path: str = "", ip_address: str | None = None) -> None:
    """Every view of a cadre's file is logged (who, when, from where)."""
    from .models import CadreViewLog

    CadreViewLog.objects.create(
        cadre=cadre, user=user, path=path[:255], ip_address=ip_address or None
    )
