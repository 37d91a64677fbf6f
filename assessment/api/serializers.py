"""API serializers of the annual assessment. They check the shape of the input and hand it to
assessment.services; the rules (quota, blockers, who may grade) live there."""

from functools import cache

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cadre.models import Unit

from ..choices import CycleStatus, Grade, TeamGrade
from ..models import AnnualGrade, AssessmentCycle, TeamAssessment


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


# Each choice set is published once in the schema under an app-qualified component name, so
# that no two apps' enums collide on a field name (`status`, `grade` …).
@cache
def _choice_class(name, choices):
    schema = serializers.ChoiceField(choices=choices)
    return extend_schema_field(schema, component_name=f"Assessment{name}Enum")(
        type(f"Assessment{name}ChoiceField", (serializers.ChoiceField,), {})
    )


def choice(name, choices, **kwargs):
    """A ChoiceField whose enum is the schema component `Assessment<name>Enum`."""
    pairs = tuple(choices.choices)
    return _choice_class(name, pairs)(choices=pairs, **kwargs)


def _label(source):
    return serializers.CharField(source=source, read_only=True)


class ScopedUnitField(serializers.PrimaryKeyRelatedField):
    """A unit chosen from the user's jurisdiction: any other unit does not exist for them."""

    def get_queryset(self):
        return Unit.objects.restrict(_user(self.parent), "view")


# --- read -------------------------------------------------------------------------------------


class QuotaStatusSerializer(serializers.Serializer):
    """The 优秀 quota of one assessed unit (F 7): participants × ratio, rounded down."""

    unit = serializers.IntegerField(source="unit.pk", label=_("被考核单位"), read_only=True)
    unit_name = serializers.CharField(source="unit.name", label=_("单位名称"), read_only=True)
    raised = serializers.BooleanField(label=_("上浮比例"), read_only=True)
    raised_reason = serializers.CharField(label=_("上浮依据"), read_only=True)
    ratio = serializers.DecimalField(
        label=_("优秀比例"), max_digits=6, decimal_places=4, read_only=True
    )
    participants = serializers.IntegerField(label=_("参加考核人数"), read_only=True)
    graded = serializers.IntegerField(label=_("已评定人数"), read_only=True)
    cap = serializers.IntegerField(label=_("优秀名额"), read_only=True)
    excellent = serializers.IntegerField(label=_("已评优秀人数"), read_only=True)
    remaining = serializers.IntegerField(
        label=_("剩余优秀名额"), read_only=True, help_text=_("为负数时表示超出比例")
    )


class TeamAssessmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    grade = choice("TeamGrade", TeamGrade, read_only=True)
    grade_label = _label("get_grade_display")

    class Meta:
        model = TeamAssessment
        fields = [
            "id",
            "cycle",
            "unit",
            "unit_name",
            "grade",
            "grade_label",
            "responsibility",
            "comments",
            "graded_at",
        ]
        read_only_fields = fields


class CycleSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status = choice("CycleStatus", CycleStatus, read_only=True)
    status_label = _label("get_status_display")
    quotas = QuotaStatusSerializer(
        source="quota_statuses",
        many=True,
        read_only=True,
        help_text=_("已评定等次或设置了比例的单位的优秀名额情况"),
    )

    class Meta:
        model = AssessmentCycle
        fields = [
            "id",
            "year",
            "unit",
            "unit_name",
            "title",
            "status",
            "status_label",
            "closed_at",
            "fed_back_at",
            "created_at",
            "quotas",
        ]
        read_only_fields = fields


class CycleDetailSerializer(CycleSerializer):
    quota_list_title = serializers.CharField(source="quota_list.title", read_only=True)
    quota_list_version = serializers.IntegerField(source="quota_list.version", read_only=True)
    blockers = serializers.SerializerMethodField(label=_("不得评优情形"))
    teams = TeamAssessmentSerializer(many=True, read_only=True)

    class Meta(CycleSerializer.Meta):
        fields = [
            *CycleSerializer.Meta.fields,
            "quota_list_title",
            "quota_list_version",
            "blockers",
            "teams",
        ]
        read_only_fields = fields

    def get_blockers(self, cycle) -> list[str]:
        # Items come from the viewset's prefetch: no query here.
        return [item.label for item in cycle.blockers_list.items.all()]


class AnnualGradeSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="cycle.year", read_only=True)
    cycle_title = serializers.CharField(source="cycle.title", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    grade = choice("Grade", Grade, read_only=True)
    grade_label = _label("get_grade_display")

    class Meta:
        model = AnnualGrade
        fields = [
            "id",
            "cycle",
            "year",
            "cycle_title",
            "cadre",
            "cadre_name",
            "unit",
            "unit_name",
            "grade",
            "grade_label",
            "responsibility",
            "comments",
            "graded_at",
            "fed_back_at",
        ]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------------


class CycleCreateSerializer(serializers.Serializer):
    unit = ScopedUnitField(label=_("组织单位"), queryset=Unit.objects.none())
    year = serializers.IntegerField(label=_("考核年度"), min_value=2000, max_value=9999)
    title = serializers.CharField(
        label=_("名称"),
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("不填则为“单位+年度+年度考核”"),
    )


class QuotaInputSerializer(serializers.Serializer):
    unit = ScopedUnitField(label=_("被考核单位"), queryset=Unit.objects.none())
    raised = serializers.BooleanField(label=_("年度绩效考评排名靠前（上浮比例）"))
    reason = serializers.CharField(
        label=_("上浮依据"), max_length=200, required=False, allow_blank=True, default=""
    )


class QuotaQuerySerializer(serializers.Serializer):
    unit = ScopedUnitField(label=_("被考核单位"), queryset=Unit.objects.none())


class GradeRowSerializer(serializers.Serializer):
    cadre = serializers.IntegerField(label=_("干部"), min_value=1)
    grade = choice("Grade", Grade, label=_("考核等次"))
    responsibility = serializers.CharField(label=_("担当作为情况"), allow_blank=True)
    comments = serializers.CharField(label=_("评语"), required=False, allow_blank=True, default="")


def _row_key(row, index):
    try:
        return str(int(row.get("cadre")))
    except (AttributeError, TypeError, ValueError):
        return None


class GradesInputSerializer(serializers.Serializer):
    """One unit's grades, saved all together or not at all. Errors of a row are keyed by the
    cadre's id, as the service keys them; the quota's error is in non_field_errors."""

    unit = ScopedUnitField(label=_("考核所在单位"), queryset=Unit.objects.none())
    rows = GradeRowSerializer(many=True, allow_empty=False, max_length=2000, label=_("等次"))

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError(self._by_cadre(exc.detail, data)) from exc

    @staticmethod
    def _by_cadre(detail, data):
        rows_errors = detail.get("rows") if isinstance(detail, dict) else None
        if not isinstance(rows_errors, list) or not all(isinstance(e, dict) for e in rows_errors):
            return detail
        rows = data.get("rows") or []
        detail = {k: v for k, v in detail.items() if k != "rows"}
        left = []
        fields = GradeRowSerializer().fields
        for index, errors in enumerate(rows_errors):
            if not errors:
                continue
            key = _row_key(rows[index], index) if index < len(rows) else None
            if key is None or "cadre" in errors:
                left.append(errors)
                continue
            detail[key] = [
                f"{fields[name].label}：{message}" if name in fields else str(message)
                for name, messages in errors.items()
                for message in messages
            ]
        if left:
            detail["rows"] = left
        return detail

    def validate(self, attrs):
        seen, repeated = set(), set()
        for row in attrs["rows"]:
            (repeated if row["cadre"] in seen else seen).add(row["cadre"])
        if repeated:
            raise serializers.ValidationError(
                {str(cadre_id): _("该干部在本次提交中重复出现") for cadre_id in sorted(repeated)}
            )
        return attrs


class TeamInputSerializer(serializers.Serializer):
    unit = ScopedUnitField(label=_("班子所在单位"), queryset=Unit.objects.none())
    grade = choice("TeamGrade", TeamGrade, label=_("班子等次"))
    responsibility = serializers.CharField(label=_("担当作为情况"), allow_blank=True)
    comments = serializers.CharField(
        label=_("评价意见"), required=False, allow_blank=True, default=""
    )
