"""Check-ins, recovery work, training sessions, measurements, the metric registry, flags.

Over 400 lines on purpose: it is declarations (fields, their plausible ranges, constraints
and the query each index serves), read top to bottom like a schema; the logic is in
services.py, corrections.py, rules.py and flags.py. Split into a package it repeated the
same imports and field shapes across five files (the duplicate scan counted 16 pairs
instead of 4)."""

import datetime as dt
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _

from core.numbers import localized_number
from core.plausibility import (
    EARLIEST_LOG_DATE,
    EARLIEST_LOG_TIME,
    validate_log_date,
    validate_log_time,
)

from . import rules

SCORE = [MinValueValidator(0), MaxValueValidator(10)]


def _zero_to_ten(field: str, name: str, nullable: bool = False) -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": 0, f"{field}__lte": 10})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


def _one_per_client_key(name: str) -> models.UniqueConstraint:
    """A retried request (the same athlete and client key) cannot store a second row: the
    service finds the first one (services.replayed)."""
    return models.UniqueConstraint(fields=["athlete", "client_key"], name=name)


class ValueType(models.TextChoices):
    NUMBER = "number", _("Number")
    PASS_FAIL = "pass_fail", _("Pass (1) or fail (0)")


class VoidableQuerySet(models.QuerySet):
    def voided(self):
        return self.filter(voided_at__isnull=False)


class LiveManager(models.Manager.from_queryset(VoidableQuerySet)):
    """Rows in force: voided rows are left out of every query made through `objects` (and the
    related managers, e.g. athlete.checkins), so gates, charts, rules, lists and exports never
    see them. `all_objects` includes them (the athlete page shows them as voided; privacy
    exports keep everything)."""

    def get_queryset(self):
        return super().get_queryset().filter(voided_at__isnull=True)


class Voidable(models.Model):
    """An entry that can be voided (entered in error), never silently deleted: who, when and
    why stay on the row, and the audit trail keeps its values (PRODUCT.md §2.9)."""

    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    void_reason = models.TextField(blank=True, max_length=1000, editable=False)

    objects = LiveManager()
    all_objects = models.Manager.from_queryset(VoidableQuerySet)()

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


def _void_has_reason(name: str) -> models.CheckConstraint:
    """A voided row says why."""
    return models.CheckConstraint(
        condition=Q(voided_at__isnull=True) | ~Q(void_reason=""), name=name
    )


class MetricKind(models.Model):
    """The registry of objective measurements (PRODUCT.md §2.5)."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Category(models.TextChoices):
        SPRINT = "sprint", _("Sprint")
        STRENGTH = "strength", _("Strength")
        HOP = "hop", _("Hop and jump")
        MOBILITY = "mobility", _("Mobility")
        CLINICAL = "clinical", _("Clinical test")

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    unit = models.CharField(max_length=16)
    direction = models.CharField(max_length=6, choices=Direction.choices)
    category = models.CharField(max_length=10, choices=Category.choices)
    bilateral = models.BooleanField(
        default=False, help_text="Measured per side, so a limb symmetry index can be computed."
    )
    swc_pct = models.FloatField(
        help_text="Smallest worthwhile change in % when an athlete has too few points for 0.2 × SD."
    )
    description = models.CharField(max_length=240, blank=True)
    # Plausibility (PRODUCT.md §2.9): a value outside [min_value, max_value] is a typing or
    # device error and is refused at the field, wherever it comes from (form, API, CSV).
    value_type = models.CharField(
        max_length=10, choices=ValueType.choices, default=ValueType.NUMBER
    )
    min_value = models.FloatField(help_text="Lowest plausible value, in the metric's unit.")
    max_value = models.FloatField(help_text="Highest plausible value, in the metric's unit.")
    decimals = models.PositiveSmallIntegerField(
        default=2, help_text="Decimals shown on pages and in reports."
    )

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(swc_pct__gt=0), name="metric_swc_positive"),
            models.CheckConstraint(
                condition=Q(direction__in=["higher", "lower"]), name="metric_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_value__lt=F("max_value")), name="metric_range_ordered"
            ),
            models.CheckConstraint(condition=Q(decimals__lte=4), name="metric_decimals_0_4"),
            models.CheckConstraint(
                condition=Q(value_type__in=ValueType.values), name="metric_value_type_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.unit})"

    @property
    def is_pass_fail(self) -> bool:
        return self.value_type == ValueType.PASS_FAIL

    def format_value(self, value) -> str:
        """The value as people read it: the metric's precision, pass/fail in words."""
        if value is None:
            return "–"
        if self.is_pass_fail:
            return str(_("pass")) if value == 1 else str(_("fail"))
        return localized_number(value, self.decimals)

    def value_errors(self, value, side: str = "") -> dict[str, str]:
        """Field-keyed messages for a value (and side) this metric cannot have; {} when fine.
        The one definition of a plausible measurement: services, forms, serializers, the CSV
        import and baselines all call it."""
        errors = {}
        if value is None or isinstance(value, bool) or not math.isfinite(value):
            errors["value"] = "Enter a number."
        elif self.is_pass_fail:
            if value not in (0, 1):
                errors["value"] = f"{self.name} is pass (1) or fail (0)."
        elif not self.min_value <= value <= self.max_value:
            low, high = self.format_value(self.min_value), self.format_value(self.max_value)
            errors["value"] = (
                f"{self.name} must be between {low} and {high} {self.unit}: "
                f"{self.format_value(value)} is not a plausible value."
            )
        if self.bilateral and side not in ("left", "right"):
            errors["side"] = f"{self.name} is measured per leg: choose left or right."
        elif not self.bilateral and side:
            errors["side"] = f"{self.name} is not measured per leg: leave the side empty."
        return errors

    def validate_value(self, value, side: str = "") -> None:
        """Raise the ValidationError of `value_errors` (a model's clean(): a measurement, a
        baseline); nothing when the value is plausible or not given yet."""
        if value is not None and (errors := self.value_errors(value, side)):
            raise ValidationError(errors)

    def is_worse(self, value: float, reference: float) -> bool:
        return value < reference if self.direction == self.Direction.HIGHER else value > reference


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
            _one_per_client_key("checkin_client_key_unique"),
            models.CheckConstraint(
                condition=Q(taken_at__gte=EARLIEST_LOG_TIME), name="checkin_taken_since_2000"
            ),
            _void_has_reason("checkin_void_has_reason"),
        ]
        indexes = [
            # Pain rule and history: an athlete's reports in time order.
            models.Index(fields=["athlete", "taken_at"], name="checkin_athlete_time_idx"),
            # The squad's check-in rates (rehab.compliance.checkin_rates): the check-ins in force
            # of the last 14 days, every athlete at once. Without it the roster read the whole
            # table (60,000 rows: 14 ms of a render; bench/README.md, roster, 2026-12-03).
            models.Index(
                fields=["local_date", "athlete"],
                name="checkin_day_athlete_idx",
                condition=Q(voided_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.athlete} {self.local_date}: {self.pain_rest}/{self.pain_activity}/{self.pain_morning}"

    @property
    def worst_pain(self) -> int:
        return rules.worst_pain(self.pain_rest, self.pain_activity, self.pain_morning)


class RecoveryKind(models.TextChoices):
    FOAM_ROLLING = "foam_rolling", _("Foam rolling")
    MASSAGE = "massage", _("Massage")
    COLD = "cold", _("Ice or cold water")
    HEAT = "heat", _("Heat")
    MOBILITY = "mobility", _("Mobility")
    ELEVATION = "elevation", _("Elevation")
    SLEEP = "sleep", _("Extra sleep / nap")
    CROSS_TRAINING = "cross_training", _("Easy cross-training")
    NUTRITION = "nutrition", _("Nutrition")
    REST_DAY = "rest_day", _("Rest day")


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
            _one_per_client_key("recovery_client_key_unique"),
        ]

    def __str__(self):
        return f"{self.athlete} {self.performed_on}: {self.get_kind_display()} {self.minutes} min"


# Plausible ranges of a session's numbers (the check constraints below say the same).
MAX_SESSION_MINUTES = 600
MAX_SPRINT_DISTANCE_M = 10_000
MIN_TEMPERATURE_C, MAX_TEMPERATURE_C = -40, 55


class SessionType(models.TextChoices):
    TECHNIQUE = "technique", _("Technique")
    ACCELERATION = "acceleration", _("Acceleration")
    FLY_IN = "fly_in", _("Fly-in")
    TEMPO = "tempo", _("Tempo")
    RESISTED = "resisted", _("Resisted sprint")
    PLYOMETRIC = "plyometric", _("Plyometric")
    STRENGTH = "strength", _("Strength")
    CROSS_TRAINING = "cross_training", _("Cross-training")


class TrainingSession(Voidable):
    Type = SessionType

    class Surface(models.TextChoices):
        TRACK = "track", _("Track")
        GRASS = "grass", _("Grass")
        INDOOR = "indoor", _("Indoor")
        TREADMILL = "treadmill", _("Treadmill")
        GYM = "gym", _("Gym")
        POOL = "pool", _("Pool")
        OTHER = "other", _("Other")

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
            _void_has_reason("session_void_has_reason"),
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
            _one_per_client_key("session_client_key_unique"),
        ]
        indexes = [
            # Gate engine: the athlete's last N sessions.
            models.Index(fields=["athlete", "date"], name="session_athlete_date_idx"),
        ]

    def __str__(self):
        return f"{self.athlete} {self.date}: {self.get_type_display()} {self.duration_min} min"


# A sprint trial's bounds (PRODUCT issue 18): wide enough for any timing-gate layout, from a
# rehab run-through to a 400 m; anything beyond is a device or typing error.
MAX_SPRINT_SPLITS = 20
MAX_SPLIT_DISTANCE_M = 400
MAX_SPLIT_TIME_S = 60
MAX_RUN_IN_M = 100
MIN_BODY_MASS_KG, MAX_BODY_MASS_KG = 30, 200


class SprintStart(models.TextChoices):
    STANDING = "standing", _("Standing")
    CROUCH = "crouch", _("Crouch")
    FLYING = "flying", _("Flying (with a run-in)")


class SprintQuality(models.TextChoices):
    """The fit's verdict (monitoring.sprint_profile.fit_profile)."""

    GOOD = "good", _("Good fit")
    TOO_FEW_SPLITS = "too_few_splits", _("Too few splits")
    POOR_FIT = "poor_fit", _("Poor fit")
    FLYING = "flying", _("Flying start: top speed only")


class SprintTrial(Voidable):
    """One timed sprint: the splits (distance from the start line in m → time in s) as
    entered, and the sprint profile fitted to them (PRODUCT issue 18). Written only by
    monitoring.sprints.record_sprint_trial, which stores the fitted values that are usable as
    derived measurements (Measurement.sprint_trial, source "derived") in the same
    transaction, so gates, charts, rules and baselines read them like any other metric."""

    Start = SprintStart
    Quality = SprintQuality

    athlete = models.ForeignKey(
        "athletes.Athlete", on_delete=models.CASCADE, related_name="sprint_trials"
    )
    measured_at = models.DateTimeField(validators=[validate_log_time])
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sprint_trials",
    )
    start = models.CharField(max_length=8, choices=SprintStart.choices)
    run_in_m = models.FloatField(
        "run-in (m)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_RUN_IN_M)],
        help_text="Flying starts only: the distance run before the first gate.",
    )
    # [{"distance_m": 10.0, "time_s": 1.89}, …]: at least two, both strictly increasing.
    splits = models.JSONField(default=list)
    body_mass_kg = models.FloatField(
        "body mass (kg)",
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_BODY_MASS_KG), MaxValueValidator(MAX_BODY_MASS_KG)],
        help_text="For the horizontal force-velocity profile (F0, V0, Pmax).",
    )
    wind_surface_notes = models.CharField("wind and surface", max_length=200, blank=True)
    # The fitted profile (None where the fit gives no value, e.g. F0 without body mass).
    mss = models.FloatField("MSS (m/s)", null=True, blank=True, editable=False)
    tau = models.FloatField("τ (s)", null=True, blank=True, editable=False)
    time_shift = models.FloatField("time shift (s)", null=True, blank=True, editable=False)
    max_acceleration = models.FloatField(
        "maximal acceleration (m/s²)", null=True, blank=True, editable=False
    )
    t90 = models.FloatField("time to 90 % of MSS (s)", null=True, blank=True, editable=False)
    f0 = models.FloatField("F0 (N/kg)", null=True, blank=True, editable=False)
    v0 = models.FloatField("V0 (m/s)", null=True, blank=True, editable=False)
    pmax = models.FloatField("Pmax (W/kg)", null=True, blank=True, editable=False)
    rmse = models.FloatField("fit error (s)", null=True, blank=True, editable=False)
    quality = models.CharField(max_length=16, choices=SprintQuality.choices, editable=False)
    client_key = models.UUIDField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-measured_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__in=SprintStart.values), name="sprint_start_valid"
            ),
            models.CheckConstraint(
                condition=Q(quality__in=SprintQuality.values), name="sprint_quality_valid"
            ),
            # A flying start has a run-in; the others start from the line.
            models.CheckConstraint(
                condition=Q(start=SprintStart.FLYING, run_in_m__gt=0, run_in_m__lte=MAX_RUN_IN_M)
                | (~Q(start=SprintStart.FLYING) & Q(run_in_m__isnull=True)),
                name="sprint_run_in_for_flying",
            ),
            models.CheckConstraint(
                condition=Q(body_mass_kg__isnull=True)
                | Q(body_mass_kg__gte=MIN_BODY_MASS_KG, body_mass_kg__lte=MAX_BODY_MASS_KG),
                name="sprint_body_mass_plausible",
            ),
            models.CheckConstraint(
                condition=Q(measured_at__gte=EARLIEST_LOG_TIME), name="sprint_taken_since_2000"
            ),
            _void_has_reason("sprint_void_has_reason"),
            _one_per_client_key("sprint_client_key_unique"),
        ]
        indexes = [
            # The athlete's trials in time order: GET /api/v1/sprints/?athlete=, the athlete
            # page, the pre-injury top speed (the best MSS before the injury).
            models.Index(fields=["athlete", "measured_at"], name="sprint_athlete_time_idx"),
        ]

    def __str__(self):
        top = "–" if self.mss is None else f"{self.mss:.2f} m/s"
        return f"{self.athlete} {self.measured_at:%Y-%m-%d %H:%M}: sprint, MSS {top}"


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


class ImportProfile(models.Model):
    """A team's saved column map for one layout of device export (monitoring.csv_import):
    the file's header, normalised (`signature`), recognises the layout; `mapping` says which
    column is what (monitoring.column_maps.clean_mapping checks it)."""

    team = models.ForeignKey("athletes.Team", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    signature = models.JSONField(help_text="The header's column names, normalised, in order.")
    mapping = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="import_profile_name_once"),
        ]

    def __str__(self):
        return self.name


class Measurement(Voidable):
    class MeasuredSide(models.TextChoices):
        NONE = "", _("Both / not sided")
        LEFT = "left", _("Left")
        RIGHT = "right", _("Right")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Typed in")
        CSV = "csv", _("CSV import")
        API = "api", _("API")
        DERIVED = "derived", _("Derived (sprint profile)")

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
    # The sprint trial a derived value (source "derived") was fitted from; it goes with it.
    sprint_trial = models.ForeignKey(
        SprintTrial,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measurements",
        editable=False,
    )
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
            _void_has_reason("measurement_void_has_reason"),
            _one_per_client_key("measurement_client_key_unique"),
            # A derived value comes from a sprint trial, and only derived values do.
            models.CheckConstraint(
                condition=Q(source="derived", sprint_trial__isnull=False)
                | (~Q(source="derived") & Q(sprint_trial__isnull=True)),
                name="measurement_derived_has_trial",
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
        if self.metric_id is not None:
            self.metric.validate_value(self.value, self.side)


class FlagKind(models.TextChoices):
    PAIN_PERSISTING = "pain_persisting", _("Pain above threshold")
    METRIC_REGRESSION = "metric_regression", _("Metric regression")
    MISSED_CHECKINS = "missed_checkins", _("Missed check-ins")
    INTENSITY_ABOVE_PHASE = "intensity_above_phase", _("Faster than the phase allows")
    RETEST_OVERDUE = "retest_overdue", _("Re-test overdue")
    PAIN_RESPONSE = "pain_response", _("Red 24-hour pain response")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


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
    kind = models.CharField(max_length=24, choices=FlagKind.choices)
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
    # When its e-mail was settled: sent (alone or in a digest), or left unsent because the
    # recipient turned that flag kind's e-mails off (monitoring.notify). Never sent twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "flag"], name="notification_once_per_flag"
            ),
        ]
        indexes = [
            # The bell on every staff page: the person's unread notifications, counted.
            models.Index(
                fields=["recipient"], condition=Q(read_at=None), name="notification_unread_idx"
            ),
        ]

    def __str__(self):
        return f"To {self.recipient}: {self.message}"


class EmailDelivery(models.TextChoices):
    EACH = "each", _("One e-mail per flag, as it opens")
    DIGEST = "digest", _("One e-mail a day, at the time below")


def language_or_default(language: str | None) -> str:
    """`language` when the site offers it (settings.LANGUAGES), else settings.LANGUAGE_CODE."""
    if language and language in dict(settings.LANGUAGES):
        return language
    return settings.LANGUAGE_CODE


class NotificationPreference(models.Model):
    """How one person wants to hear about flags, and their language. No row: the defaults
    (an e-mail per flag of every kind, the site's language). Written by
    monitoring.notification_services.save_preferences, which keeps next_digest_at."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    # One switch per flag kind: a kind turned off is never e-mailed (still listed in the app).
    email_pain_persisting = models.BooleanField("pain above threshold", default=True)
    email_metric_regression = models.BooleanField("metric regression", default=True)
    email_missed_checkins = models.BooleanField("missed check-ins", default=True)
    email_intensity_above_phase = models.BooleanField("faster than the phase allows", default=True)
    email_retest_overdue = models.BooleanField("re-test overdue", default=True)
    email_pain_response = models.BooleanField("red 24-hour pain response", default=True)
    delivery = models.CharField(
        max_length=10, choices=EmailDelivery.choices, default=EmailDelivery.EACH
    )
    # Local time (settings.TIME_ZONE) of the daily digest.
    digest_time = models.TimeField(default=dt.time(7, 0))
    # When this person's next digest is due (None unless delivery is digest).
    next_digest_at = models.DateTimeField(null=True, blank=True)
    # One of settings.LANGUAGES (the form offers those); blank for the site's language.
    language = models.CharField(max_length=10, blank=True)
    # The person's own IANA time zone (e.g. "Europe/Madrid"); blank for settings.TIME_ZONE.
    # Their check-in reminder rings at its local time there (monitoring.reminders).
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery__in=EmailDelivery.values),
                name="notification_preference_delivery_valid",
            ),
        ]
        indexes = [
            # The digest job (monitoring.digest.send_due_digests): whose digest is due.
            models.Index(
                fields=["next_digest_at"],
                condition=Q(next_digest_at__isnull=False),
                name="notification_digest_due_idx",
            ),
        ]

    def __str__(self):
        return f"Notification preferences of {self.user}"

    @property
    def message_language(self) -> str:
        """The language of what is sent to this person (e-mails, pushes): their choice when
        the site offers it (settings.LANGUAGES), else settings.LANGUAGE_CODE."""
        return language_or_default(self.language)

    # The switch of each flag kind (monitoring.notify reads it through `emails_kind`).
    KIND_FIELDS = {
        FlagKind.PAIN_PERSISTING: "email_pain_persisting",
        FlagKind.METRIC_REGRESSION: "email_metric_regression",
        FlagKind.MISSED_CHECKINS: "email_missed_checkins",
        FlagKind.INTENSITY_ABOVE_PHASE: "email_intensity_above_phase",
        FlagKind.RETEST_OVERDUE: "email_retest_overdue",
        FlagKind.PAIN_RESPONSE: "email_pain_response",
    }

    def emails_kind(self, kind: str) -> bool:
        field = self.KIND_FIELDS.get(kind)
        return getattr(self, field) if field else True


class JobRun(models.Model):
    """When a scheduled job last started and completed (one row per job): /healthz reads it to
    tell whether Celery beat and a worker are really running."""

    name = models.CharField(max_length=60, unique=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    def __str__(self):
        return f"{self.name}: completed {self.completed_at or 'never'}"


class CheckinReminder(models.Model):
    """One athlete's daily check-in reminder and when it is next due (PRODUCT issue 17).

    - `time` is the wall-clock time the athlete chose, in their own time zone (the
      NotificationPreference.time_zone of their login, else settings.TIME_ZONE); None (or no
      row) means off, the default. A coach writes `suggested_time` only; the athlete sees it and
      may take it, which copies it to `time`.
    - `next_reminder_at` is the instant of the next local `time` on a day after `handled_on`,
      computed with zoneinfo (07:30 stays 07:30 local across a DST change); None while off.
      monitoring.reminders writes it whenever the time or the time zone changes, and the job
      moves it on to the next local day once it has handled a day.
    - `claimed_until` is a worker's lease on a due row: claimed by a conditional update, the row
      is settled before anything is sent; a worker killed in between leaves a lease that
      expires, and the next run takes the row over.
    - `handled_on` is the athlete's local day last handled (reminded, or skipped because they
      had checked in or had no active plan): a day is never reminded twice, even when travel
      west puts the same local time ahead again.

    One row per athlete (not per user) because reminding is about the athlete's check-in and
    plan; the time zone is the person's, beside their language."""

    athlete = models.OneToOneField(
        "athletes.Athlete", on_delete=models.CASCADE, related_name="checkin_reminder"
    )
    time = models.TimeField(_("reminder time"), null=True, blank=True)
    suggested_time = models.TimeField(_("suggested time"), null=True, blank=True)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suggested_at = models.DateTimeField(null=True, blank=True)
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    handled_on = models.DateField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    # How the last reminder went out: "push", "email" (or blank: never sent).
    last_channel = models.CharField(max_length=10, blank=True)

    class Meta:
        indexes = [
            # The reminder job (rehab.reminders.send_due_reminders): whose reminder is due,
            # `next_reminder_at <= now`; rows that are off (NULL) stay out of the index.
            models.Index(
                fields=["next_reminder_at"],
                condition=Q(next_reminder_at__isnull=False),
                name="checkin_reminder_due_idx",
            ),
        ]

    def __str__(self):
        return f"Check-in reminder of {self.athlete}: {self.time or 'off'}"


class PushSubscription(models.Model):
    """One browser's Web Push subscription (what PushManager.subscribe() returned): where to
    post, and the keys to encrypt for it. One row per endpoint: subscribing again from the same
    browser updates the row, a push answered 404/410 deletes it (monitoring.push)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1024, unique=True)
    # The browser's P-256 public key (65 bytes) and auth secret (16 bytes), base64url.
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Push subscription of {self.user}"

    def info(self) -> dict:
        """The subscription as the browser gave it (pywebpush's subscription_info)."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
