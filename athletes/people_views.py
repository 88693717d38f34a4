"""The people pages (/team/) and the invitation link (/invite/<token>/).

Team admins and coaches list their teams' members and invitations, invite, resend and revoke;
the rules are athletes.invitations' and athletes.access'. An invitation's link is shown once,
in the response that made it (only its digest is stored)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .access import (
    administered_athletes,
    manageable_invitations,
    managed_teams,
    people_manager_required,
    team_members,
)
from .invitations import (
    InvitationRefused,
    InvitationUnusable,
    accept_invitation,
    create_invitation,
    home_for,
    invitation_for_token,
    inviter_name,
    resend_invitation,
    revoke_invitation,
)
from .models import Invitation
from .people_forms import AcceptInvitationForm, InviteForm
from .services import set_archived

SETTLED_SHOWN = timedelta(days=30)

UNUSABLE = {
    "unknown": (
        404,
        _("This invitation link is not valid"),
        _(
            "The link is incomplete or was changed. Ask the person who invited you to send it "
            "again."
        ),
    ),
    Invitation.Status.ACCEPTED: (
        410,
        _("This invitation was already used"),
        _("Each link works once. If it was you, sign in; otherwise ask for a new link."),
    ),
    Invitation.Status.REVOKED: (
        410,
        _("This invitation was withdrawn"),
        _("The person who invited you withdrew it. Ask them for a new link if you still need one."),
    ),
    Invitation.Status.EXPIRED: (
        410,
        _("This invitation has expired"),
        _("Links work for a limited time. Ask the person who invited you to send a new one."),
    ),
}


@people_manager_required
@never_cache
def people(request):
    """Each team the user manages: its members and its invitations (pending first; accepted
    and revoked ones of the last SETTLED_SHOWN)."""
    now = timezone.now()
    # Every open invitation, and the settled ones of the last weeks (the list stays short).
    recent = Q(accepted_at=None, revoked_at=None) | Q(created_at__gte=now - SETTLED_SHOWN)
    invitations = (
        manageable_invitations(request.user).filter(recent).select_related("athlete", "invited_by")
    )
    athletes = list(administered_athletes(request.user).order_by("last_name", "first_name", "pk"))
    teams = []
    for team in managed_teams(request.user):
        rows = [i for i in invitations if i.team_id == team.pk]
        for row in rows:
            row.state = row.status(now)
        rows.sort(key=lambda i: i.state != Invitation.Status.PENDING)
        teams.append(
            {
                "team": team,
                "members": list(team_members(team)),
                "invitations": rows,
                # Only a team admin archives from here; a coach does it on the athlete's page.
                "athletes": [a for a in athletes if a.team_id == team.pk],
            }
        )
    return render(request, "people/list.html", {"teams": teams})


@people_manager_required
@require_POST
def athlete_archive(request, pk):
    """A team admin archives an athlete who left (archived=on) or restores one."""
    athlete = get_object_or_404(administered_athletes(request.user), pk=pk)
    archived = request.POST.get("archived") == "on"
    try:
        set_archived(athlete, archived, by=request.user)
    except ValidationError as error:
        messages.error(request, f"{athlete.full_name}: {' '.join(error.messages)}")
    else:
        messages.success(
            request,
            f"{athlete.full_name} archived: out of the roster, every record kept."
            if archived
            else f"{athlete.full_name} restored to the roster.",
        )
    return redirect("people:list")


def _shown(request, link, *, title):
    return render(
        request,
        "people/link.html",
        {"link": link, "title": title, "inviter": inviter_name(link.invitation)},
    )


@people_manager_required
@never_cache
@require_http_methods(["GET", "POST"])
def invite(request):
    form = InviteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            # The form's fields are the service's arguments: team, role, email, athlete.
            link = create_invitation(by=request.user, **form.cleaned_data)
        except InvitationRefused as refused:
            form.add_error(refused.field, refused.message)
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            return _shown(request, link, title="Invitation ready")
    return render(request, "people/invite.html", {"form": form, "days": settings.INVITATION_DAYS})


def _managed_invitation(request, pk) -> Invitation:
    return get_object_or_404(manageable_invitations(request.user).select_related("team"), pk=pk)


@people_manager_required
@never_cache
@require_POST
def resend(request, pk):
    invitation = _managed_invitation(request, pk)
    try:
        link = resend_invitation(invitation)
    except InvitationUnusable as unusable:
        messages.error(request, f"This invitation is {unusable.status}: it cannot be sent again.")
        return redirect("people:list")
    return _shown(request, link, title="New link: the old one no longer works")


@people_manager_required
@require_POST
def revoke(request, pk):
    invitation = _managed_invitation(request, pk)
    try:
        revoke_invitation(invitation)
    except InvitationUnusable:
        messages.error(request, "This invitation was already accepted.")
    else:
        messages.success(request, "Invitation revoked: its link no longer works.")
    return redirect("people:list")


@never_cache
@require_http_methods(["GET", "POST"])
def accept(request, token):
    """The invitee's page (often on a phone): who invited them where, and the form that makes
    their login. A signed-in visitor is asked to sign out first."""
    try:
        invitation = invitation_for_token(token)
    except InvitationUnusable as unusable:
        return _unusable(request, unusable.status)
    context = {"invitation": invitation, "inviter": inviter_name(invitation)}
    if request.user.is_authenticated:
        return render(request, "people/accept.html", {**context, "signed_in": True})
    form = AcceptInvitationForm(request.POST or None, initial={"username": invitation.email})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accept_invitation(
                invitation,
                first_name=data["first_name"],
                last_name=data["last_name"],
                username=data["username"],
                password=data["password1"],
            )
        except InvitationUnusable as unusable:
            return _unusable(request, unusable.status)
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, gettext("Welcome to %(team)s.") % {"team": invitation.team})
            return redirect(home_for(invitation.role))
    return render(request, "people/accept.html", {**context, "form": form})


def _unusable(request, status):
    code, title, text = UNUSABLE[status]
    return render(request, "people/unusable.html", {"title": title, "text": text}, status=code)
