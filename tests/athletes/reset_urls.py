"""The site's URLs plus Django's own password-reset views, for the test that a reset revokes
API tokens whatever pages the site puts around those views. Added last, so these names win
when the site also defines them."""

from django.contrib.auth import views as auth_views
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    *site_urlpatterns,
    path(
        "test-auth/password-reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "test-auth/password-reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "test-auth/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "test-auth/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
