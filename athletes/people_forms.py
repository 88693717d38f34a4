"""Forms of the people pages: invite someone to a team, accept an invitation."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from .access import INVITES, invitable_athletes, managed_teams, roles_by_team
from .models import Role


class InviteForm(forms.Form):
    """Who to invite, offered only what `user` may grant; the service checks it again."""

    team = forms.ModelChoiceField(queryset=None, empty_label=None)
    role = forms.ChoiceField(choices=())
    email = forms.EmailField(
        required=False,
        label="E-mail (optional)",
        help_text="We send the link there. Leave it empty to hand the link or QR code over.",
    )
    athlete = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Athlete record (athletes only, optional)",
        empty_label="A new athlete record",
        help_text="For an athlete already on the roster without a login.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = managed_teams(user)
        granted = set().union(*(INVITES.get(role, set()) for _, _, role in roles_by_team(user)))
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if v in granted]
        self.fields["athlete"].queryset = invitable_athletes(user).select_related("team")
        self.fields["athlete"].label_from_instance = lambda a: f"{a.full_name} ({a.team})"

    def clean(self):
        data = super().clean()
        if data.get("athlete") and data.get("role") != Role.ATHLETE:
            self.add_error("athlete", "Only an athlete invitation names an athlete record.")
        return data


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    username = forms.CharField(
        max_length=150,
        label=_("Login (a username or your e-mail)"),
        help_text=_("You sign in with it. Letters, digits and @ . + - _ only."),
        validators=[get_user_model().username_validator],
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This login is taken: choose another."))
        return username

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            # Django's validators, knowing the person's names so the password is not one.
            person = get_user_model()(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
