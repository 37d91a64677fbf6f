from rest_framework import viewsets


class UnitViewSet(viewsets.GenericViewSet):
    pass


class CadreViewSet(viewsets.GenericViewSet):
    pass


class NotificationViewSet(viewsets.GenericViewSet):
    pass
