from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from athletes import account_tokens, people_views
from portal import me_views
from portal import views as portal_views

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", portal_views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("athletes.account_urls")),
    path("accounts/tokens/", account_tokens.token_list, name="accounts-tokens"),
    path(
        "accounts/tokens/<int:pk>/revoke/",
        account_tokens.revoke,
        name="accounts-token-revoke",
    ),
    path("admin/", admin.site.urls),
    path("athletes/", include("athletes.urls")),
    path("team/", include("athletes.people_urls")),
    # The link in an invitation (athletes.invitations): open to anyone who holds it.
    path("invite/<str:token>/", people_views.accept, name="invitation-accept"),
    path("coach/", include("rehab.urls")),
    path("coach/", include("portal.privacy_urls")),
    path("clinic/", include("rehab.clinic_urls")),
    path("me/", include("portal.me_urls")),
    path("notifications/", include("monitoring.notification_urls")),
    path("sw.js", me_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", me_views.manifest, name="manifest"),
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
