"""/accounts/: the signed-in person's profile, password pages and two-factor sign-in. (Sign in
and sign out are in config/urls.py.) Names unprefixed: Django's password views use them."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import account_views as views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/backup-codes/", views.new_backup_codes, name="two-factor-new-backup-codes"),
    path("profile/two-factor/remove/", views.remove_two_factor, name="two-factor-remove"),
    # Under /accounts/two-factor/: reachable before the code is given (athletes.middleware).
    path("two-factor/", views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/backup-codes/", views.two_factor_backup_codes, name="two-factor-backup-codes"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
