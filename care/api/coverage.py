"""REST API of the annual talk coverage (F 16) under /api/v1/care/coverage/: for a year (default
this year), each secretary inside the user's jurisdiction with the people they must talk with,
who is covered, who is missing and the percentage. Filters: `year`, `level` (rule code: city,
county, township), `unit` (a region or township and its subtree). Read-only."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from cadre.models import Unit

from .. import coverage as cov


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    post = serializers.CharField()
    unit_name = serializers.CharField(source="unit.name")


class SecretaryCoverageSerializer(serializers.Serializer):
    secretary = PersonSerializer()
    unit = serializers.IntegerField(source="governed.pk")
    unit_name = serializers.CharField(source="governed.name")
    level = serializers.CharField(source="rule_code")
    level_label = serializers.CharField(source="rule_label")
    required = serializers.SerializerMethodField()
    covered = serializers.SerializerMethodField()
    percent = serializers.IntegerField(allow_null=True)
    missing = PersonSerializer(many=True)

    def get_required(self, row) -> int:
        return len(row.required)

    def get_covered(self, row) -> int:
        return len(row.covered)


class CoverageQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    level = serializers.CharField(max_length=40, required=False, allow_blank=True)
    unit = serializers.IntegerField(required=False)


class CoverageViewSet(viewsets.ViewSet):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="年度谈心谈话覆盖（本人管辖范围内的市县乡党委书记）",
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("level", str),
            OpenApiParameter("unit", int),
        ],
        responses={200: SecretaryCoverageSerializer(many=True)},
    )
    def list(self, request):
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        unit = None
        if query.validated_data.get("unit"):
            unit = Unit.objects.restrict(request.user).filter(pk=query.validated_data["unit"])
            unit = unit.first()
            if unit is None:
                return Response({"year": year, "totals": cov.totals([]), "results": []})
        rows = cov.filter_rows(
            cov.coverage_for_user(request.user, year=year),
            level=query.validated_data.get("level") or "",
            unit=unit,
        )
        return Response(
            {
                "year": year,
                "totals": cov.totals(rows),
                "results": SecretaryCoverageSerializer(rows, many=True).data,
            }
        )


def register(router):
    router.register("care/coverage", CoverageViewSet, basename="care-coverage")
