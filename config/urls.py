from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Each app's pages come from its own urls module: under their full addresses where an app has
# several address families, under its one prefix here where it has one.
urlpatterns = [
    path("", include("portal.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("athletes.urls")),
    path("", include("rehab.urls")),
    path("notifications/", include("monitoring.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (no inline <script> for the CSP);
    # only its few lines of inline page style are allowed, on this page alone.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

if settings.BENCH_ENDPOINTS:
    from portal.bench_views import bare_checkin

    urlpatterns.append(path("bench/bare-checkin/", bare_checkin))

handler404 = "core.errors.not_found"
handler500 = "core.errors.server_error"
