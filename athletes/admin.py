from django.contrib import admin

from .models import Athlete, Baseline, Injury, Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
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
