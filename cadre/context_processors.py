from django.conf import settings
from django.urls import NoReverseMatch, reverse

# The registry area spans several URL prefixes.
AREA_PREFIXES = {"cadre:unit_tree": ("/units/", "/cadres/")}


def navigation(request):
    areas = []
    current = request.path
    for url_name, label in settings.NAV_AREAS:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        prefixes = AREA_PREFIXES.get(url_name) or ("/" + url.strip("/").split("/")[0] + "/",)
        active = any(current.startswith(prefix) for prefix in prefixes)
        areas.append({"url": url, "label": label, "active": active})
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_areas": areas, "unread_notifications": unread}
