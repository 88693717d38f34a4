from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone

from core.admin import ReadOnlyAdmin

from .models import (
    INJURY_SUMMARY_FIELDS,
    ApiToken,
    Athlete,
    AuditEvent,
    Baseline,
    Injury,
    Invitation,
    Membership,
    Team,
)
from .tokens import clean_token_name, save_new_token, state_of

# The rows of one athlete (injuries, plans, check-ins…) are found in the admin by the
# athlete's name.
ATHLETE_NAME_SEARCH = ["athlete__first_name", "athlete__last_name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "require_staff_2fa", "created_at"]
    list_filter = ["require_staff_2fa"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role"]
    list_filter = ["role", "team"]
    search_fields = ["user__username", "team__name"]
    autocomplete_fields = ["user", "team"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations are made, resent and revoked on the people page, the API or createteam
    (athletes.invitations): their links exist only there. Staff read them here."""

    list_display = ["team", "role", "email", "invited_by", "created_at", "expires_at"]
    list_filter = ["role", "team"]
    search_fields = ["email", "team__name"]
    exclude = ["token_hash"]


class InjuryInline(admin.TabularInline):
    model = Injury
    extra = 0


class MetricRowInline(admin.TabularInline):
    """Rows that each name a metric (an athlete's baselines, a phase's gate criteria): no
    blank rows to fill, and the metric picked by search, the registry being long."""

    extra = 0
    autocomplete_fields = ["metric"]


class BaselineInline(MetricRowInline):
    model = Baseline


@admin.register(Athlete)
class AthleteAdmin(admin.ModelAdmin):
    list_display = ["full_name", "team", "user", "events"]
    list_filter = ["team"]
    search_fields = ["first_name", "last_name", "user__username"]
    autocomplete_fields = ["team", "user"]
    inlines = [InjuryInline, BaselineInline]


@admin.register(Injury)
class InjuryAdmin(admin.ModelAdmin):
    list_display = [*INJURY_SUMMARY_FIELDS, "is_recurrence"]
    list_filter = ["muscle_group", "grade", "mechanism", "is_recurrence"]
    search_fields = ATHLETE_NAME_SEARCH
    autocomplete_fields = ["athlete"]
    date_hierarchy = "occurred_on"


@admin.register(Baseline)
class BaselineAdmin(admin.ModelAdmin):
    list_display = ["athlete", "metric", "side", "value", "measured_on"]
    list_filter = ["metric"]
    search_fields = ATHLETE_NAME_SEARCH
    autocomplete_fields = ["athlete", "metric"]


class ApiTokenAddForm(forms.ModelForm):
    """A token staff make for someone: a person's (expires like any other) or an integration's
    (never expires; only made here)."""

    requested_by = None  # the staff member, set by ApiTokenAdmin.get_form

    class Meta:
        model = ApiToken
        fields = ["user", "name", "is_integration"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not user.is_active:
            raise ValidationError("This account is deactivated: a token for it would not work.")
        # A token acts as its user: minting one for a staff account is taking its powers.
        if (user.is_staff or user.is_superuser) and not getattr(
            self.requested_by, "is_superuser", False
        ):
            raise ValidationError("Only a superuser may make a token for a staff account.")
        return user

    def clean_name(self):
        return clean_token_name(self.cleaned_data["name"])


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every API token: staff see what each is for and whether it still works, revoke any, and
    make integration tokens (shown once, right after saving). Tokens are never edited."""

    list_display = ["name", "user", "kind", "created", "expires", "state"]
    list_filter = ["is_integration"]
    search_fields = ["name", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "is_integration"]
        return ["name", "user", "is_integration", "created", "expiry", "state"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = type(
                "ApiTokenAddForm", (ApiTokenAddForm,), {"requested_by": request.user}
            )
        return super().get_form(request, obj, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "Revoke" says what it means
        return actions

    @admin.display(description="kind", ordering="is_integration")
    def kind(self, token):
        return "Integration" if token.is_integration else "Personal"

    @admin.display(description="expires", ordering="expiry")
    def expires(self, token):
        return token.expiry or "Never"

    @admin.display(description="state")
    def state(self, token):
        return state_of(token, token.user, now=timezone.now()).label

    @admin.action(description="Revoke the selected API tokens", permissions=["delete"])
    def revoke(self, request, queryset):
        count, _ = queryset.delete()
        self.message_user(request, f"Revoked {count} API token(s).", messages.SUCCESS)

    def add_view(self, request, form_url="", extra_context=None):
        # Whichever button, the next page shows the new token (response_add).
        extra_context = {
            **(extra_context or {}),
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
        }
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        request.new_api_token = save_new_token(obj)

    def response_add(self, request, obj, post_url_continue=None):
        """The token, this once: only its digest is kept. Rendered here rather than carried
        to the next page in a message, which the session (in the database) could hold."""
        response = TemplateResponse(
            request,
            "admin/athletes/apitoken/created.html",
            {
                **self.admin_site.each_context(request),
                "title": "API token created",
                "opts": self.model._meta,
                "token": obj,
                "plain": request.new_api_token,
            },
        )
        response["Cache-Control"] = "no-store"
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail can be read here; nobody adds, changes or deletes an event."""

    list_display = ["at", "athlete", "action", "actor", "role", "target_type", "target_id"]
    list_filter = ["action"]
    list_select_related = ["athlete", "actor"]
