"""REST API of fault tolerance (容错纠错) and clearing of names (澄清正名) under
/api/v1/tolerance/.

Every queryset comes from `restrict(user, action)`. A file outside the user's jurisdiction is not
found (404) whatever the request; a file in scope on which the user's roles may not act is
refused (403), and so is a write the workflow's role table refuses. A transition whose file has
moved on meanwhile answers 409 (cadre.api.exceptions). Writes are made by tolerance.services and
tolerance.workflow only; the serializers check the shape of the input."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre.api.mixins import RestrictedViewSetMixin
from cadre.models import Cadre

from .. import services, workflow
from ..filtersets import (
    AccountabilityMatterFilterSet,
    CaseFilterSet,
    ClearingFilterSet,
    PublicationFilterSet,
    ReminderFilterSet,
)
from ..judgement import suggest
from ..models import (
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
)
from .serializers import (
    CHECKLIST_FIELDS,
    AccountabilityMatterCreateSerializer,
    AccountabilityMatterSerializer,
    BackgroundCheckSerializer,
    BlacklistEntrySerializer,
    BulletinInputSerializer,
    CaseChecklistSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    CaseTransitionSerializer,
    ChecklistInputSerializer,
    ClarificationSerializer,
    ClearingCreateSerializer,
    ClearingDetailSerializer,
    ClearingListSerializer,
    ClearingPublicationInputSerializer,
    ClearingTransitionSerializer,
    ConsultationSerializer,
    CorrectionPlanSerializer,
    CorrectionProgressSerializer,
    FollowUpVisitInputSerializer,
    FollowUpVisitSerializer,
    InquirySerializer,
    MatterDecideSerializer,
    OversightInputSerializer,
    PublicationSerializer,
    ReminderCreateSerializer,
    ReminderSerializer,
    SuggestionSerializer,
    checklist_versions,
)

_ERROR_TEXTS = {
    400: "字段错误：{字段: [消息]}；不属于某个字段的错误在 non_field_errors",
    403: "您的角色不能执行此操作",
    404: "不存在，或不在您的管辖范围内",
    409: "案件或事项已被他人推进到其他状态，请刷新后查看",
}


def errors(*codes):
    return {code: OpenApiResponse(description=_ERROR_TEXTS[code]) for code in codes}


def _subjects():
    return Prefetch("cadres", queryset=Cadre.objects.only("id", "name"))


def _subjects_with_units():
    return Prefetch(
        "cadres", queryset=Cadre.objects.select_related("unit").only("name", "post", "unit__name")
    )


class ScopedFileMixin(RestrictedViewSetMixin):
    """Scoped reads, 403 for a write the user's roles do not allow on a row they can see."""

    act_denied = _("您的角色不能办理此事项")


# --- cases ------------------------------------------------------------------------------------


def _case_detail_queryset(qs):
    return qs.select_related(
        "handling_unit",
        "party_org",
        "matter",
        "applicant",
        "severity",
        "proposed_by",
        "decided_by",
        *CHECKLIST_FIELDS,
    ).prefetch_related(
        _subjects_with_units(),
        *(f"{field}__items" for field in CHECKLIST_FIELDS),
        Prefetch("answers", queryset=ChecklistAnswer.objects.select_related("item", "answered_by")),
        Prefetch("status_changes", queryset=CaseStatusChange.objects.select_related("actor")),
        Prefetch("inquiries", queryset=Inquiry.objects.select_related("recorded_by")),
        Prefetch("consultations", queryset=Consultation.objects.select_related("recorded_by")),
        "corrections",
        Prefetch("visits", queryset=FollowUpVisit.objects.select_related("cadre", "recorded_by")),
        Prefetch(
            "publications",
            queryset=Publication.objects.select_related(
                "handling_unit", "case", "clearing", "published_by"
            ),
        ),
    )


def _checklist_errors(exc):
    """The service names a wrong answer by its item code: under `answers`, as it was sent."""
    detail, answers = {}, {}
    for field, messages in exc.message_dict.items():
        if field == "severity":
            detail[field] = messages
        elif field == "__all__":
            detail["non_field_errors"] = messages
        else:
            answers[field] = messages
    if answers:
        detail["answers"] = answers
    return serializers.ValidationError(detail)


@extend_schema_view(
    list=extend_schema(summary="容错纠错案件列表（本人管辖范围内）"),
    retrieve=extend_schema(
        summary="案件详情：涉及对象、清单版本、研判、系统建议、可执行操作、流转记录",
        responses={200: CaseDetailSerializer, **errors(404)},
    ),
)
@extend_schema(tags=["容错纠错"])
class CaseViewSet(
    ScopedFileMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """容错纠错案件：立案、清单研判、流程推进及调查核实、沟通会商、纠错整改、回访等记录。"""

    queryset = Case.objects.none()
    serializer_class = CaseListSerializer
    filterset_class = CaseFilterSet

    def get_queryset(self):
        qs = self.scoped()
        if self.action == "list":
            return qs.select_related("handling_unit", "party_org").prefetch_related(_subjects())
        if self.action == "retrieve":
            return _case_detail_queryset(qs)
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CaseDetailSerializer
        return super().get_serializer_class()

    def _detail(self, pk, status_code=status.HTTP_200_OK):
        case = _case_detail_queryset(self.scoped()).get(pk=pk)
        data = CaseDetailSerializer(case, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(
        summary="立案（随问责启动，或干部本人、单位申请）",
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer, **errors(400, 403)},
    )
    def create(self, request):
        case = services.case_file(actor=request.user, **self.input(CaseCreateSerializer))
        return self._detail(case.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="推进案件流程",
        description=(
            "transition 为操作代码（见详情中的 allowed_transitions）；data 为该操作记录的内容："
            "submit_opinion 须 proposed_outcome、proposal_reasons；decide 须 outcome，"
            "与系统建议不一致时须 decision_reasons；send_feedback 须 feedback_to；"
            "file_upward 须 filing_recipients；publish 须 scope、channel、content。"
        ),
        request=CaseTransitionSerializer,
        responses={200: CaseDetailSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], serializer_class=CaseTransitionSerializer)
    def transitions(self, request, pk=None):
        case = self.get_object()
        data = self.input(CaseTransitionSerializer)
        workflow.case_transition(
            actor=request.user,
            case=case,
            name=data["transition"],
            expected_status=data.get("expected_status", ""),
            reason=data["reason"],
            data=data["data"],
        )
        return self._detail(case.pk)

    def _checklist_response(self, pk):
        case = _case_detail_queryset(self.scoped()).get(pk=pk)
        kinds = {getattr(case, f"{f}_id"): getattr(case, f).kind for f in CHECKLIST_FIELDS}
        state = {
            "status": case.status,
            "versions": checklist_versions(case),
            "answers": list(case.answers.all()),
            "severity": case.severity.code if case.severity_id else None,
            "severity_label": case.severity.label if case.severity_id else None,
            "suggestion": suggest(case),
        }
        context = {**self.get_serializer_context(), "list_kinds": kinds}
        return Response(CaseChecklistSerializer(state, context=context).data)

    @extend_schema(
        methods=["GET"],
        summary="清单研判与系统建议",
        responses={200: CaseChecklistSerializer, **errors(404)},
    )
    @extend_schema(
        methods=["PUT", "PATCH"],
        summary="保存清单研判（调查核实阶段）",
        description="PUT 整体替换研判（未列出的已有研判被清除）；PATCH 只改列出的条目。",
        request=ChecklistInputSerializer,
        responses={200: CaseChecklistSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["get", "put", "patch"], serializer_class=ChecklistInputSerializer)
    def checklist(self, request, pk=None):
        case = self.get_object()
        if request.method != "GET":
            data = self.input(ChecklistInputSerializer)
            answers = {
                code: (value["answer"], value["evidence"])
                for code, value in data["answers"].items()
            }
            if request.method == "PUT":
                for row in case.answers.select_related("item"):
                    if row.item.code not in answers and str(row.item_id) not in answers:
                        answers[row.item.code] = ("", "")
            try:
                services.case_checklist_save(
                    actor=request.user,
                    case=case,
                    answers=answers,
                    severity=data.get("severity"),
                )
            except DjangoValidationError as exc:
                raise _checklist_errors(exc) from exc
        return self._checklist_response(case.pk)

    @extend_schema(
        summary="系统研判建议（依据清单研判和历史记录计算，仅供参考）",
        responses={200: SuggestionSerializer, **errors(404)},
    )
    @action(detail=True, methods=["get"])
    def suggestion(self, request, pk=None):
        case = self.get_object()
        return Response(SuggestionSerializer(suggest(case)).data)

    @extend_schema(
        summary="登记调查核实记录",
        request=InquirySerializer,
        responses={201: InquirySerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=InquirySerializer)
    def inquiries(self, request, pk=None):
        case = self.get_object()
        data = self.input(InquirySerializer)
        inquiry = services.inquiry_add(actor=request.user, case=case, **data)
        return self.created(InquirySerializer, inquiry)

    @extend_schema(
        summary="登记沟通会商记录",
        request=ConsultationSerializer,
        responses={201: ConsultationSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=ConsultationSerializer)
    def consultations(self, request, pk=None):
        case = self.get_object()
        data = self.input(ConsultationSerializer)
        consultation = services.consultation_add(actor=request.user, case=case, **data)
        return self.created(ConsultationSerializer, consultation)

    @extend_schema(
        summary="制定纠错整改措施",
        request=CorrectionPlanSerializer,
        responses={201: CorrectionPlanSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=CorrectionPlanSerializer)
    def corrections(self, request, pk=None):
        case = self.get_object()
        data = self.input(CorrectionPlanSerializer)
        plan = services.correction_add(actor=request.user, case=case, **data)
        return self.created(CorrectionPlanSerializer, plan)

    @extend_schema(
        summary="更新纠错整改进度",
        parameters=[OpenApiParameter("plan_pk", int, OpenApiParameter.PATH)],
        request=CorrectionProgressSerializer,
        responses={200: CorrectionPlanSerializer, **errors(400, 403, 404)},
    )
    @action(
        detail=True,
        methods=["patch"],
        serializer_class=CorrectionProgressSerializer,
        url_path=r"corrections/(?P<plan_pk>[0-9]+)",
    )
    def correction_progress(self, request, pk=None, plan_pk=None):
        case = self.get_object()
        plans = CorrectionPlan.objects.restrict(request.user, "change").filter(case=case)
        plan = get_object_or_404(plans, pk=plan_pk)
        data = self.input(CorrectionProgressSerializer)
        plan = services.correction_update(actor=request.user, plan=plan, **data)
        return Response(CorrectionPlanSerializer(plan).data)

    @extend_schema(
        summary="登记案件回访",
        request=FollowUpVisitInputSerializer,
        responses={201: FollowUpVisitSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=FollowUpVisitInputSerializer)
    def visits(self, request, pk=None):
        case = self.get_object()
        visit = services.visit_add(
            actor=request.user, case=case, **self.input(FollowUpVisitInputSerializer)
        )
        return self.created(FollowUpVisitSerializer, visit)

    @extend_schema(
        summary="标记“应容未容”，追究不作为单位责任",
        request=OversightInputSerializer,
        responses={200: CaseDetailSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=OversightInputSerializer)
    def oversight(self, request, pk=None):
        case = self.get_object()
        data = self.input(OversightInputSerializer)
        services.case_flag_oversight(actor=request.user, case=case, reason=data["oversight_reason"])
        return self._detail(case.pk)

    @extend_schema(
        summary="上级确认备案",
        request=None,
        responses={200: CaseDetailSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="filing-acknowledgement")
    def filing_acknowledgement(self, request, pk=None):
        case = self.get_object()
        services.case_acknowledge_filing(actor=request.user, case=case)
        return self._detail(case.pk)


# --- accountability and reminders -------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="问责事项列表"),
    retrieve=extend_schema(
        summary="问责事项详情", responses={200: AccountabilityMatterSerializer, **errors(404)}
    ),
)
@extend_schema(tags=["容错纠错"])
class AccountabilityMatterViewSet(
    ScopedFileMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """问责事项：谁负责问责、谁考虑容错，启动问责时默认同步立容错案件。"""

    queryset = AccountabilityMatter.objects.none()
    serializer_class = AccountabilityMatterSerializer
    filterset_class = AccountabilityMatterFilterSet

    def get_queryset(self):
        return (
            self.scoped()
            .select_related("handling_unit", "party_org")
            .prefetch_related(
                _subjects(), Prefetch("cases", queryset=Case.objects.only("id", "matter_id"))
            )
        )

    def _matter(self, pk, status_code=status.HTTP_200_OK):
        matter = self.get_queryset().get(pk=pk)
        data = AccountabilityMatterSerializer(matter, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(
        summary="启动问责",
        request=AccountabilityMatterCreateSerializer,
        responses={201: AccountabilityMatterSerializer, **errors(400, 403)},
    )
    def create(self, request):
        data = self.input(AccountabilityMatterCreateSerializer)
        matter = services.accountability_matter_open(actor=request.user, **data)
        return self._matter(matter.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="作出问责决定",
        request=MatterDecideSerializer,
        responses={200: AccountabilityMatterSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=MatterDecideSerializer)
    def decide(self, request, pk=None):
        matter = self.get_object()
        data = self.input(MatterDecideSerializer)
        services.accountability_matter_decide(actor=request.user, matter=matter, **data)
        return self._matter(matter.pk)

    @extend_schema(
        summary="不予问责",
        request=None,
        responses={200: AccountabilityMatterSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        matter = self.get_object()
        services.accountability_matter_drop(actor=request.user, matter=matter)
        return self._matter(matter.pk)


@extend_schema_view(
    list=extend_schema(summary="组织提醒列表"),
    retrieve=extend_schema(
        summary="组织提醒详情", responses={200: ReminderSerializer, **errors(404)}
    ),
)
@extend_schema(tags=["容错纠错"])
class ReminderViewSet(
    ScopedFileMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """组织提醒：对苗头性问题的提醒，“被提醒后重复出错”时不予容错。"""

    queryset = Reminder.objects.none()
    serializer_class = ReminderSerializer
    filterset_class = ReminderFilterSet

    def get_queryset(self):
        return self.scoped().select_related("cadre", "handling_unit")

    @extend_schema(
        summary="登记组织提醒",
        request=ReminderCreateSerializer,
        responses={201: ReminderSerializer, **errors(400, 403)},
    )
    def create(self, request):
        reminder = services.reminder_record(
            actor=request.user, **self.input(ReminderCreateSerializer)
        )
        return self.created(ReminderSerializer, self.get_queryset().get(pk=reminder.pk))


# --- clearing of names ------------------------------------------------------------------------


def _clearing_detail_queryset(qs):
    return qs.select_related("handling_unit", "party_org").prefetch_related(
        _subjects_with_units(),
        Prefetch("status_changes", queryset=ClearingStatusChange.objects.select_related("actor")),
        Prefetch("clarifications", queryset=Clarification.objects.select_related("recorded_by")),
        Prefetch("visits", queryset=FollowUpVisit.objects.select_related("cadre", "recorded_by")),
        Prefetch(
            "blacklist_entries",
            queryset=BlacklistEntry.objects.select_related("clearing", "listed_by"),
        ),
        Prefetch(
            "publications",
            queryset=Publication.objects.select_related(
                "handling_unit", "case", "clearing", "published_by"
            ),
        ),
    )


@extend_schema_view(
    list=extend_schema(summary="澄清正名事项列表"),
    retrieve=extend_schema(
        summary="澄清正名事项详情", responses={200: ClearingDetailSerializer, **errors(404)}
    ),
)
@extend_schema(tags=["澄清正名"])
class ClearingViewSet(
    ScopedFileMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """澄清正名：受理举报、快速核查、作出结论，反映不实的予以澄清并跟踪回访。"""

    queryset = ClearingMatter.objects.none()
    serializer_class = ClearingListSerializer
    filterset_class = ClearingFilterSet

    def get_queryset(self):
        qs = self.scoped()
        if self.action == "list":
            return qs.select_related("handling_unit", "party_org").prefetch_related(_subjects())
        if self.action == "retrieve":
            return _clearing_detail_queryset(qs)
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ClearingDetailSerializer
        return super().get_serializer_class()

    def _detail(self, pk, status_code=status.HTTP_200_OK):
        clearing = _clearing_detail_queryset(self.scoped()).get(pk=pk)
        data = ClearingDetailSerializer(clearing, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(
        summary="受理举报，启动快速核查",
        request=ClearingCreateSerializer,
        responses={201: ClearingDetailSerializer, **errors(400, 403)},
    )
    def create(self, request):
        clearing = services.clearing_open(
            actor=request.user, **self.input(ClearingCreateSerializer)
        )
        return self._detail(clearing.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="推进澄清正名流程",
        description=(
            "conclude 须 data.conclusion、data.conclusion_reasons；诬告陷害另须 "
            "data.referral_note，诬告人列入失信黑名单。"
        ),
        request=ClearingTransitionSerializer,
        responses={200: ClearingDetailSerializer, **errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], serializer_class=ClearingTransitionSerializer)
    def transitions(self, request, pk=None):
        clearing = self.get_object()
        data = self.input(ClearingTransitionSerializer)
        workflow.clearing_transition(
            actor=request.user,
            clearing=clearing,
            name=data["transition"],
            expected_status=data.get("expected_status", ""),
            reason=data["reason"],
            data=data["data"],
        )
        return self._detail(clearing.pk)

    @extend_schema(
        summary="登记澄清方式、范围和内容",
        request=ClarificationSerializer,
        responses={201: ClarificationSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=ClarificationSerializer)
    def clarifications(self, request, pk=None):
        clearing = self.get_object()
        clarification = services.clarification_add(
            actor=request.user, clearing=clearing, **self.input(ClarificationSerializer)
        )
        return self.created(ClarificationSerializer, clarification)

    @extend_schema(
        summary="登记澄清后回访",
        request=FollowUpVisitInputSerializer,
        responses={201: FollowUpVisitSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=FollowUpVisitInputSerializer)
    def visits(self, request, pk=None):
        clearing = self.get_object()
        visit = services.visit_add(
            actor=request.user, clearing=clearing, **self.input(FollowUpVisitInputSerializer)
        )
        return self.created(FollowUpVisitSerializer, visit)

    @extend_schema(
        summary="在一定范围内通报澄清",
        request=ClearingPublicationInputSerializer,
        responses={201: PublicationSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=ClearingPublicationInputSerializer)
    def publications(self, request, pk=None):
        clearing = self.get_object()
        publication = services.clearing_publish(
            actor=request.user, clearing=clearing, **self.input(ClearingPublicationInputSerializer)
        )
        return self.created(PublicationSerializer, publication)

    @extend_schema(
        summary="登记侧面了解情况",
        request=BackgroundCheckSerializer,
        responses={200: ClearingDetailSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=BackgroundCheckSerializer)
    def background(self, request, pk=None):
        clearing = self.get_object()
        data = self.input(BackgroundCheckSerializer)
        services.clearing_background_save(actor=request.user, clearing=clearing, **data)
        return self._detail(clearing.pk)


@extend_schema_view(
    list=extend_schema(summary="失信黑名单"),
    retrieve=extend_schema(
        summary="失信黑名单条目", responses={200: BlacklistEntrySerializer, **errors(404)}
    ),
)
@extend_schema(tags=["澄清正名"])
class BlacklistViewSet(ScopedFileMixin, viewsets.ReadOnlyModelViewSet):
    """失信黑名单：经查属诬告陷害的举报人（只读，由核查结论写入）。"""

    queryset = BlacklistEntry.objects.none()
    serializer_class = BlacklistEntrySerializer
    filter_backends = []

    def get_queryset(self):
        return self.scoped().select_related("clearing", "listed_by")


@extend_schema_view(
    list=extend_schema(summary="公开登记列表"),
    retrieve=extend_schema(
        summary="公开登记详情", responses={200: PublicationSerializer, **errors(404)}
    ),
)
@extend_schema(tags=["澄清正名"])
class PublicationViewSet(
    ScopedFileMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """公开登记：容错案件、澄清正名在一定范围内公开，以及不实举报定期通报。"""

    queryset = Publication.objects.none()
    serializer_class = PublicationSerializer
    filterset_class = PublicationFilterSet

    def get_queryset(self):
        return self.scoped().select_related("handling_unit", "case", "clearing", "published_by")

    @extend_schema(
        summary="发布不实举报定期通报",
        request=BulletinInputSerializer,
        responses={201: PublicationSerializer, **errors(400, 403)},
    )
    def create(self, request):
        publication = services.unfounded_bulletin_publish(
            actor=request.user, **self.input(BulletinInputSerializer)
        )
        return self.created(PublicationSerializer, self.get_queryset().get(pk=publication.pk))
