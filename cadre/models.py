"""The shared core: units, cadres, users and roles, jurisdiction, the performance record,
notifications, the domain-event outbox, versioned policy lists and audit."""

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access
from .choices import (
    CadreStatus,
    Education,
    FrontlineKind,
    Gender,
    ImportStatus,
    MentoringKind,
    PerformanceSource,
    PolicyStatus,
    Role,
    StaffingType,
    UnitKind,
    UnitLevel,
)


def tracked():
    """History of every insert, update and delete, written by PostgreSQL triggers."""
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent()
    )


# An append-only table: rows are written once and never changed or removed.
APPEND_ONLY = (
    pgtrigger.Protect(name="append_only_update", operation=pgtrigger.Update),
    pgtrigger.Protect(name="append_only_delete", operation=pgtrigger.Delete),
)


# --- reference data -----------------------------------------------------------------------


class PostLevel(models.Model):
    """职务层次: 乡科级副职 … 省部级正职. `order` grows with seniority."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("排序（越大越高）"), unique=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("职务层次")
        verbose_name_plural = _("职务层次")

    def __str__(self):
        return self.name


class Rank(models.Model):
    """职级: the parallel rank ladder of 职务与职级并行 (四级主任科员 … 一级巡视员)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("排序（越大越高）"), unique=True)
    equivalent_level = models.ForeignKey(
        PostLevel, verbose_name=_("对应职务层次"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("职级")
        verbose_name_plural = _("职级")

    def __str__(self):
        return self.name


class CadreTag(models.Model):
    """Tags for cadres such as 年轻干部, 好苗子 (F3)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("干部标签")
        verbose_name_plural = _("干部标签")

    def __str__(self):
        return self.name


# --- units ----------------------------------------------------------------------------------


class UnitQuerySet(models.QuerySet):
    def subtree(self, unit):
        return self.filter(path__startswith=unit.path)

    def restrict(self, user, action="view"):
        scope = access.scope_for(user)
        if not scope.allows(action, model="unit"):
            return self.none()
        if scope.everything:
            return self
        if scope.own_cadre_only:
            # Self-service: only the unit of the cadre's own file.
            return self.filter(cadres__pk=scope.cadre_id) if scope.cadre_id else self.none()
        return self.filter(path__startswith=scope.path)


@tracked()
class Unit(models.Model):
    """单位: a node of the tree province → city → county → township, with departments,
    institutions, enterprises and party organisations hanging from their area."""

    name = models.CharField(_("单位名称"), max_length=100)
    code = models.CharField(_("单位代码"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    # Materialised path of ids, e.g. "/1/5/12/": a subtree is a prefix match on an index.
    path = models.CharField(max_length=255, editable=False, default="", db_index=False)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    kind = models.CharField(_("单位类型"), max_length=20, choices=UnitKind.choices)
    level = models.CharField(_("层级"), max_length=20, choices=UnitLevel.choices)
    region = models.CharField(_("所在地区"), max_length=100, blank=True)
    is_hardship_area = models.BooleanField(_("艰苦（困难）地区"), default=False)
    is_remote_township = models.BooleanField(_("偏远乡镇"), default=False)
    manages_up_to = models.ForeignKey(
        PostLevel,
        verbose_name=_("管理干部至（职务层次）"),
        help_text=_("干部管理权限：本单位可管理的最高职务层次；留空表示不限"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        indexes = [
            models.Index(
                fields=["path"], name="cadre_unit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cadre:unit_detail", args=[self.pk])

    @property
    def ancestor_ids(self):
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def is_descendant_of(self, other):
        return self.path.startswith(other.path)


# --- users --------------------------------------------------------------------------------


class User(AbstractUser):
    """A person who signs in. They act for one unit with one or more roles (DOMAIN §1)."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所在单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices),
        verbose_name=_("角色"),
        default=list,
        blank=True,
    )
    cadre = models.OneToOneField(
        "Cadre",
        verbose_name=_("对应干部"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def has_role(self, *roles):
        return any(role in self.roles for role in roles)


class UserSession(models.Model):
    """Which sessions a user holds, so disabling the user can end them all."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


# --- cadres -------------------------------------------------------------------------------


class CadreQuerySet(models.QuerySet):
    def in_scope(self, scope):
        if scope.everything:
            return self
        if scope.own_cadre_only:
            return self.filter(pk=scope.cadre_id) if scope.cadre_id else self.none()
        qs = self.filter(unit__path__startswith=scope.path)
        if scope.max_level_order is not None:
            qs = qs.filter(
                Q(post_level__isnull=True) | Q(post_level__order__lte=scope.max_level_order)
            )
        return qs

    def restrict(self, user, action="view"):
        scope = access.scope_for(user)
        if not scope.allows(action, model="cadre"):
            return self.none()
        return self.in_scope(scope)

    def with_tag_names(self):
        """Annotate `tag_names`, the names of the cadre's tags, in the same statement: a list
        page then needs no second round trip for tags. PostgreSQL computes the subquery only
        for the rows the LIMIT keeps."""
        from django.contrib.postgres.expressions import ArraySubquery

        names = (
            CadreTag.objects.filter(cadres=models.OuterRef("pk")).order_by("name").values("name")
        )
        return self.annotate(tag_names=ArraySubquery(names))

    def search(self, text):
        text = (text or "").strip()
        if not text:
            return self
        from .crypto import id_number_hash, looks_like_id_number

        if looks_like_id_number(text):
            return self.filter(id_number_hash=id_number_hash(text))
        if len(text) < 3:
            # One or two characters (a surname, a two-character name) match the start of the
            # name: a range scan of the (name, id) index. Trigrams need three characters.
            return self.filter(name__startswith=text)
        return self.filter(name__contains=text)


@tracked()
class Cadre(models.Model):
    """干部: a cadre's identity, post, rank and grassroots experience (DOMAIN §1)."""

    # Code-point collation: the (name, id) index then serves both the name order and a
    # prefix search (LIKE '张%'), whatever the database's default collation.
    name = models.CharField(_("姓名"), max_length=50, db_collation="C")
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    # The ID number is sensitive: stored encrypted, found by a keyed hash, shown masked.
    id_number_cipher = models.TextField(editable=False, blank=True, default="")
    id_number_hash = models.CharField(max_length=64, editable=False, blank=True, default="")
    party_member_since = models.DateField(_("入党时间"), null=True, blank=True)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    staffing_type = models.CharField(_("编制类型"), max_length=20, choices=StaffingType.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="cadres"
    )
    post = models.CharField(_("现任职务"), max_length=100)
    post_level = models.ForeignKey(
        PostLevel, verbose_name=_("职务层次"), on_delete=models.PROTECT, null=True, blank=True
    )
    rank = models.ForeignKey(
        Rank, verbose_name=_("职级"), on_delete=models.PROTECT, null=True, blank=True
    )
    post_since = models.DateField(_("任现职时间"), null=True, blank=True)
    rank_since = models.DateField(_("任现职级时间"), null=True, blank=True)
    work_since = models.DateField(_("参加工作时间"), null=True, blank=True)
    township_years = models.DecimalField(
        _("乡镇工作年限"), max_digits=4, decimal_places=1, default=0
    )
    served_township_head = models.BooleanField(_("曾任乡镇党政正职"), default=False)
    tags = models.ManyToManyField(
        CadreTag, verbose_name=_("标签"), blank=True, related_name="cadres"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=CadreStatus.choices, default=CadreStatus.ACTIVE
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        indexes = [
            models.Index(fields=["name", "id"], name="cadre_cadre_name_id"),
            models.Index(fields=["unit", "name", "id"], name="cadre_cadre_unit_name_id"),
            GinIndex(fields=["name"], name="cadre_cadre_name_trgm", opclasses=["gin_trgm_ops"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="cadre_cadre_unique_id_number",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cadre:cadre_detail", args=[self.pk])

    def clean(self):
        if self.birth_date and self.work_since and self.work_since < self.birth_date:
            raise ValidationError({"work_since": _("参加工作时间不能早于出生日期")})
        if (
            self.birth_date
            and self.party_member_since
            and self.party_member_since < self.birth_date
        ):
            raise ValidationError({"party_member_since": _("入党时间不能早于出生日期")})
        if self.post_since and self.birth_date and self.post_since < self.birth_date:
            raise ValidationError({"post_since": _("任现职时间不能早于出生日期")})

    @property
    def id_number(self):
        from .crypto import decrypt

        return decrypt(self.id_number_cipher) if self.id_number_cipher else ""

    def set_id_number(self, value):
        from .crypto import encrypt, id_number_hash

        value = (value or "").strip().upper()
        self.id_number_cipher = encrypt(value) if value else ""
        self.id_number_hash = id_number_hash(value) if value else ""

    def id_number_for(self, user):
        """The ID number as this user may see it: whole for those who need it, else masked."""
        from .crypto import mask_id_number

        number = self.id_number
        if access.can_see_sensitive(user, self):
            return number
        return mask_id_number(number)

    @property
    def age(self):
        today = timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


@tracked()
class PostHistory(models.Model):
    """任职经历: the posts a cadre has held."""

    cadre = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="post_history", verbose_name=_("干部")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, verbose_name=_("单位"), null=True, blank=True
    )
    unit_name = models.CharField(_("单位名称"), max_length=100, blank=True)
    post = models.CharField(_("职务"), max_length=100)
    post_level = models.ForeignKey(
        PostLevel, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("职务层次")
    )
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("任职经历")
        verbose_name_plural = _("任职经历")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="cadre_posthistory_end_after_start",
            )
        ]

    def __str__(self):
        return f"{self.unit_name or self.unit} {self.post}"


@tracked()
class FrontlineAssignment(models.Model):
    """一线、急难险重任务 postings (F3; X: 568 cadres sent)."""

    cadre = models.ForeignKey(
        Cadre,
        on_delete=models.CASCADE,
        related_name="frontline_assignments",
        verbose_name=_("干部"),
    )
    kind = models.CharField(_("类别"), max_length=20, choices=FrontlineKind.choices)
    task = models.CharField(_("任务"), max_length=200)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    is_major_special_task = models.BooleanField(_("重大专项任务"), default=False)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    result = models.TextField(_("工作成效"), blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("一线任务")
        verbose_name_plural = _("一线任务")

    def __str__(self):
        return self.task


@tracked()
class TrainingRecord(models.Model):
    """培训记录 (F2 “十个专题”, Z 8090 training)."""

    cadre = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("干部")
    )
    title = models.CharField(_("培训名称"), max_length=200)
    topic = models.CharField(_("专题"), max_length=100, blank=True)
    organiser = models.CharField(_("举办单位"), max_length=100, blank=True)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1, default=0)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")

    def __str__(self):
        return self.title


@tracked()
class MentoringPair(models.Model):
    """导师传帮带 / 县级领导与年轻科级干部结对帮带."""

    mentor = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="mentees", verbose_name=_("导师")
    )
    mentee = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="mentors", verbose_name=_("帮带对象")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=MentoringKind.choices)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    goals = models.TextField(_("帮带目标"), blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("结对帮带")
        verbose_name_plural = _("结对帮带")
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")), name="cadre_mentoringpair_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.mentor} → {self.mentee}"


class PerformanceEntry(models.Model):
    """实绩档案 (ZJK14): a dated deed in a cadre's performance record, appended by any app.
    Entries are never edited: a correction is a new entry."""

    cadre = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="performance_entries", verbose_name=_("干部")
    )
    occurred_on = models.DateField(_("日期"))
    source = models.CharField(_("来源"), max_length=20, choices=PerformanceSource.choices)
    category = models.CharField(_("类别"), max_length=50, blank=True)
    title = models.CharField(_("事项"), max_length=200)
    detail = models.TextField(_("详情"), blank=True)
    # The object that produced the entry; with the key below, appending twice is a no-op.
    source_key = models.CharField(max_length=120, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("实绩档案条目")
        verbose_name_plural = _("实绩档案条目")
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "source_key"],
                condition=~Q(source_key=""),
                name="cadre_performanceentry_unique_source",
            )
        ]
        triggers = [*APPEND_ONLY[:1]]

    def __str__(self):
        return self.title


class CadreViewLog(models.Model):
    """Every view of a cadre's file, by whom and where from (append-only)."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="view_logs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now)
    path = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-viewed_at"]
        verbose_name = _("干部档案查阅记录")
        verbose_name_plural = _("干部档案查阅记录")
        triggers = [*APPEND_ONLY[:1]]

    def __str__(self):
        return f"{self.user} → {self.cadre} {self.viewed_at:%Y-%m-%d %H:%M}"


# --- notifications --------------------------------------------------------------------------


class Notification(models.Model):
    """A message in a user's in-app inbox; copied by email when the user has an address."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=60)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Lets a periodic job notify once per subject and day however often it runs.
    dedupe_key = models.CharField(max_length=160, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["recipient", "read_at"], name="cadre_notif_recipient_read")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="cadre_notification_unique_dedupe",
            )
        ]

    def __str__(self):
        return self.title


# --- domain events (transactional outbox) --------------------------------------------------


class Event(models.Model):
    """A domain event, recorded in the same transaction as the change it reports and
    dispatched to handlers after commit (ARCHITECTURE.md, Domain events)."""

    kind = models.CharField(max_length=64, db_index=True)
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="domain_events"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="domain_events"
    )
    payload = models.JSONField(default=dict, blank=True)
    source_type = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("领域事件")
        verbose_name_plural = _("领域事件")
        indexes = [
            models.Index(
                fields=["occurred_at"],
                name="cadre_event_undispatched",
                condition=Q(dispatched_at__isnull=True),
            )
        ]
        triggers = [pgtrigger.Protect(name="append_only_delete", operation=pgtrigger.Delete)]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class EventHandling(models.Model):
    """That one handler has handled one event; unique, so a second delivery is a no-op."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="handlings")
    handler = models.CharField(max_length=200)
    handled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("事件处理记录")
        verbose_name_plural = _("事件处理记录")
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="cadre_eventhandling_once"),
        ]
        triggers = [*APPEND_ONLY]

    def __str__(self):
        return f"{self.handler} ← {self.event_id}"


# --- policy lists ---------------------------------------------------------------------------


class PolicyListQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=PolicyStatus.PUBLISHED)

    def restrict(self, user, action="view"):
        scope = access.scope_for(user)
        if not scope.allows(action, model="policylist"):
            return self.none()
        if scope.everything:
            return self
        # Lists of the user's subtree, and the ones above that apply to it (read-only there).
        unit = user.unit
        return self.filter(
            Q(unit__isnull=True)
            | Q(unit__path__startswith=scope.path)
            | Q(unit_id__in=unit.ancestor_ids)
        )


@tracked()
class PolicyList(models.Model):
    """One version of a policy list (conditions, situations, triggers, quotas, ladders …),
    scoped to a unit and its subtree, or to everywhere when no unit is set. A published
    version is frozen; changes are made in a new version. Decisions keep the version used."""

    kind = models.CharField(_("清单类别代码"), max_length=64)
    title = models.CharField(_("清单名称"), max_length=200)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("适用单位（含下级）"),
        help_text=_("留空表示全域默认清单"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policy_lists",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    source = models.CharField(_("政策依据"), max_length=300, blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("基于版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PolicyListQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "unit_id", "-version"]
        verbose_name = _("政策清单")
        verbose_name_plural = _("政策清单")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "unit", "version"],
                name="cadre_policylist_unique_version",
                nulls_distinct=False,
            ),
            models.UniqueConstraint(
                fields=["kind", "unit"],
                condition=Q(status=PolicyStatus.PUBLISHED),
                name="cadre_policylist_one_published",
                nulls_distinct=False,
            ),
        ]
        triggers = [
            # A published or retired version is frozen: the only change allowed is retiring a
            # published one when its successor is published; it can never be deleted.
            pgtrigger.Trigger(
                name="frozen_list",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func="""
                    IF OLD.status <> 'draft' THEN
                        IF TG_OP = 'DELETE' OR NOT (
                            OLD.status = 'published' AND NEW.status = 'retired'
                            AND NEW.kind = OLD.kind AND NEW.unit_id IS NOT DISTINCT FROM OLD.unit_id
                            AND NEW.version = OLD.version AND NEW.title = OLD.title
                        ) THEN
                            RAISE EXCEPTION 'policy list % is frozen: make a new version', OLD.id
                                USING ERRCODE = 'check_violation';
                        END IF;
                    END IF;
                    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                    RETURN NEW;
                """,
            ),
        ]

    def __str__(self):
        where = self.unit.name if self.unit_id else _("全域")
        return f"{self.title}（{where}，第{self.version}版）"

    @property
    def is_frozen(self):
        return self.status != PolicyStatus.DRAFT


# Items of a published or retired list cannot change: enforced by the database itself.
_FROZEN_ITEM_CHECK = """
    IF (SELECT status FROM cadre_policylist WHERE id = {ref}.policy_list_id) <> 'draft' THEN
        RAISE EXCEPTION 'policy list % is frozen: make a new version', {ref}.policy_list_id
            USING ERRCODE = 'check_violation';
    END IF;
"""


class PolicyItem(models.Model):
    """One row of a policy list, referred to in code by its stable code (e.g. C1, N9)."""

    policy_list = models.ForeignKey(
        PolicyList, on_delete=models.CASCADE, related_name="items", verbose_name=_("清单")
    )
    code = models.CharField(_("代码"), max_length=40)
    label = models.CharField(_("名称"), max_length=300)
    description = models.TextField(_("说明"), blank=True)
    group = models.CharField(_("分组"), max_length=60, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    params = models.JSONField(_("参数"), default=dict, blank=True)

    class Meta:
        ordering = ["policy_list", "order", "code"]
        verbose_name = _("清单条目")
        verbose_name_plural = _("清单条目")
        constraints = [
            models.UniqueConstraint(
                fields=["policy_list", "code"], name="cadre_policyitem_unique_code"
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="frozen_list_insert_update",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                func=_FROZEN_ITEM_CHECK.format(ref="NEW")
                + "IF TG_OP = 'UPDATE' THEN "
                + _FROZEN_ITEM_CHECK.format(ref="OLD")
                + " END IF; RETURN NEW;",
            ),
            pgtrigger.Trigger(
                name="frozen_list_delete",
                operation=pgtrigger.Delete,
                when=pgtrigger.Before,
                func="""
                    IF EXISTS (SELECT 1 FROM cadre_policylist WHERE id = OLD.policy_list_id
                               AND status <> 'draft') THEN
                        RAISE EXCEPTION 'policy list % is frozen: make a new version', OLD.policy_list_id
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN OLD;
                """,
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.label}"


# --- imports --------------------------------------------------------------------------------


class ImportJob(models.Model):
    """An Excel import: the file, its progress and the report of every bad row."""

    kind = models.CharField(max_length=40, default="cadres")
    filename = models.CharField(_("文件名"), max_length=200)
    content = models.BinaryField(editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("导入条数"), default=0)
    errors = models.JSONField(_("错误报告"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self):
        return self.filename

    @property
    def progress_percent(self):
        if not self.total_rows:
            return 0 if self.status in (ImportStatus.PENDING, ImportStatus.RUNNING) else 100
        return int(self.processed_rows * 100 / self.total_rows)


# --- working-day calendar -------------------------------------------------------------------


class CalendarDay(models.Model):
    """A day whose working status differs from the built-in Chinese calendar: a public holiday
    or a make-up workday (调休) of a year the built-in data does not cover yet, or a local one."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")

    def __str__(self):
        return f"{self.date} {'工作日' if self.is_workday else '休息日'}"


# --- shared by the apps whose records some roles write and others read ------------------------


class RoleScopedCadreQuerySet(models.QuerySet):
    """Rows about one cadre: visible when the cadre is inside the user's scope. Subclasses name
    the app's `role_scope` (an `access.RoleScope`) and, when the cadre is reached through
    another row, `cadre_path`."""

    role_scope: access.RoleScope
    cadre_path = "cadre"

    def restrict(self, user, action="view"):
        q = self.role_scope.cadre_q(user, action, prefix=self.cadre_path)
        return self.none() if q is None else self.filter(q)


class RoleScopedUnitQuerySet(models.QuerySet):
    """Rows of a unit: visible inside the user's subtree (see RoleScopedCadreQuerySet)."""

    role_scope: access.RoleScope
    unit_path = "unit"

    def restrict(self, user, action="view"):
        q = self.role_scope.unit_q(user, action, prefix=self.unit_path)
        return self.none() if q is None else self.filter(q)


class ActionLog(models.Model):
    """One change of a record (who, when, from which status to which, why), as the timelines
    show it; each app keeps its own append-only table of these, with its own `subject`
    choices. pghistory keeps the field-level history besides."""

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
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_subject_display()} #{self.subject_id} {self.action}"

    @classmethod
    def record(cls, subject, obj, action, *, actor=None, from_status="", to_status="", note=""):
        """Append one line to the record's timeline."""
        return cls.objects.create(
            subject=subject,
            subject_id=obj.pk,
            action=action,
            from_status=from_status or "",
            to_status=to_status or "",
            note=note or "",
            actor=actor
            if actor is not None and getattr(actor, "is_authenticated", False)
            else None,
        )

    @classmethod
    def of(cls, subject, obj):
        """The timeline of one record, oldest first."""
        return cls.objects.filter(subject=subject, subject_id=obj.pk).select_related("actor")
