"""REST API of rank promotion (职级晋升, F 10, F 7) under /api/v1/incentives/.

`rank-eligibility/`: the cadres in the user's jurisdiction eligible now for the next rank
(filters of `RankEligibilityFilterSet`: unit subtree, name, target rank, priority only),
priority first, paginated. `rank-eligibility/{cadre_id}/`: one cadre's check with every rule's
reason (optionally `?on=` a date); a cadre outside the jurisdiction answers 404. The rules live
in `incentives.eligibility`."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from cadre.models import Cadre

from ..eligibility import rank_cadres_in_scope, rank_eligibility, rank_eligible_list
from ..filtersets_rank import RankEligibilityFilterSet
from ..forms_rank import CheckDateForm
from ..models.common import can_read


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="规则代码")
    label = serializers.CharField(help_text="核查项目")
    passed = serializers.BooleanField(help_text="是否符合")
    blocking = serializers.BooleanField(help_text="不符合时是否影响晋升（优先晋升标记不影响）")
    text = serializers.CharField(help_text="说明")


class RankEligibilitySerializer(serializers.Serializer):
    cadre_id = serializers.IntegerField(source="cadre.pk")
    cadre_name = serializers.CharField(source="cadre.name")
    unit_id = serializers.IntegerField(source="cadre.unit_id")
    unit_name = serializers.CharField(source="cadre.unit.name")
    post = serializers.CharField(source="cadre.post")
    on = serializers.DateField(help_text="核查日期")
    applicable = serializers.BooleanField(help_text="是否适用公务员职级晋升")
    eligible = serializers.BooleanField(help_text="是否符合职级晋升条件")
    current_rank = serializers.CharField(source="current_rank.code", default=None)
    current_rank_name = serializers.CharField(source="current_rank.name", default=None)
    rank_since = serializers.DateField(source="cadre.rank_since")
    next_rank = serializers.CharField(source="next_rank.code", default=None)
    next_rank_name = serializers.CharField(source="next_rank.name", default=None)
    min_years = serializers.IntegerField(allow_null=True, help_text="最低任职年限（年）")
    counted_months = serializers.IntegerField(allow_null=True, help_text="计算任职年限（月）")
    counted_text = serializers.CharField(help_text="计算任职年限")
    priority = serializers.BooleanField(help_text="同等条件下优先晋升职级（连续多年优秀，闽7）")
    excellent_streak = serializers.IntegerField(source="streak")
    ladder_list = serializers.IntegerField(source="ladder_list.pk", default=None)
    rules_list = serializers.IntegerField(source="rules_list.pk", default=None)
    reasons = ReasonSerializer(many=True)


class RankEligibilityPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_view(
    list=extend_schema(summary="符合职级晋升条件人员（本人管辖范围内，优先晋升者在前）"),
    retrieve=extend_schema(
        summary="干部职级晋升核查（逐项说明符合或不符合的理由）",
        parameters=[
            OpenApiParameter(
                "cadre_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="干部编号"
            ),
            OpenApiParameter("on", OpenApiTypes.DATE, description="核查日期，默认今天"),
        ],
    ),
)
class RankEligibilityViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RankEligibilitySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RankEligibilityFilterSet
    pagination_class = RankEligibilityPagination
    queryset = Cadre.objects.none()
    lookup_url_kwarg = "cadre_id"
    lookup_value_regex = r"\d+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not can_read(request.user):
            self.permission_denied(request, message=_("您的角色不能查看职级晋升"))

    def list(self, request, *args, **kwargs):
        filterset, results = rank_eligible_list(request.user, request.query_params)
        if filterset.errors:
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(results)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        cadre = get_object_or_404(rank_cadres_in_scope(request.user), pk=kwargs["cadre_id"])
        form = CheckDateForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        on = form.cleaned_data["on"] or timezone.localdate()
        result = rank_eligibility([cadre], on)[0]
        return Response(self.get_serializer(result).data)


def register(router):
    router.register(
        "incentives/rank-eligibility", RankEligibilityViewSet, basename="rank-eligibility"
    )
