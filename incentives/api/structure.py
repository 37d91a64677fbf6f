"""REST API of the team structure checks (F 9; ZJK 12(四)) under /api/v1/incentives/.

`teams/`: every county of the user's jurisdiction with the team's numbers (size, members who
served as township party/government head, required, shortfall, ok) and the county organs'
leaders lacking three years of township work; `teams/{county id}/`: the same with the members
and their flags, and the organs' leaders flagged for a recent post without that experience.
A team beyond the post levels the user's unit manages answers `visible: false` with the
message, never numbers. Out of jurisdiction: 404; a role without reading rights: 403."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from cadre.api.pagination import DefaultCursorPagination
from cadre.models import Unit

from .. import structure
from ..models.common import can_read


class CountyCursorPagination(DefaultCursorPagination):
    ordering = "path"


class TeamShareSerializer(serializers.Serializer):
    size = serializers.IntegerField()
    count = serializers.IntegerField()
    required = serializers.IntegerField()
    shortfall = serializers.IntegerField()
    ok = serializers.BooleanField()


class OrganCheckSerializer(serializers.Serializer):
    leaders = serializers.IntegerField()
    with_years = serializers.IntegerField()
    lacking = serializers.IntegerField()
    recent_lacking = serializers.IntegerField()


class TeamStructureSerializer(serializers.Serializer):
    county = serializers.IntegerField(source="county.pk")
    county_name = serializers.CharField(source="county.name")
    visible = serializers.BooleanField()
    status = serializers.CharField()
    message = serializers.CharField()
    share = TeamShareSerializer(allow_null=True)
    organs = OrganCheckSerializer()
    share_rule = serializers.CharField(source="rules.share_text")
    min_township_years = serializers.DecimalField(
        source="rules.min_years", max_digits=4, decimal_places=1
    )
    policy_list = serializers.IntegerField(source="rules.policy_list.pk", default=None)


class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    unit_name = serializers.CharField(source="unit.name")
    post = serializers.CharField()
    post_level = serializers.CharField(source="post_level.code")
    age = serializers.IntegerField()
    served_township_head = serializers.BooleanField()
    township_years = serializers.DecimalField(max_digits=4, decimal_places=1)
    young = serializers.CharField(source="young_label")


class OrganLeaderSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    unit_name = serializers.CharField(source="unit.name")
    post = serializers.CharField()
    post_level = serializers.CharField(source="post_level.code")
    post_since = serializers.DateField(allow_null=True)
    township_years = serializers.DecimalField(max_digits=4, decimal_places=1)


class TeamStructureDetailSerializer(TeamStructureSerializer):
    members = TeamMemberSerializer(many=True)
    recent_lacking_leaders = OrganLeaderSerializer(many=True)


@extend_schema_view(
    list=extend_schema(
        summary="县级领导班子结构（闽9；张家口第十二条（四））", responses=TeamStructureSerializer
    ),
    retrieve=extend_schema(summary="一个县的领导班子结构", responses=TeamStructureDetailSerializer),
)
class TeamViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TeamStructureSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = structure.TeamFilterSet
    pagination_class = CountyCursorPagination
    queryset = Unit.objects.none()

    def get_queryset(self):
        if not can_read(self.request.user):
            self.permission_denied(self.request, message=_("您的角色不能查看领导班子结构"))
        return structure.counties_for(self.request.user)

    def list(self, request, *args, **kwargs):
        counties = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(counties)
        summaries = structure.team_summaries(request.user, page)
        return self.get_paginated_response(TeamStructureSerializer(summaries, many=True).data)

    def retrieve(self, request, pk=None):
        county = get_object_or_404(self.get_queryset(), pk=pk)
        summary = structure.team_summary(request.user, county)
        summary.members = structure.team_members(request.user, summary)
        summary.recent_lacking_leaders = list(
            structure.organ_leaders(request.user, summary, lacking_only=True).filter(
                post_since__gte=structure.recent_cutoff(summary.rules)
            )
        )
        return Response(TeamStructureDetailSerializer(summary).data)


def register(router):
    router.register("incentives/teams", TeamViewSet, basename="incentive-team")
