"""Hardship help (F 17 关怀帮扶生活困难干部; ZJK 12(四) 县级财政统筹安排乡镇干部关爱基金…对生活有
困难的予以适当补助) and the care funds (关心关爱专项资金).

An application names a category of `care.hardship_categories` at the cadre's unit, the
situation and the amount asked for. Organisation staff enter it, or the cadre themself
(self-service: they then follow its status). The organisation department approves it (with the
amount granted) or refuses it with a reason; an approved application is closed once the amount
granted has been paid out of a fund (or closed by hand).

A care fund belongs to a unit; deposits and disbursements are lines of its ledger, each with the
balance after it. A disbursement locks the fund row, checks the balance and writes the line and
the new balance in one transaction, so concurrent disbursements never overdraw the fund; the
database refuses a negative balance besides.

Writes: `application_submit`, `application_approve`, `application_reject`,
`application_close`, `fund_create`, `fund_deposit`, `fund_disburse`."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre.exceptions import TransitionConflict
from cadre.models import Cadre, Unit
from cadre.selectors import policy_items

from .choices import KIND_HARDSHIP_CATEGORIES, ApplicationStatus, FundEntryKind, LogSubject
from .models import CareFund, FundEntry, HardshipApplication
from .models.common import can_write, log

S = ApplicationStatus
MAX_AMOUNT = Decimal("9999999999.99")

# status → the statuses it may move to (the organisation department acts; the cadre only
# submits).
TRANSITIONS = {
    S.SUBMITTED: {S.APPROVED, S.REJECTED},
    S.APPROVED: {S.CLOSED},
    S.REJECTED: set(),
    S.CLOSED: set(),
}


def can_review(user) -> bool:
    return can_write(user)


def can_move(application, to_status) -> bool:
    return to_status in TRANSITIONS.get(application.status, set())


def categories_for(unit):
    """(list, items) of the help categories applying at `unit`."""
    return policy_items(KIND_HARDSHIP_CATEGORIES, unit)


def _money(value, field, *, required=True, allow_zero=False):
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("请填写金额")})
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请输入有效金额")}) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("请输入有效金额，最多两位小数")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("金额须大于0")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("金额过大")})
    return amount


# --- applications -------------------------------------------------------------------------------


def may_apply_for(actor, cadre) -> bool:
    """Organisation staff for cadres they manage; a cadre for themself."""
    if cadre is None:
        return False
    if getattr(actor, "cadre_id", None) == cadre.pk:
        return True
    return can_write(actor) and Cadre.objects.restrict(actor, "change").filter(pk=cadre.pk).exists()


@transaction.atomic
def application_submit(
    *, actor, cadre: Cadre, category: str, description: str, amount_requested=None
) -> HardshipApplication:
    """A new application for help, waiting for review."""
    if cadre is None or not may_apply_for(actor, cadre):
        if not can_write(actor) and getattr(actor, "cadre_id", None) is None:
            raise PermissionDenied(_("您的角色不能提交困难帮扶申请"))
        raise ValidationError({"cadre": _("该干部不在您的管辖范围内")})
    errors = {}
    policy_list, items = categories_for(cadre.unit)
    if policy_list is None:
        raise ValidationError({"__all__": _("本地区尚未发布困难帮扶类别清单")})
    item = next((i for i in items if i.code == str(category or "").strip()), None)
    if item is None:
        errors["category"] = _("请选择本地区困难帮扶类别清单中的类别")
    description = str(description or "").strip()
    if not description:
        errors["description"] = _("请填写困难情况")
    amount = None
    try:
        amount = _money(amount_requested, "amount_requested", required=False)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    application = HardshipApplication(
        cadre=cadre,
        categories_list=policy_list,
        category_code=item.code,
        category_label=item.label,
        description=description,
        amount_requested=amount,
        status=S.SUBMITTED,
        submitted_by=actor,
    )
    application.full_clean(exclude=["cadre", "categories_list", "submitted_by", "reviewed_by"])
    application.save()
    log(
        LogSubject.APPLICATION,
        application,
        "submitted",
        actor=actor,
        to_status=S.SUBMITTED,
        note=item.label,
    )
    return application


def _lock_application(actor, application) -> HardshipApplication:
    if not can_review(actor):
        raise PermissionDenied(_("困难帮扶申请由组织部门审核"))
    locked = (
        HardshipApplication.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=application.pk)
        .first()
    )
    if locked is None:
        raise Http404
    return locked


def _move(actor, locked, to_status, action, note="", **fields):
    if not can_move(locked, to_status):
        raise TransitionConflict(
            _("申请当前状态为“%(status)s”，不能%(action)s")
            % {"status": locked.get_status_display(), "action": action}
        )
    from_status = locked.status
    locked.status = to_status
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *fields])
    log(
        LogSubject.APPLICATION,
        locked,
        to_status,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    return locked


@transaction.atomic
def application_approve(
    *, actor, application: HardshipApplication, amount_granted=None, note: str = ""
) -> HardshipApplication:
    """Approve an application, with the amount granted (none for help that is not money,
    such as spouse employment)."""
    locked = _lock_application(actor, application)
    amount = _money(amount_granted, "amount_granted", required=False)
    note = str(note or "").strip()
    return _move(
        actor,
        locked,
        S.APPROVED,
        _("批准"),
        note,
        amount_granted=amount,
        review_note=note,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )


@transaction.atomic
def application_reject(
    *, actor, application: HardshipApplication, note: str
) -> HardshipApplication:
    """Refuse an application; the reason is required (the cadre reads it)."""
    locked = _lock_application(actor, application)
    note = str(note or "").strip()
    if not note:
        raise ValidationError({"note": _("不予批准须填写审核意见")})
    return _move(
        actor,
        locked,
        S.REJECTED,
        _("不予批准"),
        note,
        review_note=note,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )


@transaction.atomic
def application_close(
    *, actor, application: HardshipApplication, note: str = ""
) -> HardshipApplication:
    """Close an approved application once the help has been given."""
    locked = _lock_application(actor, application)
    return _move(actor, locked, S.CLOSED, _("办结"), str(note or "").strip())


def paid_for(application) -> Decimal:
    return FundEntry.objects.filter(
        application=application, kind=FundEntryKind.DISBURSEMENT
    ).order_by().aggregate(total=Sum("amount"))["total"] or Decimal("0")


# --- funds --------------------------------------------------------------------------------------


def _require_fund_writer(actor):
    if not can_write(actor):
        raise PermissionDenied(_("关爱基金由组织部门管理"))


@transaction.atomic
def fund_create(*, actor, unit: Unit, name: str, note: str = "") -> CareFund:
    """Open a care fund of a unit (balance 0; money comes in by deposits)."""
    _require_fund_writer(actor)
    errors = {}
    if unit is None or not Unit.objects.restrict(actor, "change").filter(pk=unit.pk).exists():
        errors["unit"] = _("请选择您管辖范围内的单位")
    name = str(name or "").strip()
    if not name:
        errors["name"] = _("请填写基金名称")
    if errors:
        raise ValidationError(errors)
    fund = CareFund(unit=unit, name=name, note=str(note or "").strip())
    fund.full_clean(exclude=["unit"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            fund.save()
    except IntegrityError:
        raise ValidationError({"name": _("本单位已有同名基金")}) from None
    log(LogSubject.FUND, fund, "created", actor=actor, note=name)
    return fund


def _lock_fund(actor, fund) -> CareFund:
    _require_fund_writer(actor)
    locked = (
        CareFund.objects.restrict(actor, "change")
        .select_for_update(of=("self",))
        .filter(pk=fund.pk)
        .first()
    )
    if locked is None:
        raise Http404
    return locked


def _entry(actor, fund, kind, amount, note, application=None) -> FundEntry:
    entry = FundEntry.objects.create(
        fund=fund,
        kind=kind,
        amount=amount,
        balance_after=fund.balance,
        application=application,
        note=note,
        recorded_by=actor,
    )
    fund.save(update_fields=["balance"])
    log(
        LogSubject.FUND,
        fund,
        kind,
        actor=actor,
        note=f"{amount}（{_('余额')} {fund.balance}）{note}",
    )
    return entry


@transaction.atomic
def fund_deposit(*, actor, fund: CareFund, amount, note: str = "") -> FundEntry:
    """Money into the fund (county finance, 县级财政统筹安排)."""
    amount = _money(amount, "amount")
    note = str(note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写资金来源或摘要")})
    locked = _lock_fund(actor, fund)
    locked.balance = locked.balance + amount
    return _entry(actor, locked, FundEntryKind.DEPOSIT, amount, note)


@transaction.atomic
def fund_disburse(
    *, actor, fund: CareFund, amount, note: str = "", application: HardshipApplication = None
) -> FundEntry:
    """Pay out of the fund, optionally for an approved application of a cadre inside the
    fund's unit. The fund row is locked: two payments at once are made one after the other,
    and the second is refused when the balance no longer covers it. An application whose
    granted amount has been paid in full is closed."""
    amount = _money(amount, "amount")
    note = str(note or "").strip()
    locked = _lock_fund(actor, fund)
    app = None
    if application is not None:
        app = _lock_application(actor, application)
        if app.status != S.APPROVED:
            raise ValidationError({"application": _("只能为已批准的申请支出")})
        cadre_unit = Unit.objects.only("path").get(pk=app.cadre.unit_id)
        if not cadre_unit.path.startswith(locked.unit.path):
            raise ValidationError({"application": _("该申请人不在本基金的帮扶范围内")})
        if app.amount_granted is not None:
            left = app.amount_granted - paid_for(app)
            if amount > left:
                raise ValidationError(
                    {"amount": _("超出批准金额：尚可支付%(left)s元") % {"left": left}}
                )
        if not note:
            note = _("%(name)s %(category)s") % {
                "name": app.cadre.name,
                "category": app.category_label,
            }
    if not note:
        raise ValidationError({"note": _("请填写支出用途")})
    if locked.balance < amount:
        raise ValidationError(
            {"amount": _("基金余额不足：当前余额%(balance)s元") % {"balance": locked.balance}}
        )
    locked.balance = locked.balance - amount
    entry = _entry(actor, locked, FundEntryKind.DISBURSEMENT, amount, note, app)
    if app is not None and app.amount_granted is not None and paid_for(app) >= app.amount_granted:
        _move(actor, app, S.CLOSED, _("办结"), _("批准金额已全额支付"))
    return entry


# --- reads --------------------------------------------------------------------------------------


def applications_for(user):
    return HardshipApplication.objects.restrict(user).select_related(
        "cadre", "cadre__unit", "submitted_by", "reviewed_by"
    )


def funds_for(user):
    return CareFund.objects.restrict(user).select_related("unit")


def entries_for(user):
    return FundEntry.objects.restrict(user).select_related(
        "fund", "fund__unit", "application", "application__cadre", "recorded_by"
    )
