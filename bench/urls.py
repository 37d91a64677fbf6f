"""URLs for the benchmark: the project's own, plus a plain view around the cadre-list
queryset, measured when the real page or API cannot be (not built yet, or broken)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.urls import path

from cadre import selectors


@login_required
def plain_cadre_list(request):
    """The first 50 cadres the user may see, filtered by the shared FilterSet, as JSON: the
    same queryset the page and the API start from, without their templates or serializers."""
    filterset = selectors.cadre_list(request.user, data=request.GET)
    cadres = filterset.qs.prefetch_related("tags")[:50]
    rows = [
        {
            "id": c.pk,
            "name": c.name,
            "unit": c.unit.name,
            "post": c.post,
            "post_level": c.post_level.name if c.post_level_id else None,
            "rank": c.rank.name if c.rank_id else None,
            "tags": [t.name for t in c.tags.all()],
        }
        for c in cadres
    ]
    return JsonResponse({"results": rows})


@login_required
def ping(request):
    """Nothing but the middleware stack, session and user: the floor under every page."""
    return HttpResponse("ok")


urlpatterns = [
    path("bench/plain-cadres/", plain_cadre_list, name="bench_plain_cadres"),
    path("bench/ping/", ping, name="bench_ping"),
]
try:
    from config.urls import urlpatterns as project_urlpatterns
except Exception as exc:  # the project's URLs may be mid-edit; the plain view still works
    PROJECT_URLS_ERROR = f"{type(exc).__name__}: {exc}"
else:
    PROJECT_URLS_ERROR = None
    urlpatterns += project_urlpatterns
