"""Django admin of the core: every model, inside the user's jurisdiction.

A staff user sees only what `restrict(user)` lets them see, chooses units and cadres only from
their scope, and may add, change or delete only what their roles allow (cadre.access). Cadres,
units, the performance record, frontline postings, notifications and policy lists are written
through cadre.services; the append-only and technical tables are read-only here."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import access, services
from .choices import Role
from .crypto import looks_like_id_number
from .events import dispatch_event
from .models import (
    Cadre,
    CadreTag,
    CadreViewLog,
    CalendarDay,
    Event,
    EventHandling,
    FrontlineAssignment,
    ImportJob,
    MentoringPair,
    Notification,
    PerformanceEntry,
    PolicyItem,
    PolicyList,
    PostHistory,
    PostLevel,
    Rank,
    TrainingRecord,
    Unit,
    User,
    UserSession,
)

# --- shared behaviour -----------------------------------------------------------------------


class ScopedAdminMixin:
    """Limits an admin to the user's jurisdiction; superusers see everything.

    A model whose queryset has `restrict()` (Unit, Cadre, PolicyList) is read through it. A
    model hanging off a cadre names the lookup to that cadre in `scope_cadre_field`, one
    hanging off a unit names it in `scope_unit_field`. Anything else is hidden from
    non-superusers unless `scope_queryset()` is overridden."""

    scope_cadre_field: str | None = None
    scope_unit_field: str | None = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return self.scope_queryset(qs, request.user)

    def scope_queryset(self, qs, user):
        if hasattr(qs, "restrict"):
            return qs.restrict(user, access.VIEW)
        if self.scope_cadre_field:
            return qs.filter(**{f"{self.scope_cadre_field}__in": scoped_cadres(user)})
        if self.scope_unit_field:
            return qs.filter(**{f"{self.scope_unit_field}__in": scoped_units(user)})
        return qs.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            related = db_field.related_model
            if related is Cadre:
                kwargs["queryset"] = scoped_cadres(request.user)
            elif related is Unit:
                kwargs["queryset"] = scoped_units(request.user)
            elif related is PolicyList:
                kwargs["queryset"] = PolicyList.objects.restrict(request.user, access.VIEW)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Django's model permissions say which tables a staff user may touch; the roles
    # (cadre.access) say whether they may add, change or delete at all.
    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and access.can(request.user, access.ADD)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and access.can(
            request.user, access.CHANGE
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and access.can(
            request.user, access.DELETE
        )


def scoped_cadres(user):
    return Cadre.objects.restrict(user, access.VIEW)


def scoped_units(user):
    return Unit.objects.restrict(user, access.VIEW)


class ReadOnlyAdminMixin:
    """Rows written by the system only: they can be looked at, never changed here."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FileRecordAdminMixin:
    """Records of a cadre's file are saved and deleted through the cadre services."""

    def save_model(self, request, obj, form, change):
        services.cadre_record_save(actor=request.user, record=obj)

    def delete_model(self, request, obj):
        services.cadre_record_delete(actor=request.user, record=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.cadre_record_delete(actor=request.user, record=obj)


class ServiceErrorsMixin:
    """A service may refuse a save for a reason the form could not check (a rule across rows,
    a concurrent change), or a database constraint may. The admin then shows the reason
    instead of an error page; the save's transaction has been rolled back."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            message = "；".join(exc.messages)
        except IntegrityError:
            message = gettext("数据与已有记录冲突（如日期早于现有任职经历），请检查后重试")
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


def _copy_saved(obj, saved):
    """The admin goes on with the object it built; give it the identity of the saved row."""
    obj.pk = saved.pk
    obj._state.adding = False


# --- reference data -------------------------------------------------------------------------


@admin.register(PostLevel)
class PostLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]
    ordering = ["order"]


@admin.register(Rank)
class RankAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "equivalent_level"]
    list_select_related = ["equivalent_level"]
    list_filter = ["equivalent_level"]
    search_fields = ["name", "code"]
    ordering = ["order"]


@admin.register(CadreTag)
class CadreTagAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and make-up workdays the built-in calendar does not know (deadlines count
    working days)."""

    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


# --- units ----------------------------------------------------------------------------------


@admin.register(Unit)
class UnitAdmin(ServiceErrorsMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "indented_name",
        "code",
        "kind",
        "level",
        "parent",
        "manages_up_to",
        "is_hardship_area",
        "is_remote_township",
    ]
    list_select_related = ["parent", "manages_up_to"]
    list_filter = ["kind", "level", "is_hardship_area", "is_remote_township"]
    search_fields = ["name", "code"]
    ordering = ["path"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    fields = [
        "name",
        "code",
        "parent",
        "kind",
        "level",
        "region",
        "is_hardship_area",
        "is_remote_township",
        "manages_up_to",
        "sort_order",
        "path",
        "depth",
    ]

    @admin.display(description=_("单位名称"), ordering="path")
    def indented_name(self, unit):
        return "　" * unit.depth + unit.name

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        if change:
            # A fresh row: the form has already put the new parent on `obj`, and the service
            # compares the old parent with the new one to move the subtree.
            services.unit_update(actor=request.user, unit=Unit.objects.get(pk=obj.pk), **data)
        else:
            _copy_saved(obj, services.unit_create(actor=request.user, **data))


# --- users ----------------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    scope_unit_field = "unit"
    list_display = [
        "username",
        "full_name",
        "unit",
        "roles_display",
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_select_related = ["unit"]
    list_filter = ["is_staff", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "email"]
    autocomplete_fields = ["unit", "cadre"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("单位与角色"), {"fields": ("full_name", "unit", "roles", "cadre")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("单位与角色"), {"fields": ("full_name", "email", "unit", "roles")}),
    )

    @admin.display(description=_("角色"))
    def roles_display(self, user):
        return "、".join(str(Role(role).label) for role in user.roles if role in Role.values)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "roles":
            choices = Role.choices
            if not request.user.is_superuser:
                # A system administrator without a unit sees everything: only a superuser
                # may appoint one.
                choices = [c for c in choices if c[0] != Role.ADMIN]
            return forms.MultipleChoiceField(
                label=db_field.verbose_name,
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "unit" in form.base_fields:
            # A user without a unit would fall outside every jurisdiction.
            form.base_fields["unit"].required = True
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "groups", "user_permissions"]
        return readonly


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = "user__unit"
    # The session key is a bearer secret: never shown.
    fields = ["user", "created_at"]
    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__full_name"]


# --- cadres ---------------------------------------------------------------------------------


class CadreAdminForm(forms.ModelForm):
    # Not named `id_number`: on a view-only page the admin would show the model's decrypted
    # `Cadre.id_number` in its place.
    id_number_input = forms.CharField(
        label=_("身份证号码"),
        required=False,
        max_length=18,
        help_text=_("18位居民身份证号码；修改时留空表示不变"),
    )

    class Meta:
        model = Cadre
        fields = [*services.CADRE_FIELDS, "tags"]
        widgets = {"tags": forms.CheckboxSelectMultiple}

    def clean_id_number_input(self):
        try:
            return services.id_number_check(self.cleaned_data["id_number_input"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["id_number"]) from exc


@admin.register(Cadre)
class CadreAdmin(ServiceErrorsMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = CadreAdminForm
    list_display = [
        "name",
        "gender",
        "birth_date",
        "unit",
        "post",
        "post_level",
        "rank",
        "status",
    ]
    list_select_related = ["unit", "post_level", "rank"]
    list_filter = [
        "status",
        "gender",
        "post_level",
        "rank",
        "staffing_type",
        "served_township_head",
        "tags",
        ("unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name"]
    search_help_text = _("按姓名或完整的身份证号码查找")
    autocomplete_fields = ["unit"]
    readonly_fields = ["id_number_display", "created_at", "updated_at"]
    fieldsets = [
        (
            _("基本信息"),
            {
                "fields": [
                    "name",
                    "gender",
                    "birth_date",
                    "ethnicity",
                    "id_number_display",
                    "id_number_input",
                    "party_member_since",
                    "education",
                    "phone",
                ]
            },
        ),
        (
            _("职务职级"),
            {
                "fields": [
                    "unit",
                    "post",
                    "post_level",
                    "post_since",
                    "rank",
                    "rank_since",
                    "staffing_type",
                    "status",
                ]
            },
        ),
        (
            _("基层经历与标签"),
            {"fields": ["work_since", "township_years", "served_township_head", "tags"]},
        ),
        (_("记录"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("现登记身份证号码"))
    def id_number_display(self, cadre):
        viewer = getattr(cadre, "_viewer", None)
        if viewer is None:
            return "-"
        return cadre.id_number_for(viewer) or "-"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Nothing to type on a view-only page.
            fieldsets = [
                (name, {**opts, "fields": [f for f in opts["fields"] if f != "id_number_input"]})
                for name, opts in fieldsets
            ]
        return fieldsets

    def get_object(self, request, object_id, from_field=None):
        cadre = super().get_object(request, object_id, from_field)
        if cadre is not None:
            # The number is shown as this user may see it (masked without view_sensitive).
            cadre._viewer = request.user
        return cadre

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if looks_like_id_number(term):
            return queryset.search(term), False
        return super().get_search_results(request, queryset, search_term)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            cadre = self.get_object(request, unquote(object_id))
            if cadre is not None:
                # Every view of a personnel file is logged (ARCHITECTURE.md, Audit).
                services.cadre_view_log(
                    user=request.user,
                    cadre=cadre,
                    path=request.get_full_path(),
                    ip_address=request.META.get("REMOTE_ADDR"),
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name]
            for name in services.CADRE_FIELDS
            if name in form.cleaned_data
        }
        tags = form.cleaned_data.get("tags")
        id_number = form.cleaned_data.get("id_number_input", "")
        if change:
            services.cadre_update(
                actor=request.user, cadre=obj, id_number=id_number or None, tags=tags, **data
            )
        else:
            saved = services.cadre_create(
                actor=request.user, id_number=id_number, tags=tags, **data
            )
            _copy_saved(obj, saved)

    def save_related(self, request, form, formsets, change):
        # Tags were set by the service in save_model.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.cadre_delete(actor=request.user, cadre=obj)

    def delete_queryset(self, request, queryset):
        for cadre in queryset:
            services.cadre_delete(actor=request.user, cadre=cadre)


# Records hanging off a cadre. They have no service of their own (except frontline postings,
# which may emit an event), so the admin saves them with the model's own validation.


@admin.register(PostHistory)
class PostHistoryAdmin(
    FileRecordAdminMixin, ServiceErrorsMixin, ScopedAdminMixin, admin.ModelAdmin
):
    scope_cadre_field = "cadre"
    list_display = ["cadre", "unit_name", "post", "post_level", "start_date", "end_date"]
    list_select_related = ["cadre", "post_level"]
    list_filter = ["post_level"]
    search_fields = ["cadre__name", "post", "unit_name"]
    autocomplete_fields = ["cadre", "unit"]


@admin.register(FrontlineAssignment)
class FrontlineAssignmentAdmin(
    FileRecordAdminMixin, ServiceErrorsMixin, ScopedAdminMixin, admin.ModelAdmin
):
    scope_cadre_field = "cadre"
    list_display = [
        "task",
        "cadre",
        "kind",
        "is_major_special_task",
        "place",
        "start_date",
        "end_date",
    ]
    list_select_related = ["cadre"]
    list_filter = ["kind", "is_major_special_task"]
    search_fields = ["task", "cadre__name", "place"]
    autocomplete_fields = ["cadre"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(
    FileRecordAdminMixin, ServiceErrorsMixin, ScopedAdminMixin, admin.ModelAdmin
):
    scope_cadre_field = "cadre"
    list_display = ["title", "cadre", "topic", "organiser", "start_date", "end_date", "hours"]
    list_select_related = ["cadre"]
    list_filter = ["topic"]
    search_fields = ["title", "topic", "cadre__name"]
    autocomplete_fields = ["cadre"]


@admin.register(MentoringPair)
class MentoringPairAdmin(
    FileRecordAdminMixin, ServiceErrorsMixin, ScopedAdminMixin, admin.ModelAdmin
):
    # The pair belongs to the file of the cadre being mentored.
    scope_cadre_field = "mentee"
    list_display = ["mentor", "mentee", "kind", "start_date", "end_date"]
    list_select_related = ["mentor", "mentee"]
    list_filter = ["kind"]
    search_fields = ["mentor__name", "mentee__name"]
    autocomplete_fields = ["mentor", "mentee"]


@admin.register(PerformanceEntry)
class PerformanceEntryAdmin(ServiceErrorsMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Entries are appended, never edited: a correction is a new entry (ZJK14)."""

    scope_cadre_field = "cadre"
    list_display = ["title", "cadre", "occurred_on", "source", "category", "created_by"]
    list_select_related = ["cadre", "created_by"]
    list_filter = ["source"]
    search_fields = ["title", "category", "cadre__name"]
    autocomplete_fields = ["cadre"]
    fields = ["cadre", "occurred_on", "source", "category", "title", "detail"]
    readonly_fields = ["created_by", "created_at"]

    def get_fields(self, request, obj=None):
        return [*self.fields, *self.readonly_fields] if obj else self.fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.performance_entry_append(actor=request.user, **form.cleaned_data)
        _copy_saved(obj, saved)


@admin.register(CadreViewLog)
class CadreViewLogAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_cadre_field = "cadre"
    list_display = ["cadre", "user", "viewed_at", "path", "ip_address"]
    list_select_related = ["cadre", "user"]
    search_fields = ["cadre__name", "user__username", "user__full_name"]
    date_hierarchy = "viewed_at"


# --- notifications --------------------------------------------------------------------------


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Sent through services.notify (which also e-mails); a sent message is not edited."""

    list_display = ["title", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_select_related = ["recipient"]
    list_filter = [("read_at", admin.EmptyFieldListFilter), "kind"]
    search_fields = ["title", "recipient__username", "recipient__full_name"]
    autocomplete_fields = ["recipient"]
    fields = ["recipient", "kind", "title", "body", "link"]
    readonly_fields = ["created_at", "read_at", "emailed_at"]

    def get_fields(self, request, obj=None):
        return [*self.fields, *self.readonly_fields] if obj else self.fields

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        # An inbox is private: staff see their own, superusers all.
        return qs if request.user.is_superuser else qs.filter(recipient=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "recipient" and not request.user.is_superuser:
            kwargs["queryset"] = User.objects.filter(unit__in=scoped_units(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = services.notify(
            recipients=[data["recipient"]],
            kind=data["kind"],
            title=data["title"],
            body=data["body"],
            link=data["link"],
        )
        if created:
            _copy_saved(obj, created[0])


# --- domain events --------------------------------------------------------------------------


def _events_in_scope(user, prefix=""):
    return Q(**{f"{prefix}cadre__in": scoped_cadres(user)}) | Q(
        **{f"{prefix}cadre__isnull": True, f"{prefix}unit__in": scoped_units(user)}
    )


class EventHandlingInline(admin.TabularInline):
    model = EventHandling
    extra = 0
    fields = ["handler", "handled_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "cadre",
        "unit",
        "occurred_at",
        "dispatched_at",
        "attempts",
        "short_error",
    ]
    list_select_related = ["cadre", "unit"]
    list_filter = [("dispatched_at", admin.EmptyFieldListFilter), "kind"]
    search_fields = ["kind", "cadre__name", "unit__name"]
    date_hierarchy = "occurred_at"
    inlines = [EventHandlingInline]
    actions = ["redispatch"]

    def scope_queryset(self, qs, user):
        return qs.filter(_events_in_scope(user))

    @admin.display(description=_("最近错误"))
    def short_error(self, event):
        return event.last_error[:80]

    def has_redispatch_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description=_("重新分发"), permissions=["redispatch"])
    def redispatch(self, request, queryset):
        # Handlers that already ran are skipped (EventHandling), so this is safe to repeat.
        ran = sum(dispatch_event(event_id) for event_id in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            gettext("已重新分发 %(events)d 个事件，本次执行处理程序 %(ran)d 次")
            % {"events": queryset.count(), "ran": ran},
            messages.SUCCESS,
        )


@admin.register(EventHandling)
class EventHandlingAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["event", "handler", "handled_at"]
    list_select_related = ["event"]
    search_fields = ["handler", "event__kind"]

    def scope_queryset(self, qs, user):
        return qs.filter(_events_in_scope(user, prefix="event__"))


# --- policy lists ---------------------------------------------------------------------------


class PolicyItemInline(admin.TabularInline):
    """Items can be edited only while their list is a draft; the database refuses any change
    to the items of a published or retired list."""

    model = PolicyItem
    extra = 0
    fields = ["code", "label", "group", "order", "description", "params"]

    def _editable(self, obj):
        return obj is None or not obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(PolicyList)
class PolicyListAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "unit",
        "version",
        "status",
        "effective_from",
        "published_at",
        "based_on",
    ]
    list_select_related = ["unit", "based_on", "based_on__unit"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "kind", "source"]
    autocomplete_fields = ["unit"]
    inlines = [PolicyItemInline]
    actions = ["new_version", "publish"]
    fields = [
        "kind",
        "title",
        "unit",
        "version",
        "status",
        "source",
        "effective_from",
        "based_on",
        "published_at",
        "published_by",
        "created_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        # The status changes only through the 发布 action; versions are numbered by
        # 创建新版本 (a new list starts at the version typed here).
        readonly = ["status", "based_on", "published_at", "published_by", "created_at"]
        if obj is not None:
            readonly.append("version")
        return readonly

    def _own_list(self, request, policy_list):
        """Lists of the user's own subtree are theirs to change; those above (or the
        nationwide default) apply to them but belong to others."""
        if request.user.is_superuser or access.scope_for(request.user).everything:
            return True
        if policy_list.unit_id is None:
            return False
        return policy_list.unit.path.startswith(access.scope_for(request.user).path)

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.is_frozen or not self._own_list(request, obj)):
            # A published list is never edited in place: make a new version.
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_frozen or not self._own_list(request, obj)):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # A bulk delete would reach published lists, whose items the database protects.
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("创建新版本"), permissions=["change"])
    def new_version(self, request, queryset):
        for base in queryset.select_related("unit"):
            # A list from above becomes this unit's own refined list (细化清单).
            unit = base.unit if self._own_list(request, base) else request.user.unit
            draft = services.policy_list_new_version(actor=request.user, base=base, unit=unit)
            self.message_user(
                request,
                gettext("已创建草稿：%(draft)s，共 %(count)d 个条目")
                % {"draft": draft, "count": draft.items.count()},
                messages.SUCCESS,
            )

    @admin.action(description=_("发布"), permissions=["change"])
    def publish(self, request, queryset):
        for policy_list in queryset.select_related("unit"):
            if not self._own_list(request, policy_list):
                self.message_user(
                    request,
                    gettext("%(list)s：不能发布上级单位的清单") % {"list": policy_list},
                    messages.ERROR,
                )
                continue
            try:
                published = services.policy_list_publish(
                    actor=request.user,
                    policy_list=policy_list,
                    effective_from=policy_list.effective_from,
                )
            except ValidationError as exc:
                self.message_user(
                    request,
                    gettext("%(list)s：%(reason)s")
                    % {"list": policy_list, "reason": "；".join(exc.messages)},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("已发布：%(list)s，此前发布的版本已停用") % {"list": published},
                    messages.SUCCESS,
                )


# --- imports --------------------------------------------------------------------------------


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "filename",
        "kind",
        "status",
        "progress",
        "created_count",
        "created_by",
        "unit",
        "created_at",
        "finished_at",
    ]
    list_select_related = ["created_by", "unit"]
    list_filter = ["status", "kind"]
    search_fields = ["filename"]
    fields = [
        "filename",
        "kind",
        "status",
        "total_rows",
        "processed_rows",
        "created_count",
        "errors",
        "created_by",
        "unit",
        "created_at",
        "finished_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # The file's bytes are never needed on these pages.
        return super().get_queryset(request).defer("content")

    def scope_queryset(self, qs, user):
        return qs.filter(Q(unit__in=scoped_units(user)) | Q(created_by=user))

    @admin.display(description=_("进度"))
    def progress(self, job):
        return f"{job.progress_percent}%"
