"""Coach pages for privacy requests: export one athlete as JSON, erase one after confirming.

Only a coach of the athlete's team gets here; anyone else (other teams, clinicians,
athletes) gets 404, as for every other athlete page. Staff admins use the admin actions.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from athletes.access import get_athlete_for
from athletes.models import Role
from portal.privacy import erase_athlete, export_athlete


@login_required
def export_json(request, pk):
    athlete = get_athlete_for(request.user, pk, [Role.COACH])
    data = export_athlete(athlete, by=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="athlete-{athlete.pk}-export.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def erase(request, pk):
    athlete = get_athlete_for(request.user, pk, [Role.COACH])
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm", "").strip() == athlete.full_name:
            erase_athlete(athlete, by=request.user)
            messages.success(
                request,
                _(
                    "Erased athlete #%(number)s: their logs are deleted; plans and "
                    "sign-off decisions are kept without their name."
                )
                % {"number": athlete.pk},
            )
            return redirect("coach:roster")
        error = _("Type the athlete's full name exactly as shown to confirm.")
    return render(
        request,
        "coach/erase.html",
        {"athlete": athlete, "error": error},
        status=400 if error else 200,
    )
