"""REST API of the 360-degree evaluation (360度反馈评价法) under /api/v1/assessment/.

`assessment/evaluations/`: the rounds in the user's jurisdiction with their weighted results
(aggregates only: per subject, per rater group the number of scores and — from
`MIN_GROUP_SIZE` scores on — the average, and the weighted score; once the round takes no
more scores), opening a round, generating
links (`POST …/invitations/`, the tokens are in that answer and nowhere else, ever) and closing
(`POST …/close/`). A round outside the jurisdiction is not found (404); a role that may only
read is refused a write (403). Writes are made by `assessment.evaluation` only.

`assessment/evaluation-ratings/`: a rater's submission with their token, no account needed."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre.api.pagination import DefaultCursorPagination
from cadre.models import Unit

from .. import evaluation as ev
from ..choices import EvaluationStatus
from ..models import Evaluation
from .serializers import ScopedUnitField, choice

_ERRORS = {
    400: "字段错误：{字段: [消息]}；不属于某个字段的错误在 non_field_errors",
    403: "您的角色不能执行此操作",
    404: "不存在，或不在您的管辖范围内",
}


def errors(*codes):
    return {code: OpenApiResponse(description=_ERRORS[code]) for code in codes}


# --- serializers ------------------------------------------------------------------------------


class GroupSerializer(serializers.Serializer):
    code = serializers.CharField(label=_("评价主体代码"))
    label = serializers.CharField(label=_("评价主体"))
    weight = serializers.DecimalField(label=_("权重（%）"), max_digits=6, decimal_places=2)
    issued = serializers.IntegerField(label=_("已生成链接"))
    used = serializers.IntegerField(label=_("已使用链接"))


class GroupResultSerializer(serializers.Serializer):
    code = serializers.CharField(label=_("评价主体代码"))
    count = serializers.IntegerField(label=_("评价人数"))
    average = serializers.DecimalField(
        label=_("平均分"),
        max_digits=6,
        decimal_places=2,
        allow_null=True,
        help_text=_("评价人数少于3人时不单独显示（为空），但仍计入加权得分"),
    )


class SubjectResultSerializer(serializers.Serializer):
    subject = serializers.IntegerField(source="subject_id", label=_("评价对象编号"))
    cadre = serializers.IntegerField(source="cadre_id", label=_("干部"), allow_null=True)
    team = serializers.IntegerField(source="team_id", label=_("领导班子所在单位"), allow_null=True)
    name = serializers.CharField(label=_("评价对象"))
    unit = serializers.CharField(label=_("单位"))
    count = serializers.IntegerField(label=_("评价人次"))
    weighted = serializers.DecimalField(
        label=_("加权得分"),
        max_digits=6,
        decimal_places=2,
        allow_null=True,
        help_text=_("Σ(各主体平均分×权重)÷已评价主体的权重之和"),
    )
    groups = GroupResultSerializer(many=True)


class EvaluationSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, label=_("单位名称"))
    status = choice("EvaluationStatus", EvaluationStatus, read_only=True, label=_("状态"))
    groups = GroupSerializer(many=True, read_only=True, source="api_groups")
    results_visible = serializers.BooleanField(
        source="api_results_visible",
        read_only=True,
        label=_("已公布结果"),
        help_text=_("评价结束（或过截止日期）后才提供结果，以免通过前后对比推算个人评分"),
    )
    results = SubjectResultSerializer(many=True, read_only=True, source="api_results")

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "title",
            "unit",
            "unit_name",
            "year",
            "quarter",
            "closes_on",
            "status",
            "groups_list",
            "groups",
            "results_visible",
            "results",
        ]
        read_only_fields = fields


class EvaluationCreateSerializer(serializers.Serializer):
    unit = ScopedUnitField(label=_("组织单位"), queryset=Unit.objects.none())
    title = serializers.CharField(
        label=_("名称"), max_length=200, required=False, allow_blank=True, default=""
    )
    year = serializers.IntegerField(label=_("年度"), min_value=2000, max_value=9999)
    quarter = serializers.IntegerField(
        label=_("季度"), min_value=1, max_value=4, required=False, allow_null=True, default=None
    )
    closes_on = serializers.DateField(label=_("截止日期"))
    cadres = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        label=_("评价对象：干部编号"),
        required=False,
        default=list,
        max_length=2000,
    )
    teams = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        label=_("评价对象：领导班子所在单位编号"),
        required=False,
        default=list,
        max_length=2000,
    )


class InviteSerializer(serializers.Serializer):
    group = serializers.CharField(label=_("评价主体代码"), max_length=40)
    count = serializers.IntegerField(
        label=_("生成链接数"), min_value=1, max_value=ev.MAX_INVITATIONS
    )


class InvitationsSerializer(serializers.Serializer):
    group = serializers.CharField(label=_("评价主体代码"))
    tokens = serializers.ListField(
        child=serializers.CharField(),
        label=_("评价令牌"),
        help_text=_("只在本次应答中提供，系统只保存其校验值"),
    )
    links = serializers.ListField(child=serializers.URLField(), label=_("评价链接"))


class RatingSerializer(serializers.Serializer):
    token = serializers.CharField(label=_("评价令牌"), max_length=200)
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100),
        label=_("评分"),
        help_text=_("{评价对象编号: 0至100的整数分}，本次评价的每个对象都要评分"),
    )


# --- viewsets ---------------------------------------------------------------------------------


def attach_results(evaluations):
    """Weighted results and link counts of many rounds in a fixed number of queries."""
    evaluations = list(evaluations)
    results = ev.weighted_scores_many([e for e in evaluations if ev.results_visible(e)])
    counts = ev.invitation_counts(evaluations)
    for evaluation in evaluations:
        by_group = counts.get(evaluation.pk, {})
        evaluation.api_groups = [
            {
                "code": code,
                "label": g["label"],
                "weight": g["weight"],
                "issued": by_group.get(code, {}).get("issued", 0),
                "used": by_group.get(code, {}).get("used", 0),
            }
            for code, g in ev.group_weights(evaluation).items()
        ]
        evaluation.api_results_visible = ev.results_visible(evaluation)
        evaluation.api_results = (
            results.get(evaluation.pk, []) if evaluation.api_results_visible else []
        )
    return evaluations


@extend_schema_view(
    list=extend_schema(summary="360度评价列表（含加权结果）"),
    retrieve=extend_schema(
        summary="360度评价详情（含加权结果）",
        responses={200: EvaluationSerializer, **errors(404)},
    ),
)
@extend_schema(tags=["360度评价"])
class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """360度评价：评价主体按权重（合计100%）加权计算干部或领导班子的得分；只提供汇总结果。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = EvaluationSerializer
    pagination_class = DefaultCursorPagination
    filter_backends: list = []
    queryset = Evaluation.objects.none()

    def get_queryset(self):
        return (
            ev.evaluations_for(self.request.user)
            .select_related("unit", "groups_list")
            .prefetch_related("groups_list__items")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            self.get_serializer(attach_results(page), many=True).data
        )

    def retrieve(self, request, *args, **kwargs):
        evaluation = attach_results([self.get_object()])[0]
        return Response(self.get_serializer(evaluation).data)

    def _detail(self, pk, status_code=status.HTTP_200_OK):
        evaluation = attach_results([self.get_queryset().get(pk=pk)])[0]
        return Response(EvaluationSerializer(evaluation).data, status=status_code)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        summary="开展360度评价",
        request=EvaluationCreateSerializer,
        responses={201: EvaluationSerializer, **errors(400, 403)},
    )
    def create(self, request):
        if not ev.may_write(request.user):
            self.permission_denied(request, message=_("360度评价由组织部门办理"))
        evaluation = ev.evaluation_open(
            actor=request.user, **self._input(EvaluationCreateSerializer)
        )
        return self._detail(evaluation.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="生成评价链接（令牌只在本次应答中提供）",
        request=InviteSerializer,
        responses={201: InvitationsSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=InviteSerializer)
    def invitations(self, request, pk=None):
        evaluation = self.get_object()
        data = self._input(InviteSerializer)
        tokens = ev.evaluation_invite(actor=request.user, evaluation=evaluation, **data)
        links = [
            request.build_absolute_uri(reverse("assessment:evaluation_rate", args=[token]))
            for token in tokens
        ]
        body = {"group": data["group"], "tokens": tokens, "links": links}
        response = Response(InvitationsSerializer(body).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="结束评价（未使用的链接失效）",
        request=None,
        responses={200: EvaluationSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        evaluation = self.get_object()
        ev.evaluation_close(actor=request.user, evaluation=evaluation)
        return self._detail(evaluation.pk)

    def get_serializer(self, *args, **kwargs):
        # The browsable API draws an action's form from its input serializer, unbound.
        if self.action in ("invitations", "close"):
            kwargs.pop("instance", None)
        return super().get_serializer(*args, **kwargs)


@extend_schema(tags=["360度评价"])
class RatingViewSet(viewsets.GenericViewSet):
    """评价人提交评分：凭评价令牌，无需登录；每个令牌只能提交一次。"""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []  # the token is the only key; nobody's identity is kept
    serializer_class = RatingSerializer
    pagination_class = None

    @extend_schema(
        summary="提交评分（匿名）",
        request=RatingSerializer,
        responses={
            204: None,
            400: OpenApiResponse(description=_ERRORS[400]),
            404: OpenApiResponse(description="链接无效"),
            410: OpenApiResponse(description="链接已使用，或评价已结束"),
        },
    )
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            ev.evaluation_submit(**serializer.validated_data)
        except ev.InvitationUnusable as error:
            code = status.HTTP_404_NOT_FOUND if error.code == "unknown" else status.HTTP_410_GONE
            return Response({"detail": error.messages[0], "code": error.code}, status=code)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router):
    router.register("assessment/evaluations", EvaluationViewSet, basename="assessment-evaluation")
    router.register(
        "assessment/evaluation-ratings", RatingViewSet, basename="assessment-evaluation-rating"
    )
