"""Invitations: how people join a team without the Django admin.

The one set of rules for the people page, the API and `manage.py createteam`:
- who may invite whom is athletes.access (`may_invite`): a team admin invites every role in
  the teams they administer, a coach invites athletes in the teams they coach; nobody invites
  into a team they do not manage (`InvitationRefused`, a 403 in the API);
- a link is `<id>.<secret>`; only the SHA-256 of the secret is stored and compared in
  constant time, so a database copy holds no usable link;
- a link works once, until it expires (INVITATION_DAYS) or is revoked; a resend makes a new
  secret and a new expiry, and the old link stops working;
- accepting creates the login and its membership in one transaction, and claims the
  invitation with a conditional update, so two tabs cannot both use it.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from .access import add_membership, invitable_athletes, may_invite
from .models import Athlete, Invitation, Role, Team
from .two_factor import qr_code_data_uri

NOT_YOUR_TEAM = gettext_lazy(
    "You do not manage this team, or may not invite people in this role to it."
)

# Where each role lands after accepting (URL names).
HOMES = {
    Role.ATHLETE: "me:today",
    Role.COACH: "coach:roster",
    Role.CLINICIAN: "clinic:queue",
    Role.ADMIN: "people:list",
}


class InvitationRefused(PermissionDenied):
    """The inviter may not grant this role in this team. `field` names the form field."""

    def __init__(self, message=NOT_YOUR_TEAM, field="team"):
        super().__init__(message)
        self.message, self.field = message, field


class InvitationUnusable(Exception):
    """The link is unknown (tampered), or was used, revoked or has expired."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status  # "unknown" or one of Invitation.Status


@dataclass
class Link:
    """An invitation with its plain link: exists only in the response that made it."""

    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return settings.SITE_URL + reverse("invitation-accept", args=[self.token])

    @property
    def qr_code(self) -> str:
        return qr_code_data_uri(self.url)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(invitation: Invitation, now) -> str:
    secret = secrets.token_urlsafe(32)
    invitation.token_hash = _digest(secret)
    invitation.expires_at = now + timedelta(days=settings.INVITATION_DAYS)
    return secret


def _send(link: Link) -> None:
    invitation = link.invitation
    if not invitation.email:
        return
    context = {"invitation": invitation, "url": link.url, "inviter": inviter_name(invitation)}
    subject = render_to_string("accounts/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/invitation_email.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    )


def inviter_name(invitation: Invitation) -> str:
    person = invitation.invited_by
    if person is None:
        return "Sprintback"
    return person.get_full_name() or person.get_username()


@transaction.atomic
def create_invitation(
    *, by, team: Team, role: str, email: str = "", athlete: Athlete | None = None, now=None
) -> Link:
    """A new invitation of `by` (None: the command line) to `team` as `role`, e-mailed when an
    address is given. Raises InvitationRefused when `by` may not grant it; ValidationError
    (by field) when the athlete record does not fit."""
    now = now or timezone.now()
    if by is not None and not may_invite(by, team, role):
        raise InvitationRefused(field="team" if not may_invite(by, team, Role.ATHLETE) else "role")
    if athlete is not None:
        if role != Role.ATHLETE:
            raise ValidationError(
                {"athlete": gettext("Only an athlete invitation names an athlete.")}
            )
        records = invitable_athletes(by, team) if by is not None else team.athletes.all()
        if not records.filter(pk=athlete.pk, user__isnull=True).exists():
            raise ValidationError(
                {"athlete": gettext("Choose an athlete of this team who has no login yet.")}
            )
    invitation = Invitation(
        team=team, role=role, email=email or "", athlete=athlete, invited_by=by, created_at=now
    )
    secret = _new_secret(invitation, now)
    invitation.save()
    link = Link(invitation, f"{invitation.pk}.{secret}")
    _send(link)
    return link


@transaction.atomic
def resend_invitation(invitation: Invitation, *, now=None) -> Link:
    """A new link (new secret, new expiry) for an invitation not yet accepted or revoked: the
    old link stops working. The caller found `invitation` in `manageable_invitations`."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise InvitationUnusable(invitation.status(now))
    secret = _new_secret(invitation, now)
    invitation.save(update_fields=["token_hash", "expires_at"])
    link = Link(invitation, f"{invitation.pk}.{secret}")
    _send(link)
    return link


def revoke_invitation(invitation: Invitation, *, now=None) -> bool:
    """Revoke a pending (or expired) invitation; True if this call revoked it. An accepted
    invitation stays accepted (InvitationUnusable)."""
    now = now or timezone.now()
    changed = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=now
    )
    invitation.refresh_from_db()
    if not changed and invitation.accepted_at is not None:
        raise InvitationUnusable(Invitation.Status.ACCEPTED)
    return bool(changed)


def invitation_for_token(token: str, *, now=None) -> Invitation:
    """The pending invitation the link names; InvitationUnusable otherwise (`status` says why:
    unknown for a tampered or made-up link)."""
    now = now or timezone.now()
    pk, _, secret = str(token).partition(".")
    if not (pk.isdigit() and len(pk) < 19 and secret):
        raise InvitationUnusable("unknown")
    invitation = (
        Invitation.objects.select_related("team", "invited_by", "athlete").filter(pk=pk).first()
    )
    if invitation is None or not hmac.compare_digest(invitation.token_hash, _digest(secret)):
        raise InvitationUnusable("unknown")
    status = invitation.status(now)
    if status != Invitation.Status.PENDING:
        raise InvitationUnusable(status)
    return invitation


@transaction.atomic
def accept_invitation(
    invitation: Invitation,
    *,
    first_name: str,
    last_name: str,
    username: str,
    password: str,
    now=None,
):
    """Create the invitee's login from a pending invitation: the user, their membership, and
    for an athlete their athlete record (the one the invitation names, else a new one in the
    team). Returns the user. The form has validated the fields and the password."""
    now = now or timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at=None, revoked_at=None, expires_at__gt=now
    ).update(accepted_at=now)
    if not claimed:
        invitation.refresh_from_db()
        raise InvitationUnusable(invitation.status(now))
    email = invitation.email or (username if "@" in username else "")
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=username,
                password=password,
                email=email,
                first_name=first_name,
                last_name=last_name,
            )
    except IntegrityError:
        raise ValidationError(
            {"username": gettext("This login is taken: choose another.")}
        ) from None
    add_membership(user, invitation.team, invitation.role)
    if invitation.role == Role.ATHLETE:
        _link_athlete(invitation, user)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
    return user


def _link_athlete(invitation: Invitation, user) -> None:
    if invitation.athlete_id is None:
        Athlete.objects.create(
            team=invitation.team, user=user, first_name=user.first_name, last_name=user.last_name
        )
        return
    linked = Athlete.objects.filter(pk=invitation.athlete_id, user__isnull=True).update(user=user)
    if not linked:
        # Someone else's login took this record meanwhile: nothing of this acceptance stays.
        raise ValidationError(
            gettext("This athlete record already has a login: ask for a new link.")
        )


def home_for(role: str) -> str:
    return reverse(HOMES[role])
