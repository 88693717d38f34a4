"""Privacy requests about one athlete: export everything, or erase it.

Export walks every model of our apps that reaches Athlete through foreign keys (so a table
added later is exported without touching this file), plus the athlete's user account and
the Idempotency-Key replies stored for that account.

Erase deletes what the athlete reported and what was measured on them, blanks free text,
and anonymises the athlete and their login, but keeps the clinical decision trail: plans,
phase changes, sign-off requests and decisions stay (their rows are never updated or
deleted here), attached to "Erased athlete #<id>".

Both are recorded: a log line and an AuditEvent (rehab's append-only audit trail).
"""

import logging
from collections import deque

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.db import transaction
from django.utils import timezone

from athletes.access import revoke_athlete_role, role_for_athlete
from athletes.models import Athlete, Baseline, DominantLeg, ExternalId, Injury, Invitation
from core.models import IdempotencyRecord
from monitoring.models import (
    CheckIn,
    CheckinReminder,
    Flag,
    Measurement,
    Notification,
    PushSubscription,
    RecoveryActivity,
    SprintTrial,
    TrainingSession,
)

log = logging.getLogger("sprintback.privacy")

PRIVACY_APPS = ("core", "athletes", "rehab", "monitoring")
USER_FIELDS = ("username", "first_name", "last_name", "email", "last_login", "date_joined")


def _path_to_athlete(model) -> str | None:
    """The shortest chain of forward foreign keys from `model` to Athlete, as a lookup."""
    queue = deque([(model, "")])
    seen = {model}
    while queue:
        current, prefix = queue.popleft()
        for field in current._meta.get_fields():
            if not (field.is_relation and (field.many_to_one or field.one_to_one)):
                continue
            if not field.concrete or field.related_model is None:
                continue
            lookup = f"{prefix}{field.name}"
            if field.related_model is Athlete:
                return lookup
            if field.related_model not in seen and lookup.count("__") < 3:
                seen.add(field.related_model)
                queue.append((field.related_model, f"{lookup}__"))
    return None


def athlete_tables() -> dict[str, str]:
    """model label → lookup to the athlete, for every model of our apps that reaches one."""
    tables = {}
    for app_label in PRIVACY_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model is Athlete:
                continue
            path = _path_to_athlete(model)
            if path:
                tables[model._meta.label] = path
    return tables


# Columns no export shows: the digest of an invitation link's secret is of no use to the
# athlete and is the one thing about the link the server keeps.
SECRET_FIELDS = {Invitation._meta.label: {"token_hash"}}


def _rows(queryset) -> list[dict]:
    hidden = SECRET_FIELDS.get(queryset.model._meta.label, set())
    return [
        {"id": row["pk"], **{k: v for k, v in row["fields"].items() if k not in hidden}}
        for row in serializers.serialize("python", queryset.order_by("pk"))
    ]


def export_athlete(athlete: Athlete, *, by, now=None) -> dict:
    """Every row about this athlete, table by table (JSON-ready); records who asked."""
    now = now or timezone.now()
    data = {
        "exported_at": now.isoformat(),
        "athlete_id": athlete.pk,
        "tables": {Athlete._meta.label: _rows(Athlete.objects.filter(pk=athlete.pk))},
    }
    for label, path in sorted(athlete_tables().items()):
        model = apps.get_model(label)
        # Every row, voided entries included (the base manager filters nothing).
        data["tables"][label] = _rows(model._base_manager.filter(**{path: athlete}).distinct())
    if athlete.user_id:
        user = get_user_model().objects.filter(pk=athlete.user_id)
        data["tables"]["auth.User"] = list(user.values("id", *USER_FIELDS))
        data["tables"][IdempotencyRecord._meta.label] = _rows(
            IdempotencyRecord.objects.filter(user_id=athlete.user_id)
        )
        # The phones their reminders are pushed to (a push endpoint identifies a browser).
        data["tables"][PushSubscription._meta.label] = _rows(
            PushSubscription.objects.filter(user_id=athlete.user_id)
        )
    record_privacy_action(athlete, by=by, action="export")
    return data


def erase_athlete(athlete: Athlete, *, by) -> dict:
    """Delete the athlete's own data and anonymise them; keep plans and sign-offs.

    Returns how many rows of each kind were deleted. Safe to run twice."""
    with transaction.atomic():
        athlete = Athlete.objects.select_for_update().get(pk=athlete.pk)
        counts = {}
        # Children before parents (measurements may point at sessions; notifications at flags).
        for model in (
            Notification,
            Flag,
            Measurement,
            SprintTrial,  # after its derived measurements, before the session it may cite
            TrainingSession,
            RecoveryActivity,
            CheckIn,
            Baseline,
            ExternalId,  # the athlete's ids in device systems
            Invitation,  # an athlete invitation holds the athlete's e-mail
            CheckinReminder,
        ):
            lookup = "flag__athlete" if model is Notification else "athlete"
            # Voided entries too: the base manager filters nothing.
            rows = model._base_manager.filter(**{lookup: athlete})
            counts[model._meta.label], _ = rows.delete()
        counts["athletes.Injury notes"] = (
            Injury.objects.filter(athlete=athlete).exclude(notes="").update(notes="")
        )
        counts["athletes.AuditEvent corrections"] = _purge_correction_events(athlete)
        user_id = athlete.user_id
        athlete.first_name = "Erased athlete"
        athlete.last_name = f"#{athlete.pk}"
        athlete.date_of_birth = None
        athlete.sex = Athlete.Sex.OTHER
        athlete.events = ""
        athlete.dominant_leg = DominantLeg.UNKNOWN
        athlete.user = None
        athlete.save()
        if user_id:
            _anonymise_user(user_id)
        record_privacy_action(athlete, by=by, action="erase", counts=counts)
    return counts


def _purge_correction_events(athlete: Athlete) -> int:
    """The audit events of corrections and voids hold the values (and notes) of entries that
    erasure just deleted: they go with them. The decision trail (phase changes, sign-offs,
    flag actions) stays."""
    from athletes.models import CORRECTION_ACTIONS, AuditEvent

    return AuditEvent.objects.filter(athlete=athlete, action__in=CORRECTION_ACTIONS).purge()


def _anonymise_user(user_id: int) -> None:
    user = get_user_model().objects.get(pk=user_id)
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    # Ends every session (the auth hash changes) and, with is_active, every API token
    # (athletes.tokens: the save deletes them).
    user.set_unusable_password()
    user.save()
    IdempotencyRecord.objects.filter(user_id=user_id).delete()
    PushSubscription.objects.filter(user_id=user_id).delete()
    revoke_athlete_role(user_id)


def record_privacy_action(athlete: Athlete, *, by, action: str, counts=None) -> None:
    """A log line and an append-only AuditEvent naming who exported or erased the athlete.
    Call inside the transaction of the change (erase), so the event exists iff it happened."""
    from athletes.audit import record_event
    from athletes.models import AuditAction

    role = role_for_athlete(by, athlete) or ("staff admin" if by.is_staff else "")
    log.info(
        "privacy %s of athlete %s by user %s",
        action,
        athlete.pk,
        by.pk,
        extra={"privacy_action": action, "athlete_id": athlete.pk, "by_user_id": by.pk},
    )
    record_event(
        actor=by,
        role=role,
        athlete=athlete,
        action=AuditAction.PRIVACY_ERASE if action == "erase" else AuditAction.PRIVACY_EXPORT,
        target=athlete,
        after={"deleted": counts} if counts else {},
    )
