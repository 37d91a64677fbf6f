"""API serializers of the core. They check the shape of input and hand it to cadre.services;
the rules live in the services and the models."""

from contextlib import contextmanager

from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cadre import services
from cadre.api.exceptions import Conflict
from cadre.models import Cadre, CadreTag, Notification, PerformanceEntry, PostLevel, Rank, Unit


def _request_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


@contextmanager
def _constraints_as_conflict():
    """A database constraint the service did not check first (or a concurrent write) is a
    409 with a message, not a 500. The service's transaction is already rolled back here."""
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(_("数据与已有记录冲突（如日期早于现有任职经历），请检查后重试")) from exc


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(
        label=_("上级单位"), queryset=Unit.objects.none(), allow_null=True, required=False
    )
    parent_name = serializers.CharField(source="parent.name", read_only=True, default=None)
    manages_up_to_name = serializers.CharField(
        source="manages_up_to.name", read_only=True, default=None
    )

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "code",
            "parent",
            "parent_name",
            "path",
            "depth",
            "kind",
            "level",
            "region",
            "is_hardship_area",
            "is_remote_township",
            "manages_up_to",
            "manages_up_to_name",
            "sort_order",
        ]
        read_only_fields = ["path", "depth"]

    def get_fields(self):
        fields = super().get_fields()
        # Only units inside the user's scope can be chosen: others do not exist for them.
        fields["parent"].queryset = Unit.objects.restrict(_request_user(self), "view")
        return fields

    def create(self, validated_data):
        with _constraints_as_conflict():
            return services.unit_create(actor=_request_user(self), **validated_data)

    def update(self, instance, validated_data):
        with _constraints_as_conflict():
            return services.unit_update(actor=_request_user(self), unit=instance, **validated_data)


class CadreListSerializer(serializers.ModelSerializer):
    """A row of the cadre list: what a roster shows. The whole file, ID number included, is
    read one cadre at a time (and every such read is logged)."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    post_level_name = serializers.CharField(source="post_level.name", read_only=True, default=None)
    rank_name = serializers.CharField(source="rank.name", read_only=True, default=None)
    tag_names = serializers.ListField(
        child=serializers.CharField(), label=_("标签名称"), read_only=True
    )

    # Columns read from the database for a list page: nothing else is loaded.
    COLUMNS = (
        "id",
        "name",
        "gender",
        "birth_date",
        "post",
        "status",
        "unit__name",
        "post_level__name",
        "rank__name",
    )

    class Meta:
        model = Cadre
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "unit",
            "unit_name",
            "post",
            "post_level",
            "post_level_name",
            "rank",
            "rank_name",
            "tag_names",
            "status",
        ]
        read_only_fields = fields


class CadreSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(
        label=_("身份证号码"),
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=18,
        help_text=_("18位居民身份证号码；只写，读取时见 id_number_display"),
    )
    id_number_display = serializers.SerializerMethodField(
        label=_("身份证号码（按权限显示）"),
        help_text=_("无敏感信息查看权限的角色看到的是脱敏号码"),
    )
    unit = serializers.PrimaryKeyRelatedField(label=_("所在单位"), queryset=Unit.objects.none())
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    post_level = serializers.PrimaryKeyRelatedField(
        label=_("职务层次"), queryset=PostLevel.objects.all(), allow_null=True, required=False
    )
    post_level_name = serializers.CharField(source="post_level.name", read_only=True, default=None)
    rank = serializers.PrimaryKeyRelatedField(
        label=_("职级"), queryset=Rank.objects.all(), allow_null=True, required=False
    )
    rank_name = serializers.CharField(source="rank.name", read_only=True, default=None)
    tags = serializers.PrimaryKeyRelatedField(
        label=_("标签"), queryset=CadreTag.objects.all(), many=True, required=False
    )
    tag_names = serializers.SerializerMethodField(label=_("标签名称"))
    age = serializers.IntegerField(label=_("年龄"), read_only=True)

    class Meta:
        model = Cadre
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "age",
            "ethnicity",
            "id_number",
            "id_number_display",
            "party_member_since",
            "education",
            "staffing_type",
            "unit",
            "unit_name",
            "post",
            "post_level",
            "post_level_name",
            "rank",
            "rank_name",
            "post_since",
            "rank_since",
            "work_since",
            "township_years",
            "served_township_head",
            "tags",
            "tag_names",
            "status",
            "phone",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        fields["unit"].queryset = Unit.objects.restrict(_request_user(self), "view")
        return fields

    def get_id_number_display(self, cadre) -> str:
        return cadre.id_number_for(_request_user(self))

    def get_tag_names(self, cadre) -> list[str]:
        # tags.all() is served from the viewset's prefetch: no query per row.
        return [tag.name for tag in cadre.tags.all()]

    def create(self, validated_data):
        with _constraints_as_conflict():
            return services.cadre_create(actor=_request_user(self), **validated_data)

    def update(self, instance, validated_data):
        with _constraints_as_conflict():
            return services.cadre_update(
                actor=_request_user(self), cadre=instance, **validated_data
            )


class PerformanceEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = PerformanceEntry
        fields = ["id", "occurred_on", "source", "category", "title", "detail", "created_at"]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField(label=_("已读"))

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationMarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        label=_("通知编号"),
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=True,
        max_length=1000,
        help_text=_("要标为已读的通知；不传则全部标为已读"),
    )


class NotificationMarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(label=_("标为已读的条数"))
