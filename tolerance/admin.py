"""Django admin of fault tolerance and clearing of names: every model, inside the user's
jurisdiction.

A staff user sees what `restrict(user, "view")` lets them see and acts only on what
`restrict(user, "change")` allows. Files are opened through tolerance.services (accountability
matters, reminders, cases, clearing matters). Statuses and decisions move only through
tolerance.workflow, so they are read-only here, as are the records entered on the case pages or
through the API (answers, inquiries, consultations, visits, clarifications, publications, the
blacklist); correction progress and background checks are saved through their services. Status
changes are append-only. Nothing is deleted: a file is kept whole."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cadre import access
from cadre.admin import ServiceErrorsMixin
from cadre.models import Cadre, Unit
from cadre.selectors import policy_items

from . import services
from .choices import KIND_MATTER_CATEGORIES
from .models import (
    ACT_ROLES,
    AccountabilityMatter,
    BlacklistEntry,
    Case,
    CaseStatusChange,
    ChecklistAnswer,
    Clarification,
    ClearingMatter,
    ClearingStatusChange,
    Consultation,
    CorrectionPlan,
    FollowUpVisit,
    Inquiry,
    Publication,
    Reminder,
    files_scope_q,
)


def shown(field, label, *, boolean=False):
    """A read-only column or field under a Chinese label, for model fields that have none."""

    @admin.display(description=label, ordering=field, boolean=boolean)
    def display(self, obj):
        value = getattr(obj, field)
        if value is None or value == "":
            return None if boolean else "-"
        return value

    return display


class Labels:
    """Chinese labels for the fields the models leave unnamed (who recorded, when …)."""

    case_shown = shown("case", _("案件"))
    clearing_shown = shown("clearing", _("澄清正名事项"))
    item_shown = shown("item", _("清单条目"))
    actor_shown = shown("actor", _("操作人"))
    created_by_shown = shown("created_by", _("登记人"))
    created_at_shown = shown("created_at", _("时间"))
    recorded_by_shown = shown("recorded_by", _("记录人"))
    answered_by_shown = shown("answered_by", _("研判人"))
    answered_at_shown = shown("answered_at", _("研判时间"))
    published_by_shown = shown("published_by", _("发布人"))
    listed_by_shown = shown("listed_by", _("登记人"))


def _copy_saved(obj, saved):
    """The admin goes on with the object it built; give it the identity of the saved row."""
    obj.pk = saved.pk
    obj._state.adding = False


def _may_act(user):
    return (
        user.is_superuser
        or access.scope_for(user).everything
        or bool(set(user.roles or []) & ACT_ROLES)
    )


class ToleranceAdmin(Labels, ServiceErrorsMixin, admin.ModelAdmin):
    """Scoped by jurisdiction; opened through a service (`open_file`) when `add_fields` is
    set; only `editable_fields` may be corrected on an existing row; never deleted."""

    add_fields: list | None = None
    editable_fields: tuple = ()

    # --- scope ------------------------------------------------------------------------------

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return self.scope_queryset(qs, request.user)

    def scope_queryset(self, qs, user):
        return qs.restrict(user, access.VIEW)

    def in_change_scope(self, request, obj):
        if request.user.is_superuser:
            return True
        return self.model.objects.restrict(request.user, access.CHANGE).filter(pk=obj.pk).exists()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            related = db_field.related_model
            if related is Unit:
                kwargs["queryset"] = Unit.objects.restrict(request.user, access.VIEW)
            elif related is Cadre:
                kwargs["queryset"] = Cadre.objects.restrict(request.user, access.VIEW)
            elif related is AccountabilityMatter:
                kwargs["queryset"] = AccountabilityMatter.objects.restrict(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is Cadre and not request.user.is_superuser:
            kwargs["queryset"] = Cadre.objects.restrict(request.user, access.VIEW)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "matter_category":
            # The codes of the matter categories list applying at the user's unit.
            _list, items = policy_items(KIND_MATTER_CATEGORIES, request.user.unit)
            return forms.ChoiceField(
                label=db_field.verbose_name,
                choices=[("", "---------"), *((i.code, i.label) for i in items)],
                required=False,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # --- permissions ------------------------------------------------------------------------

    def has_add_permission(self, request, *args):
        return (
            self.add_fields is not None
            and super().has_add_permission(request, *args)
            and _may_act(request.user)
        )

    def has_change_permission(self, request, obj=None):
        if not self.editable_fields or not _may_act(request.user):
            return False
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or self.in_change_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # --- forms ------------------------------------------------------------------------------

    def get_fields(self, request, obj=None):
        if obj is None and self.add_fields is not None:
            return list(self.add_fields)
        return super().get_fields(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None and self.add_fields is not None:
            return [(None, {"fields": self.get_fields(request, obj)})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = []
        for entry in self.fieldsets or [(None, {"fields": self.fields or []})]:
            fields += list(entry[1]["fields"])
        return [f for f in fields if f not in self.editable_fields]

    def save_model(self, request, obj, form, change):
        if change:
            changed = [f for f in form.changed_data if f in self.editable_fields]
            if changed:
                self.correct(request, obj, changed)
        else:
            _copy_saved(obj, self.open_file(request, form.cleaned_data))

    def save_related(self, request, form, formsets, change):
        # Subjects were set by the service that opened the file; inlines are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def open_file(self, request, data):
        raise NotImplementedError

    def correct(self, request, obj, changed):
        """A correction of descriptive text: no rule depends on it; history keeps the old."""
        obj.save(update_fields=changed)


class ReadOnlyInline(Labels, admin.TabularInline):
    """Rows written by the services and the workflow, shown on their file."""

    extra = 0
    can_delete = False
    show_change_link = False
    select_related = ()

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.select_related)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyAdmin(ToleranceAdmin):
    """A table the admin only looks at: written by a service or the workflow."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- inlines ----------------------------------------------------------------------------------


class CaseStatusChangeInline(ReadOnlyInline):
    model = CaseStatusChange
    fields = ["created_at", "transition", "from_status", "to_status", "actor", "reason"]
    select_related = ["actor"]
    verbose_name = _("流转记录")
    verbose_name_plural = _("流转记录（只增不改）")


class ChecklistAnswerInline(ReadOnlyInline):
    model = ChecklistAnswer
    fields = ["item_shown", "answer", "evidence", "answered_by_shown", "answered_at_shown"]
    select_related = ["item", "answered_by"]


class InquiryInline(ReadOnlyInline):
    model = Inquiry
    fields = ["kind", "held_on", "party", "content", "findings"]


class ConsultationInline(ReadOnlyInline):
    model = Consultation
    fields = ["held_on", "lead_body", "participants", "topic", "conclusions"]


class CorrectionPlanInline(ReadOnlyInline):
    model = CorrectionPlan
    fields = ["remedial_measures", "responsible", "due_on", "status", "done_on", "result"]


class CaseVisitInline(ReadOnlyInline):
    model = FollowUpVisit
    fk_name = "case"
    fields = ["visited_on", "cadre", "visitors", "findings", "at_ease", "next_visit_on"]
    select_related = ["cadre"]


class ClearingStatusChangeInline(ReadOnlyInline):
    model = ClearingStatusChange
    fields = ["created_at_shown", "transition", "from_status", "to_status", "actor_shown", "reason"]
    select_related = ["actor"]
    verbose_name = _("流转记录")
    verbose_name_plural = _("流转记录（只增不改）")


class ClarificationInline(ReadOnlyInline):
    model = Clarification
    fields = ["method_label", "scope", "held_on", "content"]


class BlacklistEntryInline(ReadOnlyInline):
    model = BlacklistEntry
    fields = ["person_name", "person_unit", "reason", "listed_on", "listed_until"]


class ClearingVisitInline(CaseVisitInline):
    fk_name = "clearing"


# --- accountability and reminders -------------------------------------------------------------


@admin.register(AccountabilityMatter)
class AccountabilityMatterAdmin(ToleranceAdmin):
    list_display = [
        "number",
        "title",
        "handling_unit",
        "accountable_body",
        "matter_category",
        "opened_on",
        "status",
        "form_label",
        "decided_on",
    ]
    list_select_related = ["handling_unit"]
    list_filter = ["status", "accountable_body", "matter_category"]
    search_fields = ["number", "title", "cadres__name"]
    date_hierarchy = "opened_on"
    autocomplete_fields = ["handling_unit", "party_org", "cadres"]
    add_fields = [
        "handling_unit",
        "accountable_body",
        "title",
        "facts",
        "matter_category",
        "occurred_on",
        "opened_on",
        "cadres",
        "party_org",
    ]
    fields = [
        "number",
        "handling_unit",
        "accountable_body",
        "title",
        "facts",
        "matter_category",
        "occurred_on",
        "opened_on",
        "cadres",
        "party_org",
        "status",
        "form_label",
        "forms_list",
        "decided_on",
        "created_by_shown",
    ]
    editable_fields = ("title", "facts")

    def open_file(self, request, data):
        # Whoever holds to account considers tolerance (ZJK art. 9): a case is filed with it.
        return services.accountability_matter_open(actor=request.user, **data)

    def correct(self, request, obj, changed):
        services.matter_text_correct(
            actor=request.user, matter=obj, title=obj.title, facts=obj.facts
        )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.status != "open":
            fields = [*fields, *self.editable_fields]
        return fields


@admin.register(Reminder)
class ReminderAdmin(ToleranceAdmin):
    list_display = ["cadre", "given_on", "matter_category", "handling_unit", "summary"]
    list_select_related = ["cadre", "handling_unit"]
    list_filter = ["matter_category"]
    search_fields = ["cadre__name", "summary"]
    date_hierarchy = "given_on"
    autocomplete_fields = ["cadre"]
    add_fields = ["cadre", "given_on", "matter_category", "summary"]
    fields = [
        "cadre",
        "handling_unit",
        "given_on",
        "matter_category",
        "summary",
        "created_by_shown",
    ]
    editable_fields = ("summary",)

    def open_file(self, request, data):
        return services.reminder_record(actor=request.user, **data)


# --- cases ------------------------------------------------------------------------------------


@admin.register(Case)
class CaseAdmin(ToleranceAdmin):
    list_display = [
        "number",
        "title",
        "handling_unit",
        "origin",
        "status",
        "outcome",
        "due_on",
        "oversight_flagged",
        "created_at",
    ]
    list_select_related = ["handling_unit"]
    list_filter = [
        "status",
        "outcome",
        "origin",
        "oversight_flagged",
        ("handling_unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["number", "title", "cadres__name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["handling_unit", "party_org", "cadres", "matter"]
    inlines = [
        CaseStatusChangeInline,
        ChecklistAnswerInline,
        InquiryInline,
        ConsultationInline,
        CorrectionPlanInline,
        CaseVisitInline,
    ]
    add_fields = [
        "title",
        "facts",
        "origin",
        "matter",
        "handling_unit",
        "occurred_on",
        "cadres",
        "party_org",
        "matter_category",
        "application_reason",
    ]
    fieldsets = [
        (
            _("案件"),
            {
                "fields": [
                    "number",
                    "title",
                    "facts",
                    "origin",
                    "matter",
                    "handling_unit",
                    "cadres",
                    "party_org",
                    "matter_category",
                    "occurred_on",
                    "applicant",
                    "application_reason",
                    "created_by_shown",
                    "created_at",
                ]
            },
        ),
        (
            _("流程（只能通过办理流程改变）"),
            {"fields": ["status", "status_changed_at", "due_on", "overdue_notified_on"]},
        ),
        (
            _("适用清单版本"),
            {
                "fields": [
                    "distinctions_list",
                    "conditions_list",
                    "situations_list",
                    "exclusions_list",
                    "severity_list",
                    "severity",
                ]
            },
        ),
        (
            _("初步意见"),
            {
                "fields": [
                    "motive_attitude",
                    "objective_conditions",
                    "nature_degree",
                    "consequences",
                    "losses_recovered",
                    "proposed_outcome",
                    "proposal_reasons",
                    "proposed_by_shown",
                    "proposed_at_shown",
                ]
            },
        ),
        (
            _("认定"),
            {
                "fields": [
                    "outcome",
                    "decision_reasons",
                    "departs_from_suggestion",
                    "suggestion",
                    "decision_meeting",
                    "decided_on",
                    "decided_by_shown",
                ]
            },
        ),
        (
            _("反馈与备案"),
            {
                "fields": [
                    "feedback_to",
                    "feedback_sent_on",
                    "filing_recipients",
                    "filed_upward_on",
                    "filing_acknowledged_on",
                    "filing_acknowledged_by_shown",
                ]
            },
        ),
        (
            _("应容未容"),
            {
                "fields": [
                    "oversight_flagged",
                    "oversight_reason",
                    "oversight_flagged_on_shown",
                    "oversight_flagged_by_shown",
                ]
            },
        ),
    ]
    editable_fields = ("title", "facts")

    created_by_shown = shown("created_by", _("立案人"))
    proposed_by_shown = shown("proposed_by", _("提出人"))
    proposed_at_shown = shown("proposed_at", _("提出时间"))
    decided_by_shown = shown("decided_by", _("认定登记人"))
    filing_acknowledged_by_shown = shown("filing_acknowledged_by", _("备案确认人"))
    oversight_flagged_on_shown = shown("oversight_flagged_on", _("标记日期"))
    oversight_flagged_by_shown = shown("oversight_flagged_by", _("标记人"))

    def open_file(self, request, data):
        return services.case_file(actor=request.user, **data)

    def correct(self, request, obj, changed):
        services.case_text_correct(actor=request.user, case=obj, title=obj.title, facts=obj.facts)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.status not in ("filed", "investigating"):
            fields = [*fields, *self.editable_fields]
        return fields


@admin.register(CaseStatusChange)
class CaseStatusChangeAdmin(ViewOnlyAdmin):
    """Append-only: the database itself refuses updates and deletes."""

    list_display = [
        "case__number",
        "transition",
        "from_status",
        "to_status",
        "actor",
        "created_at",
    ]
    list_select_related = ["case", "actor"]
    list_filter = ["to_status", "transition"]
    search_fields = ["case__number", "case__title", "reason"]
    date_hierarchy = "created_at"
    fields = [
        "case_shown",
        "transition",
        "from_status",
        "to_status",
        "actor",
        "reason",
        "created_at",
    ]

    def scope_queryset(self, qs, user):
        q = files_scope_q(user, "case__handling_unit")
        return qs.none() if q is None else qs.filter(q)


@admin.register(ChecklistAnswer)
class ChecklistAnswerAdmin(ViewOnlyAdmin):
    """Answers are recorded through the checklist service while the case is investigated."""

    list_display = [
        "case__number",
        "item__code",
        "answer",
        "answered_by_shown",
        "answered_at_shown",
    ]
    list_select_related = ["case", "item", "answered_by"]
    list_filter = ["answer", "item__policy_list__kind"]
    search_fields = ["case__number", "item__code", "evidence"]
    fields = [
        "case_shown",
        "item_shown",
        "answer",
        "evidence",
        "answered_by_shown",
        "answered_at_shown",
    ]


@admin.register(Inquiry)
class InquiryAdmin(ViewOnlyAdmin):
    list_display = ["case__number", "kind", "held_on", "party"]
    list_select_related = ["case"]
    list_filter = ["kind"]
    search_fields = ["case__number", "party", "content"]
    date_hierarchy = "held_on"
    fields = ["case_shown", "kind", "held_on", "party", "content", "findings", "recorded_by_shown"]


@admin.register(Consultation)
class ConsultationAdmin(ViewOnlyAdmin):
    list_display = ["case__number", "topic", "held_on", "lead_body"]
    list_select_related = ["case"]
    search_fields = ["case__number", "topic", "lead_body", "participants"]
    date_hierarchy = "held_on"
    fields = [
        "case_shown",
        "held_on",
        "lead_body",
        "participants",
        "topic",
        "conclusions",
        "recorded_by_shown",
    ]


@admin.register(CorrectionPlan)
class CorrectionPlanAdmin(ToleranceAdmin):
    """Progress is tracked to done through the correction service."""

    list_display = ["case__number", "remedial_measures_short", "responsible", "due_on", "status"]
    list_select_related = ["case"]
    list_filter = ["status"]
    search_fields = ["case__number", "remedial_measures", "responsible"]
    date_hierarchy = "due_on"
    fields = [
        "case_shown",
        "remedial_measures",
        "root_cause",
        "improvement_plan",
        "responsible",
        "due_on",
        "status",
        "done_on",
        "result",
    ]
    editable_fields = ("status", "done_on", "result")

    @admin.display(description=_("补救措施"))
    def remedial_measures_short(self, plan):
        return plan.remedial_measures[:40]

    def correct(self, request, obj, changed):
        data = {
            "status": obj.status,
            "result": obj.result,
            "done_on": obj.done_on,
        }
        services.correction_update(actor=request.user, plan=obj, **data)


@admin.register(FollowUpVisit)
class FollowUpVisitAdmin(ViewOnlyAdmin):
    list_display = [
        "visited_on",
        "case__number",
        "clearing__number",
        "cadre",
        "visitors",
        "at_ease",
    ]
    list_select_related = ["case", "clearing", "cadre"]
    list_filter = ["at_ease"]
    search_fields = ["case__number", "clearing__number", "cadre__name", "visitors"]
    date_hierarchy = "visited_on"
    fields = [
        "case_shown",
        "clearing_shown",
        "cadre",
        "visited_on",
        "visitors",
        "findings",
        "at_ease",
        "next_visit_on",
        "recorded_by_shown",
    ]


@admin.register(Publication)
class PublicationAdmin(ViewOnlyAdmin):
    list_display = [
        "published_on",
        "scope_label",
        "handling_unit",
        "case__number",
        "clearing__number",
        "channel",
    ]
    list_select_related = ["handling_unit", "case", "clearing"]
    list_filter = ["scope"]
    search_fields = ["case__number", "clearing__number", "channel", "content"]
    date_hierarchy = "published_on"
    fields = [
        "handling_unit",
        "case_shown",
        "clearing_shown",
        "period_start",
        "period_end",
        "scope_label",
        "channel",
        "published_on",
        "content",
        "published_by_shown",
    ]


# --- clearing of names ------------------------------------------------------------------------

# The accuser is protected (举报人保护): only the discipline body handling the report sees who
# made it.
ACCUSER_FIELDS = ("accuser_name", "accuser_contact")


@admin.register(ClearingMatter)
class ClearingMatterAdmin(ToleranceAdmin):
    list_display = [
        "number",
        "handling_unit",
        "source",
        "received_on",
        "status",
        "conclusion",
        "concluded_on",
    ]
    list_select_related = ["handling_unit"]
    list_filter = [
        "status",
        "conclusion",
        "source",
        ("handling_unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["number", "allegation", "cadres__name"]
    date_hierarchy = "received_on"
    autocomplete_fields = ["handling_unit", "party_org", "cadres"]
    inlines = [
        ClearingStatusChangeInline,
        ClarificationInline,
        ClearingVisitInline,
        BlacklistEntryInline,
    ]
    add_fields = [
        "handling_unit",
        "source",
        "received_on",
        "allegation",
        "cadres",
        "party_org",
        "accuser_name",
        "accuser_contact",
        "background_check",
    ]
    fields = [
        "number",
        "handling_unit",
        "source",
        "received_on",
        "allegation",
        "cadres",
        "party_org",
        "accuser_name",
        "accuser_contact",
        "background_check",
        "status",
        "status_changed_at_shown",
        "conclusion",
        "conclusion_reasons",
        "concluded_on",
        "referral_note",
        "referred_on",
    ]
    editable_fields = ("background_check",)
    status_changed_at_shown = shown("status_changed_at", _("进入当前状态时间"))

    def _sees_accuser(self, request):
        return request.user.is_superuser or "discipline" in (request.user.roles or [])

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self._sees_accuser(request):
            fields = [f for f in fields if f not in ACCUSER_FIELDS]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [f for f in readonly if f in self.get_fields(request, obj)]

    def open_file(self, request, data):
        return services.clearing_open(actor=request.user, **data)

    def correct(self, request, obj, changed):
        # 侧面了解 (F13) is recorded through its service, which checks the state.
        services.clearing_background_save(
            actor=request.user, clearing=obj, background_check=obj.background_check
        )


@admin.register(ClearingStatusChange)
class ClearingStatusChangeAdmin(ViewOnlyAdmin):
    """Append-only: the database itself refuses updates and deletes."""

    list_display = [
        "clearing__number",
        "transition",
        "from_status",
        "to_status",
        "actor_shown",
        "created_at_shown",
    ]
    list_select_related = ["clearing", "actor"]
    list_filter = ["to_status", "transition"]
    search_fields = ["clearing__number", "reason"]
    fields = [
        "clearing_shown",
        "transition",
        "from_status",
        "to_status",
        "actor_shown",
        "reason",
        "created_at_shown",
    ]

    def scope_queryset(self, qs, user):
        q = files_scope_q(user, "clearing__handling_unit")
        return qs.none() if q is None else qs.filter(q)


@admin.register(Clarification)
class ClarificationAdmin(ViewOnlyAdmin):
    list_display = ["clearing__number", "method_label", "scope", "held_on"]
    list_select_related = ["clearing"]
    list_filter = ["method"]
    search_fields = ["clearing__number", "scope", "content"]
    date_hierarchy = "held_on"
    fields = ["clearing_shown", "method_label", "scope", "held_on", "content", "recorded_by_shown"]


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(ViewOnlyAdmin):
    """失信黑名单: written when a report is concluded a false accusation."""

    list_display = ["person_name", "person_unit", "clearing__number", "listed_on", "listed_until"]
    list_select_related = ["clearing"]
    search_fields = ["person_name", "person_unit", "clearing__number"]
    date_hierarchy = "listed_on"
    fields = [
        "person_name",
        "person_unit",
        "clearing_shown",
        "reason",
        "listed_on",
        "listed_until",
        "listed_by_shown",
    ]
