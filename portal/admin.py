"""The staff admin's privacy actions on athletes (export, erase): they reach every app's data,
so they live here, above the apps, on the athletes admin."""

import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.template.response import TemplateResponse

from athletes.access import may_handle_privacy
from athletes.admin import AthleteAdmin as BaseAthleteAdmin
from athletes.models import Athlete

from .privacy import erase_athlete, export_athlete

admin.site.unregister(Athlete)


@admin.register(Athlete)
class AthleteAdmin(BaseAthleteAdmin):
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
