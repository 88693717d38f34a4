"""django-otp's device apps under names a staff admin reads in the admin's index (their own
would be "Otp_Totp" and "Otp_Static")."""

from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class AuthenticatorAppsConfig(TOTPConfig):
    verbose_name = "Two-factor sign-in: authenticator apps"


class BackupCodesConfig(StaticConfig):
    verbose_name = "Two-factor sign-in: backup codes"
