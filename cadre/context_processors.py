from django.conf import settings
from django.urls import NoReverseMatch, reverse


def navigation(request):
    areas = []
    current = request.path
    for url_name, label in settings.NAV_AREAS:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        prefix = "/" + url.strip("/").split("/")[0] + "/"
        areas.append({"url": url, "label": label, "active": current.startswith(prefix)})
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_areas": areas, "unread_notifications": unread}
