from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .two_factor import MAX_CODE_LENGTH


class CodeForm(forms.Form):
    """A second-factor code: 6 digits from the authenticator app, or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=MAX_CODE_LENGTH,
        error_messages={
            "required": _("Type the code."),
            "max_length": _(
                "That is too long for a code: type the 6 digits the app shows, or a backup code."
            ),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "inputmode": "text",
            }
        ),
    )

    def __init__(self, *args, label=None, numeric=False, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["code"].label = label
        if numeric:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"


class ProfileForm(forms.ModelForm):
    """The signed-in person's name and e-mail address. A new address needs the current
    password (a password reset is sent to it), and may not be another account's."""

    current_password = forms.CharField(
        label=_("Current password (needed to change your e-mail address)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    class Meta:
        model = get_user_model()
        fields = ("first_name", "last_name", "email")
        labels = {"first_name": _("First name"), "last_name": _("Last name"), "email": _("E-mail")}

    def clean_email(self):
        email = self.cleaned_data.get("email", "").strip()
        if email:
            email = get_user_model().objects.normalize_email(email)
            taken = (
                get_user_model().objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
            )
            if taken.exists():
                raise forms.ValidationError(
                    _(
                        "Another account uses this address: give one of your own, or ask your "
                        "team's admin."
                    )
                )
        return email

    def clean(self):
        data = super().clean()
        email = data.get("email")
        if email is not None and email.lower() != (self.instance.email or "").lower():
            password = data.get("current_password") or ""
            if not self.instance.pk or not self.instance.check_password(password):
                self.add_error(
                    "current_password",
                    _("Type your current password to change your e-mail address.")
                    if not password
                    else _("That is not your current password."),
                )
        return data
