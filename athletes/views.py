from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .access import get_athlete_for, teams_for


@login_required
def athlete_detail(request, pk):
    athlete = get_athlete_for(request.user, pk)
    return render(
        request, "athletes/detail.html", {"athlete": athlete, "teams": teams_for(request.user)}
    )
