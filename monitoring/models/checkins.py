"""The athlete's daily check-in and recovery work."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest

from core.plausibility import (
    EARLIEST_LOG_TIME,
    validate_log_time,
)

from .. import rules
from .base import SCORE, Voidable, _zero_to_ten


def worst_pain_expression() -> Greatest:
    """A check-in's worst pain in SQL (annotations, window filters): the reading of
    `rules.worst_pain` that `CheckIn.worst_pain` gives in Python. The three scores are never
    NULL, so GREATEST (PostgreSQL) and MAX (SQLite) agree."""
    return Greatest("pain_rest", "pain_activity", "pain_morning")


class CheckIn(Voidable):
    """An athlete's daily report. One per athlete and local day (among the rows in force: a
    voided one no longer holds its day): a second report the same day edits the first
    (PRODUCT.md §2.4), and a retried submission carries the same key."""

    athlete = models.ForeignKey(
        "athletes.Athlete", on_delete=models.CASCADE, related_name="checkins"
    )
    taken_at = models.DateTimeField(validators=[validate_log_time])
    local_date = models.DateField(help_text="The athlete's calendar day of taken_at.")
    pain_rest = models.PositiveSmallIntegerField(validators=SCORE)
    pain_activity = models.PositiveSmallIntegerField(validators=SCORE)
    pain_morning = models.PositiveSmallIntegerField(validators=SCORE)
    pain_location = models.CharField(max_length=120, blank=True)
    soreness_injured = models.PositiveSmallIntegerField(
        validators=SCORE,
        null=True,
        blank=True,
        help_text="Soreness/tightness of the injured region, 0–10.",
    )
    soreness_other = models.PositiveSmallIntegerField(
        validators=SCORE, null=True, blank=True, help_text="Same region on the other side, 0–10."
    )
    sleep_hours = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    sleep_quality = models.PositiveSmallIntegerField(
        validators=SCORE, null=True, blank=True, help_text="0–10"
    )
    confidence = models.PositiveSmallIntegerField(
        validators=SCORE, null=True, blank=True, help_text="0–10"
    )
    readiness = models.PositiveSmallIntegerField(
        validators=SCORE, null=True, blank=True, help_text="0–10"
    )
    note = models.TextField(blank=True, max_length=1000)
    client_key = models.UUIDField(
        null=True, blank=True, help_text="Set by the phone; retries reuse it."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-taken_at"]
        constraints = [
            _zero_to_ten("pain_rest", "checkin_pain_rest_0_10"),
            _zero_to_ten("pain_activity", "checkin_pain_activity_0_10"),
            _zero_to_ten("pain_morning", "checkin_pain_morning_0_10"),
            _zero_to_ten("soreness_injured", "checkin_soreness_injured_0_10", nullable=True),
            _zero_to_ten("soreness_other", "checkin_soreness_other_0_10", nullable=True),
            _zero_to_ten("sleep_quality", "checkin_sleep_quality_0_10", nullable=True),
            _zero_to_ten("confidence", "checkin_confidence_0_10", nullable=True),
            _zero_to_ten("readiness", "checkin_readiness_0_10", nullable=True),
            models.CheckConstraint(
                condition=Q(sleep_hours__isnull=True) | Q(sleep_hours__gte=0, sleep_hours__lte=24),
                name="checkin_sleep_hours_0_24",
            ),
            models.UniqueConstraint(
                fields=["athlete", "local_date"],
                condition=Q(voided_at__isnull=True),
                name="checkin_one_per_day",
            ),
            models.UniqueConstraint(
                fields=["athlete", "client_key"], name="checkin_client_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(taken_at__gte=EARLIEST_LOG_TIME), name="checkin_taken_since_2000"
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="checkin_void_has_reason",
            ),
        ]
        indexes = [
            # Pain rule and history: an athlete's reports in time order.
            models.Index(fields=["athlete", "taken_at"], name="checkin_athlete_time_idx"),
        ]

    def __str__(self):
        return f"{self.athlete} {self.local_date}: {self.pain_rest}/{self.pain_activity}/{self.pain_morning}"

    @property
    def worst_pain(self) -> int:
        return rules.worst_pain(self.pain_rest, self.pain_activity, self.pain_morning)


class RecoveryKind(models.TextChoices):
    FOAM_ROLLING = "foam_rolling", "Foam rolling"
    MASSAGE = "massage", "Massage"
    COLD = "cold", "Ice or cold water"
    HEAT = "heat", "Heat"
    MOBILITY = "mobility", "Mobility"
    ELEVATION = "elevation", "Elevation"
    SLEEP = "sleep", "Extra sleep / nap"
    CROSS_TRAINING = "cross_training", "Easy cross-training"
    NUTRITION = "nutrition", "Nutrition"
    REST_DAY = "rest_day", "Rest day"


class RecoveryActivity(models.Model):
    Kind = RecoveryKind

    athlete = models.ForeignKey(
        "athletes.Athlete", on_delete=models.CASCADE, related_name="recovery_activities"
    )
    kind = models.CharField(max_length=16, choices=RecoveryKind.choices)
    minutes = models.PositiveSmallIntegerField()
    performed_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    client_key = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-performed_on", "-created_at"]
        verbose_name_plural = "recovery activities"
        constraints = [
            models.CheckConstraint(condition=Q(minutes__lte=1440), name="recovery_minutes_max_day"),
            models.CheckConstraint(
                condition=Q(kind__in=RecoveryKind.values), name="recovery_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["athlete", "client_key"], name="recovery_client_key_unique"
            ),
        ]

    def __str__(self):
        return f"{self.athlete} {self.performed_on}: {self.get_kind_display()} {self.minutes} min"


# Plausible ranges of a session's numbers (the check constraints below say the same).
