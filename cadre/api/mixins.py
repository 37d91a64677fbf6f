"""Shared behaviour of the apps' API viewsets over scoped querysets."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import permissions, status
from rest_framework.response import Response

from .pagination import DefaultCursorPagination


class RestrictedViewSetMixin:
    """get_queryset() starts from `Model.objects.restrict(user, "view")`; a write on one row
    also needs the row in `restrict(user, "change")`, else 403 (out of view scope stays 404).
    Actions read their input with `input(SerializerClass)` and call a service."""

    permission_classes = [permissions.IsAuthenticated]
    # Cursor pagination needs one fixed order, so no client-chosen ordering.
    filter_backends = [DjangoFilterBackend]
    pagination_class = DefaultCursorPagination
    act_denied = _("您的角色不能办理此事项")

    def scoped(self, action_name="view"):
        return self.queryset.model.objects.restrict(self.request.user, action_name)

    def get_queryset(self):
        return self.scoped()

    def filter_queryset(self, queryset):
        # Filters narrow lists; a row is found by its id alone.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in permissions.SAFE_METHODS:
            if not self.scoped("change").filter(pk=obj.pk).exists():
                self.permission_denied(self.request, message=self.act_denied)
        return obj

    def get_serializer(self, *args, **kwargs):
        # The browsable API draws an action's form from its input serializer
        # (`serializer_class=` on the action), never bound to what the action answered.
        if self.action not in ("list", "retrieve", "create"):
            kwargs.pop("instance", None)
        return super().get_serializer(*args, **kwargs)

    def input(self, serializer_class, data=None):
        serializer = serializer_class(
            data=self.request.data if data is None else data,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def created(self, serializer_class, instance):
        data = serializer_class(instance, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)
