"""Writes with rules on athlete records: add, edit, archive and restore an athlete; record and
edit an injury. The pages (rehab.record_views) and the API (athletes.api) both call these.

Every write validates the whole row first (`full_clean`: the model's validators — no date in
the future — and its constraints), so a refusal is a ValidationError keyed by field and
nothing is stored. Who may write is `athletes.access`' rule (`require_athlete_manager`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import (
    athlete_manager_teams,
    require_archiver,
    require_athlete_manager,
    require_injury_role,
)
from .audit import record_event
from .evaluation import request_evaluation
from .models import CALF_MUSCLES, HAMSTRING_MUSCLES, Athlete, AuditAction, ExternalId, Injury

ATHLETE_FIELDS = ("first_name", "last_name", "date_of_birth", "sex", "events", "dominant_leg")
INJURY_FIELDS = (
    "muscle_group",
    "muscle",
    "side",
    "grade",
    "bamic_class",
    "occurred_on",
    "mechanism",
    "is_recurrence",
    "notes",
    "closed_on",
)
NOT_YOUR_TEAM = gettext_lazy("Choose a team you coach.")


def _check_team(user, team) -> None:
    if team is None or not athlete_manager_teams(user).filter(pk=team.pk).exists():
        raise ValidationError({"team": NOT_YOUR_TEAM})


def _save(row, exclude=()):
    row.full_clean(exclude=list(exclude))
    row.save()
    return row


def create_athlete(*, by, team, values: dict) -> Athlete:
    """A new athlete in `team`, which must be one the user manages (else a `team` error)."""
    _check_team(by, team)
    athlete = Athlete(team=team, **{k: v for k, v in values.items() if k in ATHLETE_FIELDS})
    return _save(athlete, exclude=["user", "archived_by"])


def update_athlete(athlete: Athlete, *, by, values: dict) -> Athlete:
    """Change the athlete's record; a new `team` must be one the user manages too."""
    require_athlete_manager(by, athlete)
    if "team" in values and values["team"] is not None and values["team"].pk != athlete.team_id:
        _check_team(by, values["team"])
        athlete.team = values["team"]
    for name in ATHLETE_FIELDS:
        if name in values:
            setattr(athlete, name, values[name])
    ids = ExternalId.objects.filter(athlete=athlete).exclude(team_id=athlete.team_id)
    clash = ExternalId.objects.filter(
        team_id=athlete.team_id,
        system__in=ids.values("system"),
        external_id__in=ids.values("external_id"),
    ).exclude(athlete=athlete)
    if ids.exists() and clash.exists():
        raise ValidationError(
            {"team": _("An athlete of that team has the same device id: change one of them first.")}
        )
    with transaction.atomic():
        _save(athlete, exclude=["user", "archived_by"])
        ids.update(team_id=athlete.team_id)  # a device id stays the athlete's in the new team
    return athlete


MAX_EXTERNAL_IDS = 20


def set_external_id(athlete: Athlete, *, by, system: str, external_id: str) -> ExternalId | None:
    """The athlete's id in a device system (what a CSV export names them by); an empty id
    removes it. Within a team an id of a system names one athlete (`external_id` error)."""
    require_athlete_manager(by, athlete)
    system = " ".join((system or "").split())
    external_id = (external_id or "").strip()
    if not system or len(system) > 60:
        raise ValidationError({"system": _("Name the device system (60 characters at most).")})
    existing = ExternalId.objects.filter(athlete=athlete, system__iexact=system).first()
    if not external_id:
        if existing is not None:
            existing.delete()
        return None
    if len(external_id) > 80:
        raise ValidationError({"external_id": _("An id has 80 characters at most.")})
    taken = ExternalId.objects.filter(
        team_id=athlete.team_id, system__iexact=system, external_id=external_id
    ).exclude(athlete=athlete)
    if taken.exists():
        raise ValidationError(
            {
                "external_id": _("Another athlete of the team has this %(system)s id.")
                % {"system": system}
            }
        )
    if existing is None and athlete.external_ids.count() >= MAX_EXTERNAL_IDS:
        raise ValidationError({"system": _("An athlete has at most 20 device ids.")})
    row = existing or ExternalId(athlete=athlete, team_id=athlete.team_id, system=system)
    row.external_id = external_id
    row.system = system
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same id, given to another athlete a moment ago
        raise ValidationError(
            {
                "external_id": _("Another athlete of the team has this %(system)s id.")
                % {"system": system}
            }
        ) from None
    return row


def set_archived(
    athlete: Athlete, archived: bool, *, by, now: dt.datetime | None = None
) -> Athlete:
    """Archive an athlete who left (out of the roster and every list, every row kept), or
    restore one. Refused while the athlete is in an active plan (its monitoring would go on
    flagging someone nobody sees). Doing what is already done changes nothing. Audited."""
    now = now or timezone.now()
    role = require_archiver(by, athlete)
    if archived == athlete.is_archived:
        return athlete
    # Through the reverse relation (rehab's plans), not an import: this layer sits below rehab.
    if archived and athlete.plans.active().exists():
        raise ValidationError(
            {
                "archived": _(
                    "This athlete is in an active plan: complete it or close the "
                    "injury first, so that monitoring stops."
                )
            }
        )
    with transaction.atomic():
        before = {"archived_at": athlete.archived_at.isoformat() if athlete.archived_at else None}
        athlete.archived_at, athlete.archived_by = (now, by) if archived else (None, None)
        athlete.save(update_fields=["archived_at", "archived_by"])
        record_event(
            actor=by,
            role=role,
            athlete=athlete,
            action=AuditAction.ATHLETE_ARCHIVE if archived else AuditAction.ATHLETE_RESTORE,
            target=athlete,
            before=before,
            after={"archived_at": now.isoformat() if archived else None},
            at=now,
        )
    return athlete


def _check_injury(injury: Injury) -> None:
    errors = {}
    allowed = {"hamstring": HAMSTRING_MUSCLES, "calf": CALF_MUSCLES}.get(injury.muscle_group, ())
    if injury.muscle and injury.muscle not in allowed:
        errors["muscle"] = {
            "hamstring": _("Not a muscle of the hamstring group."),
            "calf": _("Not a muscle of the calf group."),
        }.get(injury.muscle_group) or _("Not a muscle of the chosen group.")
    if injury.grade == 0 and injury.bamic_class:
        errors["bamic_class"] = _("Grade 0 has no a/b/c class.")
    if injury.closed_on and injury.occurred_on and injury.closed_on < injury.occurred_on:
        errors["closed_on"] = _("An injury closes on or after the day it occurred.")
    if errors:
        raise ValidationError(errors)


def record_injury(athlete: Athlete, *, by, values: dict) -> Injury:
    """A new injury of the athlete (one athlete has several over time)."""
    if athlete.is_archived:
        raise ValidationError(_("Restore this athlete before recording an injury."))
    require_injury_role(by, athlete)
    injury = Injury(athlete=athlete, **{k: v for k, v in values.items() if k in INJURY_FIELDS})
    _check_injury(injury)
    return _save(injury)


def update_injury(injury: Injury, *, by, values: dict) -> Injury:
    """Correct an injury's record, with the same rules as recording it."""
    require_injury_role(by, injury.athlete)
    for name in INJURY_FIELDS:
        if name in values:
            setattr(injury, name, values[name])
    _check_injury(injury)
    with transaction.atomic():
        _save(injury)
        # The injured side decides which values the gates compare (rehab.gates).
        request_evaluation([injury.athlete_id])
    return injury
