"""REST API of the core under /api/v1/.

Every queryset comes from `restrict(user, action)`. An object outside the user's jurisdiction
is not found (404) whatever the request; an object in scope on which the user's roles do not
allow the action is refused (403), and so is a create the roles do not allow. Writes are made
by cadre.services through the serializers."""

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadre import access, services
from cadre.filtersets import CadreFilterSet, UnitFilterSet
from cadre.models import Cadre, Notification, Unit

from .pagination import DefaultCursorPagination
from .serializers import (
    CadreListSerializer,
    CadreSerializer,
    NotificationMarkReadResultSerializer,
    NotificationMarkReadSerializer,
    NotificationSerializer,
    PerformanceEntrySerializer,
    UnitSerializer,
)

# The jurisdiction action each request needs (cadre.access).
_METHOD_ACTIONS = {
    "POST": access.ADD,
    "PUT": access.CHANGE,
    "PATCH": access.CHANGE,
    "DELETE": access.DELETE,
}


def scope_action(request):
    """The action name `restrict()` and `can()` check for this request."""
    return _METHOD_ACTIONS.get(request.method, access.VIEW)


class RoleAllowsAction(permissions.BasePermission):
    """403 when none of the user's roles allows the action at all (e.g. 纪检监察 may read but
    not change). On one object this is checked only once the object is known to be in scope
    (ScopedViewSetMixin.get_object), so that out of scope stays 404 for everyone."""

    message = "您没有执行此操作的权限"

    def has_permission(self, request, view):
        if getattr(view, "detail", False):
            return True
        return access.can(request.user, scope_action(request))


class UnitPagination(DefaultCursorPagination):
    ordering = ("path", "id")


class CadrePagination(DefaultCursorPagination):
    # Name order, as on the staff page: served by the (name, id) index at any scope.
    ordering = ("name", "id")


class PerformancePagination(DefaultCursorPagination):
    ordering = ("-occurred_on", "-id")


class NotificationPagination(DefaultCursorPagination):
    ordering = "-id"


class ScopedViewSetMixin:
    """get_queryset() always starts from `Model.objects.restrict(user, action)`."""

    permission_classes = [permissions.IsAuthenticated, RoleAllowsAction]
    # Cursor pagination needs one fixed order, so no client-chosen ordering here.
    filter_backends = [DjangoFilterBackend]

    def scoped_queryset(self):
        model = self.queryset.model
        return model.objects.restrict(self.request.user, scope_action(self.request))

    def get_object(self):
        action_name = scope_action(self.request)
        if action_name != access.VIEW:
            lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
            model = self.queryset.model
            visible = model.objects.restrict(self.request.user, access.VIEW)
            if not visible.filter(**{self.lookup_field: lookup}).exists():
                raise Http404
            if not access.can(self.request.user, action_name):
                self.permission_denied(self.request, message=RoleAllowsAction.message)
        return super().get_object()


@extend_schema_view(
    list=extend_schema(summary="单位列表（本人管理范围内）"),
    retrieve=extend_schema(summary="单位详情"),
    create=extend_schema(summary="新建单位"),
    update=extend_schema(summary="修改单位"),
    partial_update=extend_schema(summary="修改单位（部分字段）"),
)
@extend_schema(tags=["单位"])
class UnitViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """单位树：只列出本人管理范围（本单位及下级单位）内的单位。"""

    # Units are not deleted through the API: there is no unit_delete service yet.
    queryset = Unit.objects.none()
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    pagination_class = UnitPagination

    def get_queryset(self):
        return self.scoped_queryset().select_related("parent", "manages_up_to")


@extend_schema_view(
    list=extend_schema(summary="干部列表（本人管理范围内）"),
    retrieve=extend_schema(summary="干部详情"),
    create=extend_schema(summary="新增干部"),
    update=extend_schema(summary="修改干部信息"),
    partial_update=extend_schema(summary="修改干部信息（部分字段）"),
    destroy=extend_schema(summary="删除干部"),
)
@extend_schema(tags=["干部"])
class CadreViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """干部信息：只列出本人干部管理权限内的干部；身份证号码按角色权限脱敏显示。"""

    queryset = Cadre.objects.none()
    serializer_class = CadreSerializer
    filterset_class = CadreFilterSet
    pagination_class = CadrePagination

    def get_queryset(self):
        qs = self.scoped_queryset().select_related("unit", "post_level", "rank")
        if self.action == "list":
            return qs.only(*CadreListSerializer.COLUMNS).with_tag_names()
        return qs.prefetch_related("tags")

    def get_serializer_class(self):
        if self.action == "list":
            return CadreListSerializer
        return super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        cadre = self.get_object()
        self._log_view(cadre)
        return Response(self.get_serializer(cadre).data)

    def perform_destroy(self, instance):
        services.cadre_delete(actor=self.request.user, cadre=instance)

    def _log_view(self, cadre):
        # Every view of a personnel file is logged (ARCHITECTURE.md, Audit).
        services.cadre_view_log(
            user=self.request.user,
            cadre=cadre,
            path=self.request.get_full_path(),
            ip_address=self.request.META.get("REMOTE_ADDR"),
        )

    @extend_schema(
        summary="干部实绩档案",
        responses=PerformanceEntrySerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        serializer_class=PerformanceEntrySerializer,
        pagination_class=PerformancePagination,
        filter_backends=[],
    )
    def performance(self, request, pk=None):
        cadre = self.get_object()
        self._log_view(cadre)
        page = self.paginate_queryset(cadre.performance_entries.all())
        serializer = PerformanceEntrySerializer(page, many=True, context={"request": request})
        return self.get_paginated_response(serializer.data)


@extend_schema_view(
    list=extend_schema(summary="我的通知"),
    retrieve=extend_schema(summary="通知详情"),
)
@extend_schema(tags=["通知"])
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """本人的站内通知。"""

    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination
    filter_backends = []

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user)

    @extend_schema(
        summary="标为已读",
        request=NotificationMarkReadSerializer,
        responses={200: OpenApiResponse(NotificationMarkReadResultSerializer)},
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        serializer = NotificationMarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.notification_mark_read(
            user=request.user, ids=serializer.validated_data.get("ids")
        )
        return Response({"marked": marked}, status=status.HTTP_200_OK)
