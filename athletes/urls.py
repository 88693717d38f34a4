"""The athletes app's pages, by address family: /accounts/ (the signed-in person's profile,
password pages, two-factor sign-in and API tokens), /athletes/, /team/ (the people pages of
team admins and coaches) and the invitation link. Sign in and sign out are in config/urls.py.
The account names are unprefixed: Django's password views use them."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import account_tokens, account_views, people_views, views

# Under /accounts/two-factor/: reachable before the code is given (athletes.middleware).
two_factor_patterns = [
    path("", account_views.two_factor_verify, name="two-factor-verify"),
    path("setup/", account_views.two_factor_setup, name="two-factor-setup"),
    path("backup-codes/", account_views.two_factor_backup_codes, name="two-factor-backup-codes"),
]

password_patterns = [
    path("change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "change/done/", account_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

account_patterns = [
    path("profile/", account_views.profile, name="profile"),
    path(
        "profile/backup-codes/", account_views.new_backup_codes, name="two-factor-new-backup-codes"
    ),
    path("profile/two-factor/remove/", account_views.remove_two_factor, name="two-factor-remove"),
    path("two-factor/", include(two_factor_patterns)),
    path("password/", include(password_patterns)),
    path("tokens/", account_tokens.token_list, name="accounts-tokens"),
    path("tokens/<int:pk>/revoke/", account_tokens.revoke, name="accounts-token-revoke"),
]

athlete_patterns = [
    path("<int:pk>/", views.athlete_detail, name="detail"),
]

# Under /team/invitations/<pk>/: what is done to one invitation.
invitation_patterns = [
    path("resend/", people_views.resend, name="invitation-resend"),
    path("revoke/", people_views.revoke, name="invitation-revoke"),
]

people_patterns = [
    path("", people_views.people, name="list"),
    path("invite/", people_views.invite, name="invite"),
    path("invitations/<int:pk>/", include(invitation_patterns)),
    path("athletes/<int:pk>/archive/", people_views.athlete_archive, name="athlete-archive"),
]

urlpatterns = [
    path("accounts/", include(account_patterns)),
    path("athletes/", include((athlete_patterns, "athletes"))),
    path("team/", include((people_patterns, "people"))),
    # The link in an invitation (athletes.invitations): open to anyone who holds it.
    path("invite/<str:token>/", people_views.accept, name="invitation-accept"),
]
