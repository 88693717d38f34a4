"""The audit trail: one AuditEvent per audited action, written inside the action's transaction."""

from __future__ import annotations

from django.utils import timezone

from athletes.models import AuditEvent


def record_event(
    *, actor, role, athlete, action, target, before=None, after=None, at=None
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it records, so the
    event exists if and only if the change does."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        role=role or "",
        athlete=athlete,
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        before=before or {},
        after=after or {},
        at=at or timezone.now(),
    )
