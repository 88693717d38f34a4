"""Training sessions, measurements and the CSV imports they may come from."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.plausibility import (
    EARLIEST_LOG_DATE,
    EARLIEST_LOG_TIME,
    validate_log_date,
    validate_log_time,
)

from .base import SCORE, Voidable, _zero_to_ten
from .metrics import MetricKind

MAX_SESSION_MINUTES = 600
MAX_SPRINT_DISTANCE_M = 10_000
MIN_TEMPERATURE_C, MAX_TEMPERATURE_C = -40, 55


class SessionType(models.TextChoices):
    TECHNIQUE = "technique", "Technique"
    ACCELERATION = "acceleration", "Acceleration"
    FLY_IN = "fly_in", "Fly-in"
    TEMPO = "tempo", "Tempo"
    RESISTED = "resisted", "Resisted sprint"
    PLYOMETRIC = "plyometric", "Plyometric"
    STRENGTH = "strength", "Strength"
    CROSS_TRAINING = "cross_training", "Cross-training"


class TrainingSession(Voidable):
    Type = SessionType

    class Surface(models.TextChoices):
        TRACK = "track", "Track"
        GRASS = "grass", "Grass"
        INDOOR = "indoor", "Indoor"
        TREADMILL = "treadmill", "Treadmill"
        GYM = "gym", "Gym"
        POOL = "pool", "Pool"
        OTHER = "other", "Other"

    athlete = models.ForeignKey(
        "athletes.Athlete", on_delete=models.CASCADE, related_name="training_sessions"
    )
    plan = models.ForeignKey(
        "rehab.Plan", on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    date = models.DateField(validators=[validate_log_date])
    type = models.CharField(max_length=16, choices=SessionType.choices)
    duration_min = models.PositiveSmallIntegerField(
        "duration (min)",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSION_MINUTES)],
    )
    rpe = models.PositiveSmallIntegerField("RPE", validators=SCORE, help_text="Session RPE 0–10")
    load = models.GeneratedField(
        expression=F("rpe") * F("duration_min"),
        output_field=models.IntegerField(),
        db_persist=True,
        help_text="RPE × minutes",
    )
    top_intensity_pct = models.PositiveSmallIntegerField(
        "top intensity (% of max)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="Top speed as % of the athlete's maximum velocity.",
    )
    sprint_distance_m = models.PositiveIntegerField(
        "sprint distance (m)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_SPRINT_DISTANCE_M)],
        help_text="Total distance sprinted in the session.",
    )
    surface = models.CharField(max_length=10, choices=Surface.choices, blank=True)
    footwear = models.CharField(max_length=60, blank=True)
    weather = models.CharField(max_length=60, blank=True)
    temperature_c = models.SmallIntegerField(
        "temperature (°C)",
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_TEMPERATURE_C), MaxValueValidator(MAX_TEMPERATURE_C)],
    )
    pain_during = models.PositiveSmallIntegerField(
        "pain during (0–10)", validators=SCORE, null=True, blank=True
    )
    pain_after = models.PositiveSmallIntegerField(
        "pain after (0–10)", validators=SCORE, null=True, blank=True
    )
    notes = models.TextField(blank=True)
    client_key = models.UUIDField(null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            _zero_to_ten("rpe", "session_rpe_0_10"),
            _zero_to_ten("pain_during", "session_pain_during_0_10", nullable=True),
            _zero_to_ten("pain_after", "session_pain_after_0_10", nullable=True),
            models.CheckConstraint(
                condition=Q(duration_min__gte=1, duration_min__lte=600),
                name="session_duration_1_600",
            ),
            models.CheckConstraint(
                condition=Q(sprint_distance_m__isnull=True)
                | Q(sprint_distance_m__lte=MAX_SPRINT_DISTANCE_M),
                name="session_sprint_distance_plausible",
            ),
            models.CheckConstraint(
                condition=Q(date__gte=EARLIEST_LOG_DATE), name="session_date_since_2000"
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="session_void_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(top_intensity_pct__isnull=True) | Q(top_intensity_pct__lte=100),
                name="session_intensity_0_100",
            ),
            models.CheckConstraint(
                condition=Q(temperature_c__isnull=True)
                | Q(temperature_c__gte=-40, temperature_c__lte=55),
                name="session_temperature_plausible",
            ),
            models.CheckConstraint(
                condition=Q(type__in=SessionType.values), name="session_type_valid"
            ),
            models.UniqueConstraint(
                fields=["athlete", "client_key"], name="session_client_key_unique"
            ),
        ]
        indexes = [
            # Gate engine: the athlete's last N sessions.
            models.Index(fields=["athlete", "date"], name="session_athlete_date_idx"),
        ]

    def __str__(self):
        return f"{self.athlete} {self.date}: {self.get_type_display()} {self.duration_min} min"


class ImportBatch(models.Model):
    """One confirmed CSV import. Its key is handed out with the preview, so a second confirm
    of the same preview (back button, a double click) finds the batch and stores nothing."""

    key = models.UUIDField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, help_text="Of the file's bytes.")
    rows = models.PositiveIntegerField(default=0, help_text="Measurements stored.")
    skipped = models.PositiveIntegerField(default=0, help_text="Duplicate rows left out.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["imported_by", "key"], name="import_key_once"),
        ]

    def __str__(self):
        return f"{self.file_name or 'CSV import'} ({self.rows} rows, {self.created_at:%Y-%m-%d})"


class Measurement(Voidable):
    class MeasuredSide(models.TextChoices):
        NONE = "", "Both / not sided"
        LEFT = "left", "Left"
        RIGHT = "right", "Right"

    class Source(models.TextChoices):
        MANUAL = "manual", "Typed in"
        CSV = "csv", "CSV import"
        API = "api", "API"

    athlete = models.ForeignKey(
        "athletes.Athlete", on_delete=models.CASCADE, related_name="measurements"
    )
    metric = models.ForeignKey(MetricKind, on_delete=models.PROTECT, related_name="measurements")
    value = models.FloatField()
    side = models.CharField(max_length=5, choices=MeasuredSide.choices, blank=True, default="")
    measured_at = models.DateTimeField(validators=[validate_log_time])
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    notes = models.CharField(max_length=200, blank=True)
    client_key = models.UUIDField(null=True, blank=True)
    import_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
        editable=False,
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-measured_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(side__in=["", "left", "right"]), name="measurement_side_valid"
            ),
            models.CheckConstraint(
                condition=Q(measured_at__gte=EARLIEST_LOG_TIME),
                name="measurement_taken_since_2000",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="measurement_void_has_reason",
            ),
            models.UniqueConstraint(
                fields=["athlete", "client_key"], name="measurement_client_key_unique"
            ),
        ]
        indexes = [
            # Regression rule and gates: an athlete's recent values of one metric.
            models.Index(
                fields=["athlete", "metric", "measured_at"], name="measurement_athlete_metric_idx"
            ),
        ]

    def __str__(self):
        return f"{self.athlete} {self.metric.code} {self.side or ''} = {self.value}"

    def clean(self):
        if self.metric_id is not None and self.value is not None:
            errors = self.metric.value_errors(self.value, self.side)
            if errors:
                raise ValidationError(errors)
