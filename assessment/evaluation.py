"""360-degree evaluation (360度反馈评价法, DOMAIN §2, county survey X): a round in which rater
groups (分管县级领导, 部门单位, 县委考核办, 本单位干部职工, 服务对象) score cadres or leadership
teams from 0 to 100, and each subject's result is the average of every group weighted by the
group's weight (the weights of the list sum to 100).

How anonymity is kept:
- a rater is given a single-use link; only the sha256 of its token is stored, the plaintext is
  shown once to whoever generated it;
- a score row records the subject, the group and the score, and nothing else: no link to the
  invitation, no time, no user. The invitation only records the *day* it was used;
- every read here returns aggregates; a group with fewer than `MIN_GROUP_SIZE` scores for a
  subject shows no average of its own and does not count in the weighted score;
- the pages and the API show results only once the round takes no more scores
  (`results_visible`), so that nobody can read one rater's score off the difference.

Services (writes) and selectors (reads) of the round live here; pages, API and admin call them.
"""

import hashlib
import secrets
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cadre import access
from cadre.choices import CadreStatus
from cadre.models import Cadre, PolicyItem, Unit
from cadre.selectors import policy_list_for

from .choices import KIND_RATER_GROUPS, EvaluationStatus
from .models import WRITE_ROLES, Evaluation, EvaluationScore, EvaluationSubject, RaterInvitation
from .policy_rules import rater_weights

# A group with fewer scores than this for a subject shows no average of its own and is left out
# of the weighted score, so that one or two raters' scores can be read off neither (default; the
# survey sets no number). The quarterly review applies the same rule.
MIN_GROUP_SIZE = 3

# Links generated at one time for one group.
MAX_INVITATIONS = 500

TOKEN_BYTES = 32
SCORE_MIN, SCORE_MAX = 0, 100
TWO_PLACES = Decimal("0.01")
EARLIEST_YEAR = 2000


def _roles(user):
    return set(getattr(user, "roles", None) or [])


def may_write(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or _roles(user) & WRITE_ROLES)


def _require_writer(user):
    if not may_write(user):
        raise PermissionDenied(_("360度评价由组织部门办理"))


def token_hash(token: str) -> str:
    return hashlib.sha256(str(token).encode()).hexdigest()


def evaluations_for(user, action=access.VIEW):
    """The rounds the user may see (or act on): those of units in their jurisdiction. A user who
    only reads their own file sees none (Evaluation shares the cycles' queryset, whose
    self-service branch looks for annual grades a round does not have)."""
    scope = access.scope_for(user)
    if scope.own_cadre_only or scope.is_empty:
        return Evaluation.objects.none()
    return Evaluation.objects.restrict(user, action)


def is_accepting(evaluation, today=None) -> bool:
    """Whether the round still takes scores: open, and its closing day not passed."""
    today = today or timezone.localdate()
    return evaluation.status == EvaluationStatus.OPEN and evaluation.closes_on >= today


def results_visible(evaluation, today=None) -> bool:
    """Results are shown once the round takes no more scores. While it does, comparing the
    averages before and after one rater submits would give away that rater's score; the pages
    and the API then show only how many links were used."""
    return not is_accepting(evaluation, today)


# --- rater groups -----------------------------------------------------------------------------


def percent(weight: Decimal) -> str:
    """25 → "25", 12.5 → "12.5" (normalize alone would write 20 as 2E+1)."""
    return format(weight.normalize(), "f")


def group_weights(evaluation) -> dict[str, dict]:
    """{code: {"label", "weight", "order"}} of the rater groups of the list version the round
    recorded (one query, or none when `groups_list__items` is prefetched)."""
    items = evaluation.groups_list.items.all()
    weights = rater_weights(items)
    return {
        item.code: {
            "code": item.code,
            "label": item.label,
            "weight": weights[item.code],
            "percent": percent(weights[item.code]),
            "order": n,
        }
        for n, item in enumerate(sorted(items, key=lambda i: (i.order, i.code)))
    }


def _check_weights(items):
    try:
        weights = rater_weights(items)
    except ValidationError as error:
        raise ValidationError({"__all__": error.messages}) from None
    total = sum(weights.values(), Decimal(0))
    if not weights or any(w < 0 for w in weights.values()) or total != 100:
        raise ValidationError(
            {
                "__all__": _(
                    "本地区适用的360度评价主体权重之和须为100%%，当前为%(total)s%%，"
                    "请先在政策清单中修正"
                )
                % {"total": percent(total)}
            }
        )


# --- writes -----------------------------------------------------------------------------------


def _ids(values):
    """Ids from model instances or ids; a value that is not an id is refused by the caller."""
    found = []
    for value in values or ():
        found.append(int(getattr(value, "pk", value)))
    return found


@transaction.atomic
def evaluation_open(
    *, actor, unit: Unit, title: str, year: int, quarter=None, closes_on, cadres=(), teams=()
) -> Evaluation:
    """Open a round for `unit` (the organising unit): its subjects are serving cadres and
    leadership teams of units in the unit's subtree and the actor's jurisdiction. The rater
    groups list that applies at `unit` is recorded and must weigh 100 in all."""
    _require_writer(actor)
    if not Unit.objects.restrict(actor, access.CHANGE).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("请选择您管辖范围内的单位")})
    errors = {}
    this_year = timezone.localdate().year
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not EARLIEST_YEAR <= year <= this_year + 1:
        errors["year"] = _("年度须在2000年至明年之间")
    if quarter in ("", None):
        quarter = None
    elif str(quarter) not in {"1", "2", "3", "4"}:
        errors["quarter"] = _("季度须为1至4")
    else:
        quarter = int(quarter)
    if closes_on is None or closes_on < timezone.localdate():
        errors["closes_on"] = _("截止日期不能早于今天")
    try:
        cadre_ids, team_ids = set(_ids(cadres)), set(_ids(teams))
    except (TypeError, ValueError):
        raise ValidationError({"__all__": _("评价对象无效")}) from None
    if cadre_ids:
        found = set(
            Cadre.objects.restrict(actor, access.VIEW)
            .filter(
                pk__in=cadre_ids,
                status=CadreStatus.ACTIVE,
                unit__path__startswith=unit.path,
            )
            .values_list("pk", flat=True)
        )
        if found != cadre_ids:
            errors["cadres"] = _("所选干部须为本单位及下级单位的在职干部")
    if team_ids:
        found = set(
            Unit.objects.restrict(actor, access.VIEW)
            .filter(pk__in=team_ids, path__startswith=unit.path)
            .values_list("pk", flat=True)
        )
        if found != team_ids:
            errors["teams"] = _("所选领导班子须为本单位或下级单位")
    if not cadre_ids and not team_ids:
        errors["cadres"] = _("请至少选择一名干部或一个领导班子作为评价对象")
    if errors:
        raise ValidationError(errors)
    groups_list = policy_list_for(KIND_RATER_GROUPS, unit)
    if groups_list is None:
        raise ValidationError({"__all__": _("本地区尚未发布360度评价主体及权重清单")})
    _check_weights(list(groups_list.items.all()))
    title = str(title or "").strip() or _("%(unit)s%(year)s年360度评价") % {
        "unit": unit.name,
        "year": year,
    }
    evaluation = Evaluation(
        unit=unit,
        title=title,
        year=year,
        quarter=quarter,
        closes_on=closes_on,
        groups_list=groups_list,
        created_by=actor,
    )
    evaluation.full_clean()
    evaluation.save()
    EvaluationSubject.objects.bulk_create(
        [EvaluationSubject(evaluation=evaluation, cadre_id=pk) for pk in sorted(cadre_ids)]
        + [EvaluationSubject(evaluation=evaluation, team_id=pk) for pk in sorted(team_ids)]
    )
    return evaluation


def _lock(actor, evaluation):
    """The round locked for a write: out of jurisdiction → 404; not the organisation → 403."""
    if not evaluations_for(actor, access.VIEW).filter(pk=evaluation.pk).exists():
        raise Http404
    _require_writer(actor)
    locked = (
        evaluations_for(actor, access.CHANGE)
        .select_for_update(of=("self",))
        .select_related("groups_list")
        .filter(pk=evaluation.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("360度评价由组织部门办理"))
    return locked


@transaction.atomic
def evaluation_invite(*, actor, evaluation: Evaluation, group: str, count: int) -> list[str]:
    """Generate `count` single-use links for raters of `group`. Returns the plaintext tokens:
    they are not kept (only their sha256) and cannot be shown again."""
    evaluation = _lock(actor, evaluation)
    if not is_accepting(evaluation):
        raise ValidationError({"__all__": _("评价已结束或已过截止日期，不能再生成链接")})
    if group not in group_weights(evaluation):
        raise ValidationError({"group": _("评价主体不在本次评价的清单中")})
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= MAX_INVITATIONS:
        raise ValidationError({"count": _("每次可生成1至%(max)s个链接") % {"max": MAX_INVITATIONS}})
    tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _n in range(count)]
    RaterInvitation.objects.bulk_create(
        RaterInvitation(evaluation=evaluation, group=group, token_hash=token_hash(t))
        for t in tokens
    )
    return tokens


class InvitationUnusable(ValidationError):
    """The link cannot be used: unknown, already used, or the round is over. `code` says which
    (`unknown`, `used`, `closed`) for the rater page."""


def invitation_for(token: str, *, lock=False):
    """The invitation of a plaintext token with its round, or None."""
    qs = RaterInvitation.objects.select_related("evaluation")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.filter(token_hash=token_hash(token)).first()


def check_invitation(invitation, today=None):
    """Raise InvitationUnusable unless the rater may still score with this invitation."""
    if invitation is None:
        raise InvitationUnusable(_("评价链接无效，请核对链接是否完整"), code="unknown")
    if invitation.used_on is not None:
        raise InvitationUnusable(_("该评价链接已经使用过，每个链接只能提交一次"), code="used")
    if not is_accepting(invitation.evaluation, today):
        raise InvitationUnusable(_("本次评价已经结束"), code="closed")


def _clean_scores(subject_ids, scores) -> dict[int, int]:
    errors, clean = {}, {}
    given = {}
    for key, value in (scores or {}).items():
        try:
            given[int(key)] = value
        except (TypeError, ValueError):
            errors["__all__"] = _("评价对象无效")
    if set(given) - set(subject_ids):
        errors["__all__"] = _("评价对象不属于本次评价")
    for pk in subject_ids:
        value = given.get(pk)
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            errors[str(pk)] = _("请填写0至100之间的整数分")
            continue
        if not SCORE_MIN <= number <= SCORE_MAX:
            errors[str(pk)] = _("请填写0至100之间的整数分")
        else:
            clean[pk] = number
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def evaluation_submit(*, token: str, scores: dict) -> None:
    """An anonymous rater's scores: every subject of the round, 0 to 100. The invitation row is
    locked, so of two submissions with the same link one wins and the other finds it used.
    The score rows copy the group and keep no trace of the invitation; the invitation keeps
    only the day it was used. Errors are keyed by subject id."""
    invitation = invitation_for(token, lock=True)
    check_invitation(invitation)
    evaluation = invitation.evaluation
    subject_ids = list(
        EvaluationSubject.objects.filter(evaluation=evaluation)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    clean = _clean_scores(subject_ids, scores)
    rows = [
        EvaluationScore(evaluation=evaluation, subject_id=pk, group=invitation.group, score=s)
        for pk, s in clean.items()
    ]
    # Shuffled, so that the order of the ids says nothing about which subject came first.
    secrets.SystemRandom().shuffle(rows)
    EvaluationScore.objects.bulk_create(rows)
    invitation.used_on = timezone.localdate()
    invitation.save(update_fields=["used_on"])


@transaction.atomic
def evaluation_close(*, actor, evaluation: Evaluation) -> Evaluation:
    """End the round: no more scores are taken; the unused links stop working."""
    evaluation = _lock(actor, evaluation)
    if evaluation.status != EvaluationStatus.OPEN:
        raise ValidationError({"__all__": _("本次评价已经结束")})
    evaluation.status = EvaluationStatus.CLOSED
    evaluation.save(update_fields=["status"])
    return evaluation


# --- reads ------------------------------------------------------------------------------------


def invitation_counts(evaluations) -> dict[int, dict[str, dict]]:
    """{evaluation id: {group: {"issued", "used"}}} in one query. Counts only: which link was
    used is never shown."""
    found: dict[int, dict[str, dict]] = defaultdict(dict)
    rows = (
        RaterInvitation.objects.filter(evaluation__in=[e.pk for e in evaluations])
        .order_by()
        .values("evaluation_id", "group")
        .annotate(issued=Count("id"), used=Count("id", filter=Q(used_on__isnull=False)))
    )
    for row in rows:
        found[row["evaluation_id"]][row["group"]] = {"issued": row["issued"], "used": row["used"]}
    return found


def _quantize(value):
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def weighted_score(totals: dict[str, tuple[int, int]], weights: dict[str, Decimal]):
    """Σ(avg_g × w_g) / Σ(w_g of the groups that answered), from {group: (sum, count)}.

    Renormalisation: a group that gave no score for the subject is left out and the weights of
    the groups that did are scaled up to 100, so a missing group neither drags the result down
    (as if it had given 0) nor needs a guess. A group below MIN_GROUP_SIZE is left out the same
    way: with its average hidden but counted, the weighted score and the other averages would
    give it away.
    Exact arithmetic; rounded half up to two places at the end. None when no group answered."""
    numerator, denominator = Decimal(0), Decimal(0)
    for group, (total, count) in totals.items():
        weight = weights.get(group)
        if count < MIN_GROUP_SIZE or weight is None or weight == 0:
            continue
        numerator += Decimal(total) / Decimal(count) * weight
        denominator += weight
    if not denominator:
        return None
    return _quantize(numerator / denominator)


def subject_name(subject):
    if subject.cadre_id:
        return subject.cadre.name
    return _("%(unit)s领导班子") % {"unit": subject.team.name}


def subjects_of(evaluation_ids):
    """The subjects of the rounds, cadres before teams, with what their names need."""
    return (
        EvaluationSubject.objects.filter(evaluation_id__in=list(evaluation_ids))
        .select_related("cadre__unit", "team")
        .order_by("evaluation_id", F("team_id").asc(nulls_first=True), "pk")
    )


def weighted_scores_many(evaluations) -> dict[int, list[dict]]:
    """{evaluation id: results per subject} for many rounds in a fixed number of queries (the
    subjects, their score aggregates in one grouped query, and the groups' weights unless
    `groups_list__items` is prefetched). See `weighted_scores` for a row."""
    evaluations = list(evaluations)
    ids = [e.pk for e in evaluations]
    if not ids:
        return {}
    subjects = list(subjects_of(ids))
    totals: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in (
        EvaluationScore.objects.filter(evaluation_id__in=ids)
        .order_by()
        .values("subject_id", "group")
        .annotate(total=Sum("score"), n=Count("id"))
    ):
        totals[row["subject_id"]][row["group"]] = (row["total"], row["n"])
    found: dict[int, list[dict]] = {pk: [] for pk in ids}
    groups_of = {e.pk: group_weights(e) for e in evaluations}
    for subject in subjects:
        groups = groups_of[subject.evaluation_id]
        weights = {code: g["weight"] for code, g in groups.items()}
        by_group = totals.get(subject.pk, {})
        cells = []
        for code, group in groups.items():
            total, count = by_group.get(code, (0, 0))
            shown = count >= MIN_GROUP_SIZE
            cells.append(
                {
                    "code": code,
                    "label": group["label"],
                    "weight": group["weight"],
                    "percent": group["percent"],
                    "count": count,
                    "average": _quantize(Decimal(total) / count) if shown else None,
                    "hidden": 0 < count < MIN_GROUP_SIZE,
                }
            )
        found[subject.evaluation_id].append(
            {
                "subject": subject,
                "subject_id": subject.pk,
                "cadre_id": subject.cadre_id,
                "team_id": subject.team_id,
                "name": subject_name(subject),
                "unit": subject.cadre.unit.name if subject.cadre_id else subject.team.name,
                "groups": cells,
                "count": sum(c["count"] for c in cells),
                "weighted": weighted_score(by_group, weights),
            }
        )
    return found


def weighted_scores(evaluation) -> list[dict]:
    """Per subject of the round: `name`, `unit`, `groups` (per rater group: label, weight,
    count, average — None when fewer than MIN_GROUP_SIZE scored, `hidden` then true), `count`
    and `weighted` (see `weighted_score`; None when nobody scored yet). The scores are read in
    one grouped aggregate query; no individual score ever leaves here."""
    return weighted_scores_many([evaluation])[evaluation.pk]


def finished_rounds(today=None):
    """Rounds whose results are final: closed, or past their closing day (no more scores)."""
    today = today or timezone.localdate()
    return Evaluation.objects.filter(Q(status=EvaluationStatus.CLOSED) | Q(closes_on__lt=today))


def cadre_evaluation_scores(cadre_ids, year, quarter=None, *, today=None) -> dict[int, Decimal]:
    """{cadre id: weighted 360-degree score} of the finished rounds of `year` (and `quarter`, if
    given; None takes every round of the year) in which the cadre was a subject and scored. A
    cadre scored in several rounds gets the mean of their weighted scores. For the quarterly
    overall review (季度总评). Two queries however many cadres."""
    rounds = finished_rounds(today).filter(year=year)
    if quarter is not None:
        rounds = rounds.filter(quarter=quarter)
    cadre_ids = list(cadre_ids)
    if not cadre_ids:
        return {}
    totals: dict[tuple[int, int], dict[str, tuple[int, int]]] = defaultdict(dict)
    list_of: dict[int, int] = {}
    for row in (
        EvaluationScore.objects.filter(evaluation__in=rounds, subject__cadre_id__in=cadre_ids)
        .order_by()
        .values("evaluation_id", "evaluation__groups_list_id", "subject__cadre_id", "group")
        .annotate(total=Sum("score"), n=Count("id"))
    ):
        key = (row["evaluation_id"], row["subject__cadre_id"])
        totals[key][row["group"]] = (row["total"], row["n"])
        list_of[row["evaluation_id"]] = row["evaluation__groups_list_id"]
    if not totals:
        return {}
    items_by_list = defaultdict(list)
    for item in PolicyItem.objects.filter(policy_list_id__in=set(list_of.values())):
        items_by_list[item.policy_list_id].append(item)
    weights_by_list = {pk: rater_weights(items) for pk, items in items_by_list.items()}
    per_cadre: dict[int, list[Decimal]] = defaultdict(list)
    for (evaluation_id, cadre_id), by_group in totals.items():
        score = weighted_score(by_group, weights_by_list.get(list_of[evaluation_id], {}))
        if score is not None:
            per_cadre[cadre_id].append(score)
    return {
        cadre_id: _quantize(sum(scores, Decimal(0)) / len(scores))
        for cadre_id, scores in per_cadre.items()
    }
