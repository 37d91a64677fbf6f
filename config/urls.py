from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cadre import views as cadre_views

urlpatterns = [
    path("", cadre_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("cadre.urls")),
    path("assessment/", include("assessment.urls")),
    path("incentives/", include("incentives.urls")),
    path("tolerance/", include("tolerance.urls")),
    path("care/", include("care.urls")),
    path("api/v1/", include("config.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "担当 · 系统管理"
admin.site.site_title = "担当"
admin.site.index_title = "数据与政策清单管理"
