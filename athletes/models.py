"""People, teams, roles, athletes, injuries and pre-injury baselines; the audit trail, the
change queue, API tokens and invitations, which every app writes.

Over 400 lines on purpose: declarations read like a schema (fields, constraints, the query each
index serves); the rules are in services.py, access.py, invitations.py and evaluation.py."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

from core.models import AppendOnlyModel
from core.plausibility import validate_birth_date, validate_log_date


class Role(models.TextChoices):
    COACH = "coach", _("Coach")
    CLINICIAN = "clinician", _("Clinician")
    ATHLETE = "athlete", _("Athlete")
    # Manages the team's people (invites, revokes); sees no athlete data unless they also
    # hold a coach or clinician membership in the team.
    ADMIN = "admin", _("Team admin")


# The roles that see the athletes of their teams (a team admin alone does not).
STAFF_ROLES = (Role.COACH, Role.CLINICIAN)


class Team(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    # Staff admins set it in the admin; STAFF_REQUIRE_2FA sets it for every team at once.
    require_staff_2fa = models.BooleanField(
        "staff must use two-factor sign-in",
        default=False,
        help_text=(
            "Coaches and clinicians of this team must enrol an authenticator app and give a "
            "code after their password. Athletes are never asked."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person's role in one team. A person may belong to several teams, and hold several
    roles in one (a coach who is also the team's admin): one row per role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team", "role"], name="membership_once_per_role"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.team}"


class DominantLeg(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    UNKNOWN = "unknown", _("Not known")


class AthleteQuerySet(models.QuerySet):
    def current(self):
        """Athletes not archived: the roster and every list of athletes."""
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)


class Athlete(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        OTHER = "X", _("Other / not stated")

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="athletes")
    # Linked where the athlete logs in themselves; coaches may keep athletes without accounts.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="athlete_profile",
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_birth_date])
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.OTHER)
    events = models.CharField(max_length=80, blank=True, help_text="e.g. 100 m, 200 m")
    dominant_leg = models.CharField(
        max_length=7, choices=DominantLeg.choices, default=DominantLeg.UNKNOWN
    )
    # An athlete who left: out of the roster and the lists, every row of theirs kept.
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AthleteQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            # Roster search by name within a team.
            models.Index(fields=["team", "last_name", "first_name"]),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class MuscleGroup(models.TextChoices):
    HAMSTRING = "hamstring", _("Hamstring")
    CALF = "calf", _("Calf")


class Side(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")


HAMSTRING_MUSCLES = ("bf_lh", "bf_sh", "semimembranosus", "semitendinosus")
CALF_MUSCLES = ("med_gastroc", "lat_gastroc", "soleus")


class Injury(models.Model):
    class Muscle(models.TextChoices):
        UNKNOWN = "", _("Not known")
        BICEPS_FEMORIS_LH = "bf_lh", _("Biceps femoris long head")
        BICEPS_FEMORIS_SH = "bf_sh", _("Biceps femoris short head")
        SEMIMEMBRANOSUS = "semimembranosus", _("Semimembranosus")
        SEMITENDINOSUS = "semitendinosus", _("Semitendinosus")
        MEDIAL_GASTROCNEMIUS = "med_gastroc", _("Medial gastrocnemius")
        LATERAL_GASTROCNEMIUS = "lat_gastroc", _("Lateral gastrocnemius")
        SOLEUS = "soleus", _("Soleus")

    class Mechanism(models.TextChoices):
        HIGH_SPEED_RUNNING = "high_speed_running", _("High-speed running")
        STRETCHING = "stretching", _("Stretching")
        OTHER = "other", _("Other")

    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="injuries")
    muscle_group = models.CharField(max_length=16, choices=MuscleGroup.choices)
    muscle = models.CharField(max_length=24, choices=Muscle.choices, blank=True, default="")
    side = models.CharField(max_length=5, choices=Side.choices)

    class BamicClass(models.TextChoices):
        NONE = "", "—"
        MYOFASCIAL = "a", _("a — myofascial")
        MUSCULOTENDINOUS = "b", _("b — musculotendinous")
        INTRATENDINOUS = "c", _("c — intratendinous")

    # British Athletics Muscle Injury Classification grade 0–4 (a 1–3 scale fits inside).
    grade = models.PositiveSmallIntegerField(help_text="BAMIC grade 0–4 (or a 1–3 scale)")
    # BAMIC's site class beside grades 1–4; grade 0 (no MRI change) has none.
    bamic_class = models.CharField(
        "BAMIC class", max_length=1, choices=BamicClass.choices, blank=True, default=""
    )
    occurred_on = models.DateField(validators=[validate_log_date])
    mechanism = models.CharField(max_length=24, choices=Mechanism.choices)
    is_recurrence = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    # The day the injury was put behind: the return to play was completed, or it was closed.
    closed_on = models.DateField(null=True, blank=True, validators=[validate_log_date])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on"]
        verbose_name_plural = "injuries"
        constraints = [
            models.CheckConstraint(condition=Q(grade__lte=4), name="injury_grade_0_4"),
            models.CheckConstraint(
                condition=Q(muscle_group__in=MuscleGroup.values), name="injury_muscle_group_valid"
            ),
            models.CheckConstraint(condition=Q(side__in=Side.values), name="injury_side_valid"),
            # A named muscle must belong to the injured group.
            models.CheckConstraint(
                condition=Q(muscle="")
                | Q(muscle_group="hamstring", muscle__in=HAMSTRING_MUSCLES)
                | Q(muscle_group="calf", muscle__in=CALF_MUSCLES),
                name="injury_muscle_in_group",
            ),
            models.CheckConstraint(
                condition=Q(bamic_class__in=["", "a", "b", "c"]), name="injury_bamic_class_valid"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("occurred_on")),
                name="injury_closed_after_occurred",
            ),
        ]

    def __str__(self):
        return f"{self.athlete}: {self.get_side_display()} {self.get_muscle_group_display()} (grade {self.grade}, {self.occurred_on})"

    @property
    def uninjured_side(self) -> str:
        return Side.RIGHT if self.side == Side.LEFT else Side.LEFT

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def grade_label(self) -> str:
        return f"{self.grade}{self.bamic_class}"


# An injury in one line of a list: whose, which muscle and side, how bad, when (the admin's
# columns; the API adds its id, mechanism, notes and times).
INJURY_SUMMARY_FIELDS = ("athlete", "muscle_group", "muscle", "side", "grade", "occurred_on")


class ExternalId(models.Model):
    """The athlete's id in a device's software ("1080 Motion", "Freelap"…): a CSV export that
    names athletes by that id finds them. One id per athlete and system; within a team an id
    of a system names one athlete. `team` is the athlete's (kept with it when they move)."""

    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="external_ids")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    system = models.CharField(max_length=60, help_text="The device or its software.")
    external_id = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["system"]
        constraints = [
            models.UniqueConstraint(
                fields=["athlete", "system"], name="external_id_one_per_system"
            ),
            models.UniqueConstraint(
                fields=["team", "system", "external_id"], name="external_id_unique_in_team"
            ),
        ]

    def __str__(self):
        return f"{self.athlete} {self.system}: {self.external_id}"


class Baseline(models.Model):
    """The athlete's own pre-injury value of a metric (per side for bilateral tests)."""

    class BaselineSide(models.TextChoices):
        NONE = "", "—"
        LEFT = "left", _("Left")
        RIGHT = "right", _("Right")

    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="baselines")
    metric = models.ForeignKey(
        "monitoring.MetricKind", on_delete=models.PROTECT, related_name="baselines"
    )
    side = models.CharField(max_length=5, choices=BaselineSide.choices, blank=True, default="")
    value = models.FloatField()
    measured_on = models.DateField(validators=[validate_log_date])
    source = models.CharField(
        max_length=80,
        blank=True,
        help_text="Where the value comes from: timing gates, force plate…",
    )
    notes = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["athlete", "metric", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["athlete", "metric", "side"], name="baseline_one_per_metric_side"
            ),
        ]

    def __str__(self):
        return f"{self.athlete} baseline {self.metric} {self.side or ''} = {self.value}"

    def clean(self):
        # The registry's plausible range and side rule, as for any measurement.
        if self.metric_id is not None:
            self.metric.validate_value(self.value, self.side)


class ApiToken(AbstractAuthToken):
    """An API token for one device or integration (django-rest-knox's swappable token model).

    Only a SHA-512 digest of the token is stored (knox's `digest`; `token_key` is its first 15
    characters, to find the row). A token is usable while all of these hold, checked on every
    request by athletes.authentication:
    - it has not expired (people's tokens last API_TOKEN_TTL_DAYS; only integration tokens,
      made by staff in the admin, have no expiry — the database refuses any other);
    - its `password_fingerprint` still matches the user's password hash, so changing or
      resetting the password (any code path that writes the password column) ends it;
    - the user is active.
    athletes.tokens deletes the rows that no longer meet them when the user row changes.
    """

    # knox makes the digest the primary key; a plain id keeps it out of URLs and admin links.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(
        max_length=100, help_text="The device or integration, e.g. “Maya's phone”."
    )
    is_integration = models.BooleanField(
        "integration token",
        default=False,
        help_text=(
            "Never expires: for a club system or timing-gate software. Leave unticked for a "
            "person's device, whose token expires like any other."
        ),
    )
    password_fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=Q(is_integration=True) | Q(expiry__isnull=False),
                name="apitoken_expires_unless_integration",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.user})"


class AuditAction(models.TextChoices):
    PLAN_ASSIGN = "plan.assign", _("Protocol assigned")
    PLAN_COMPLETE = "plan.complete", _("Plan completed (return to play done)")
    INJURY_CLOSE = "injury.close", _("Injury closed")
    ATHLETE_ARCHIVE = "athlete.archive", _("Athlete archived")
    ATHLETE_RESTORE = "athlete.restore", _("Athlete restored")
    PHASE_ADVANCE = "phase.advance", _("Phase advanced")
    PHASE_OVERRIDE = "phase.override", _("Phase advanced with override")
    PHASE_REGRESS = "phase.regress", _("Phase regressed")
    SIGNOFF_REQUEST = "signoff.request", _("Clinician review requested")
    SIGNOFF_APPROVE = "signoff.approve", _("Approved by clinician")
    SIGNOFF_DECLINE = "signoff.decline", _("Declined by clinician")
    FLAG_ACKNOWLEDGE = "flag.acknowledge", _("Flag acknowledged")
    FLAG_RESOLVE = "flag.resolve", _("Flag resolved")
    CHECKIN_CORRECT = "checkin.correct", _("Check-in corrected")
    CHECKIN_VOID = "checkin.void", _("Check-in voided")
    SESSION_CORRECT = "session.correct", _("Session corrected")
    SESSION_VOID = "session.void", _("Session voided")
    MEASUREMENT_CORRECT = "measurement.correct", _("Measurement corrected")
    MEASUREMENT_VOID = "measurement.void", _("Measurement voided")
    SPRINT_VOID = "sprint.void", _("Sprint trial voided")
    PRIVACY_EXPORT = "privacy.export", _("Data exported (privacy request)")
    PRIVACY_ERASE = "privacy.erase", _("Personal data erased (privacy request)")


# Corrections of an athlete's own entries: their before/after values are personal data, and
# go when the athlete's data is erased (portal.privacy).
CORRECTION_ACTIONS = (
    AuditAction.CHECKIN_CORRECT,
    AuditAction.CHECKIN_VOID,
    AuditAction.SESSION_CORRECT,
    AuditAction.SESSION_VOID,
    AuditAction.MEASUREMENT_CORRECT,
    AuditAction.MEASUREMENT_VOID,
    AuditAction.SPRINT_VOID,
)


class AuditEvent(AppendOnlyModel):
    """Who did what to an athlete's rehab, with the state before and after. Append-only: the
    model refuses changes and, on PostgreSQL, so does a trigger (rehab migration 0004)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    role = models.CharField(max_length=16, blank=True)
    athlete = models.ForeignKey(
        "athletes.Athlete", on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=24, choices=AuditAction.choices)
    target_type = models.CharField(max_length=40)
    target_id = models.PositiveBigIntegerField()
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        # Moved from rehab so that every app may write the trail: the table keeps its name.
        db_table = "rehab_auditevent"
        ordering = ["-at", "-id"]
        indexes = [
            # The athlete page's timeline and the CSV export: one athlete's events by time.
            models.Index(fields=["athlete", "at"], name="audit_athlete_at_idx"),
        ]

    def __str__(self):
        when = date_format(timezone.localtime(self.at), "DATETIME_FORMAT")
        return f"{self.get_action_display()} — {self.athlete}, {when}"


class EvaluationRequest(models.Model):
    """An athlete whose evidence changed and who awaits evaluation: the change queue.

    The services that write evidence (check-ins, sessions, measurements, their corrections,
    phase moves) add one with `athletes.evaluation.request_evaluation` in their own
    transaction, so a request exists exactly when the change committed. One consumer,
    `rehab.evaluation.evaluate_pending`, claims requests, evaluates their athletes (flags and
    the roster's stored gate counts) and deletes what it claimed. One row per change, not per athlete: a change made while the
    consumer runs is a new row and stays for the next run. It sits here, beside the athlete,
    so that every app may write it (README, Layout); the table keeps its first name.
    """

    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="+", db_index=False)
    requested_at = models.DateTimeField(auto_now_add=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "monitoring_evaluationrequest"
        indexes = [
            # Deleting an athlete deletes theirs (the consumer claims in primary-key order).
            models.Index(fields=["athlete"], name="evaluation_request_athlete"),
        ]

    def __str__(self):
        return f"evaluate athlete {self.athlete_id} (requested {self.requested_at:%H:%M:%S})"


class Invitation(models.Model):
    """A single-use link that makes its holder a member of a team in one role.

    Only a SHA-256 digest of the link's secret is stored (like a password-reset token); the
    plain link exists once, when the invitation is made or resent (athletes.invitations).
    Pending while not accepted, not revoked and not expired."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=16, choices=Role.choices)
    email = models.EmailField(blank=True, help_text="Where the link is sent (optional).")
    # For an athlete invitation: the existing athlete record the new login takes over.
    athlete = models.ForeignKey(
        Athlete, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_valid"),
            models.CheckConstraint(
                condition=Q(athlete__isnull=True) | Q(role=Role.ATHLETE),
                name="invitation_athlete_only_for_athletes",
            ),
        ]
        indexes = [
            # The people page: a team's invitations, newest first.
            models.Index(fields=["team", "-created_at"], name="invitation_team_created"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} of {self.team} ({self.email or 'link only'})"

    def status(self, now=None) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        return self.Status.PENDING
