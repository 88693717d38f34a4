"""Flags raised by the monitoring scan, their notifications, and the scheduled jobs' last runs."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q


class FlagKind(models.TextChoices):
    PAIN_PERSISTING = "pain_persisting", "Pain above threshold"
    METRIC_REGRESSION = "metric_regression", "Metric regression"
    MISSED_CHECKINS = "missed_checkins", "Missed check-ins"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


# The statuses of a flag a person still has to handle (it blocks a sign-off approval, the
# roster and the clinician's queue list it). The one definition: read it through
# `Flag.objects.unresolved()` or `Flag.is_unresolved` where you can.
UNRESOLVED_FLAG_STATUSES = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)


class FlagQuerySet(models.QuerySet):
    def unresolved(self):
        """Flags still open or acknowledged."""
        return self.filter(status__in=UNRESOLVED_FLAG_STATUSES)


class Flag(models.Model):
    """Something a person should look at. Lifecycle open → acknowledged → resolved; a flag
    whose condition clears stays until a person resolves it (condition_cleared_at says so)."""

    athlete = models.ForeignKey("athletes.Athlete", on_delete=models.CASCADE, related_name="flags")
    plan = models.ForeignKey(
        "rehab.Plan", on_delete=models.SET_NULL, null=True, blank=True, related_name="flags"
    )
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    status = models.CharField(max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    summary = models.CharField(max_length=200, blank=True)
    evidence = models.JSONField(default=dict)
    opened_at = models.DateTimeField()
    condition_cleared_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_note = models.TextField(blank=True)
    # A new pain flag in phase ≥ 2 proposes going back one phase; a person confirms it.
    proposed_regression_to = models.ForeignKey(
        "rehab.Phase", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Claimed by exactly one worker with a conditional update before notifying.
    notified_at = models.DateTimeField(null=True, blank=True)
    # A check-in or measurement this flag cites was voided as entered in error
    # (monitoring.corrections): the page says so and offers a one-click resolve.
    evidence_voided_at = models.DateTimeField(null=True, blank=True)
    evidence_voided_note = models.CharField(max_length=300, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["athlete", "kind"],
                condition=~Q(status=FlagStatus.RESOLVED),
                name="flag_one_unresolved_per_athlete_kind",
            ),
            models.CheckConstraint(condition=Q(kind__in=FlagKind.values), name="flag_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=FlagStatus.values), name="flag_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=FlagStatus.RESOLVED) | Q(resolved_at__isnull=False),
                name="flag_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status=FlagStatus.OPEN)
                | Q(acknowledged_at__isnull=False)
                | Q(status=FlagStatus.RESOLVED),
                name="flag_acknowledged_has_time",
            ),
        ]
        indexes = [
            # Roster and clinician queue: unresolved flags by athlete.
            models.Index(fields=["athlete", "status"], name="flag_athlete_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.athlete} ({self.get_status_display()})"

    @property
    def is_unresolved(self) -> bool:
        return self.status in UNRESOLVED_FLAG_STATUSES


class Notification(models.Model):
    """In-app notification; one per recipient and flag."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "flag"], name="notification_once_per_flag"
            ),
        ]

    def __str__(self):
        return f"To {self.recipient}: {self.message}"


class JobRun(models.Model):
    """When a scheduled job last started and completed (one row per job): /healthz reads it to
    tell whether Celery beat and a worker are really running."""

    name = models.CharField(max_length=60, unique=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    def __str__(self):
        return f"{self.name}: completed {self.completed_at or 'never'}"
