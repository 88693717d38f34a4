import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.template.response import TemplateResponse

from .models import Athlete, Baseline, Injury, Membership, Team
from .privacy import erase_athlete, export_athlete, may_handle_privacy


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


class InjuryInline(admin.TabularInline):
    model = Injury
    extra = 0


class BaselineInline(admin.TabularInline):
    model = Baseline
    extra = 0
    autocomplete_fields = ["metric"]


@admin.register(Athlete)
class AthleteAdmin(admin.ModelAdmin):
    list_display = ["full_name", "team", "user", "events"]
    list_filter = ["team"]
    search_fields = ["first_name", "last_name", "user__username"]
    autocomplete_fields = ["team", "user"]
    inlines = [InjuryInline, BaselineInline]
    actions = ["export_data", "erase_data"]

    def _check(self, request, queryset):
        if not all(may_handle_privacy(request.user, athlete) for athlete in queryset):
            raise PermissionDenied

    @admin.action(description="Export all data of the selected athletes (JSON)")
    def export_data(self, request, queryset):
        self._check(request, queryset)
        exports = [export_athlete(athlete, by=request.user) for athlete in queryset]
        response = HttpResponse(
            json.dumps(exports, cls=DjangoJSONEncoder, indent=1), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="athletes-export.json"'
        return response

    @admin.action(
        description="Erase the selected athletes (keeps anonymised plans and sign-offs)",
        permissions=["change"],
    )
    def erase_data(self, request, queryset):
        self._check(request, queryset)
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/athletes/erase_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Erase athletes",
                    "athletes": queryset,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                },
            )
        for athlete in queryset:
            erase_athlete(athlete, by=request.user)
        self.message_user(
            request, f"Erased {len(queryset)} athlete(s); sign-off records kept.", messages.SUCCESS
        )


@admin.register(Injury)
class InjuryAdmin(admin.ModelAdmin):
    list_display = [
        "athlete",
        "muscle_group",
        "muscle",
        "side",
        "grade",
        "occurred_on",
        "is_recurrence",
    ]
    list_filter = ["muscle_group", "grade", "mechanism", "is_recurrence"]
    search_fields = ["athlete__first_name", "athlete__last_name"]
    autocomplete_fields = ["athlete"]
    date_hierarchy = "occurred_on"


@admin.register(Baseline)
class BaselineAdmin(admin.ModelAdmin):
    list_display = ["athlete", "metric", "side", "value", "measured_on"]
    list_filter = ["metric"]
    search_fields = ["athlete__first_name", "athlete__last_name"]
    autocomplete_fields = ["athlete", "metric"]
