"""Protocols, phases, gate criteria, plans with their phase history, and sign-off.

Over 400 lines on purpose: one module of declarations read like a schema, with the few
methods that belong on the rows (Plan.day_in_phase, Plan.next_phase, GateSummary.describing);
the rules live in gates/, transitions.py, services.py and signoff.py."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from athletes.models import MuscleGroup
from core.models import AppendOnlyModel


class Protocol(models.Model):
    """An ordered list of phases. Templates ship as data (team is null); a team may copy one
    and edit its copy. Rule thresholds live here, not in code."""

    name = models.CharField(max_length=120)
    muscle_group = models.CharField(max_length=16, choices=MuscleGroup.choices)
    team = models.ForeignKey(
        "athletes.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="protocols",
        help_text="Empty for the shared templates.",
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    is_template = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    # Monitoring thresholds (PRODUCT.md §2.6: the literature gives no single number).
    pain_threshold = models.PositiveSmallIntegerField(
        default=3, help_text="Pain (0–10) at or above which a report counts as painful."
    )
    pain_persist_hours = models.PositiveSmallIntegerField(
        default=48, help_text="Hours of persisting pain before a flag is raised."
    )
    missed_checkin_days = models.PositiveSmallIntegerField(
        default=3, help_text="Days without a check-in before a flag is raised."
    )
    # The 24-hour pain response (Silbernagel's pain-monitoring model; monitoring.rules).
    response_green_max = models.PositiveSmallIntegerField(
        default=3, help_text="Highest pain (0–10) during or the next morning of a green response."
    )
    response_amber_max = models.PositiveSmallIntegerField(
        default=5, help_text="Highest pain (0–10) of an amber response; above it is red."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["muscle_group", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pain_threshold__gte=1, pain_threshold__lte=10),
                name="protocol_pain_threshold_1_10",
            ),
            models.CheckConstraint(
                condition=Q(pain_persist_hours__gte=1), name="protocol_pain_hours_positive"
            ),
            models.CheckConstraint(
                condition=Q(missed_checkin_days__gte=1), name="protocol_missed_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(
                    response_green_max__lte=F("response_amber_max"), response_amber_max__lte=10
                ),
                name="protocol_response_thresholds_0_10",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(team__isnull=True),
                name="protocol_template_name_unique",
            ),
            models.UniqueConstraint(fields=["team", "name"], name="protocol_team_name_unique"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def name_taken(cls, team_id, name, *, exclude_pk=None) -> bool:
        """Whether the team (None: the shipped templates) already has a protocol of this name:
        the rule of the two name constraints above, for forms and services to ask first."""
        return cls.objects.filter(team_id=team_id, name=name).exclude(pk=exclude_pk).exists()


class Phase(models.Model):
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    goals = models.TextField(blank=True)
    content = models.TextField(blank=True, help_text="Main content: drills, runs, loading.")
    allowed_intensity = models.CharField(max_length=120, help_text="In words, for people.")
    max_velocity_pct = models.PositiveSmallIntegerField(
        help_text="Top speed allowed, % of the athlete's maximum velocity."
    )
    longest_sprint_m = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Longest sprint allowed (m); empty = no limit."
    )
    typical_days_min = models.PositiveSmallIntegerField(default=7)
    typical_days_max = models.PositiveSmallIntegerField(default=14)
    needs_clinical_review = models.BooleanField(
        default=False, help_text="Entering this phase needs a clinician's approval."
    )

    class Meta:
        ordering = ["protocol", "order"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "order"], name="phase_order_unique"),
            models.CheckConstraint(
                condition=Q(max_velocity_pct__lte=100), name="phase_velocity_pct_0_100"
            ),
            models.CheckConstraint(
                condition=Q(typical_days_max__gte=models.F("typical_days_min")),
                name="phase_typical_days_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"

    @cached_property
    def is_last(self) -> bool:
        """No phase follows this one in its protocol: entering it is the return to play."""
        return not Phase.objects.filter(protocol_id=self.protocol_id, order__gt=self.order).exists()


# A phase's own settings, as the protocol editor edits them, the API shows them and the shipped
# templates (protocol_templates) list them (its place in the protocol, `order`, is the
# protocol's structure and never edited).
PHASE_FIELDS = (
    "name",
    "goals",
    "content",
    "allowed_intensity",
    "max_velocity_pct",
    "longest_sprint_m",
    "typical_days_min",
    "typical_days_max",
    "needs_clinical_review",
)


class GateKind(models.TextChoices):
    PAIN = "pain", _("Pain at or below threshold")
    NO_NEXT_DAY_SORENESS = "no_next_day_soreness", _("No next-day soreness")
    MIN_DAYS = "min_days", _("Minimum days in phase")
    LSI = "lsi", _("Limb symmetry index")
    VS_BASELINE = "vs_baseline", _("Versus pre-injury baseline")
    METRIC_THRESHOLD = "metric_threshold", _("Test result at or beyond a value")
    TEST_PASSED = "test_passed", _("Test passed")
    CONFIDENCE = "confidence", _("Confidence")
    SPEED_EXPOSURES = "speed_exposures", _("Sprints at a share of pre-injury top speed")


METRIC_GATES = (GateKind.LSI, GateKind.VS_BASELINE, GateKind.METRIC_THRESHOLD, GateKind.TEST_PASSED)
THRESHOLD_GATES = (
    GateKind.PAIN,
    GateKind.MIN_DAYS,
    GateKind.LSI,
    GateKind.VS_BASELINE,
    GateKind.METRIC_THRESHOLD,
    GateKind.CONFIDENCE,
    GateKind.SPEED_EXPOSURES,
)
WINDOW_GATES = (
    GateKind.PAIN,
    GateKind.NO_NEXT_DAY_SORENESS,
    GateKind.CONFIDENCE,
    GateKind.SPEED_EXPOSURES,
)


class GateCriterion(models.Model):
    """One condition to leave `phase` for the next one, evaluated from logged data.

    threshold: pain ≤ t; day in phase ≥ t (Plan.day_in_phase); LSI ≥ t %; vs_baseline within t % of baseline (in the
    metric's worse direction); metric_threshold at or beyond t; confidence ≥ t.
    window: how many recent sessions or days the pain, soreness and confidence rules look at.
    """

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="gates")
    kind = models.CharField(max_length=24, choices=GateKind.choices)
    metric = models.ForeignKey(
        "monitoring.MetricKind",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gate_criteria",
    )
    threshold = models.FloatField(null=True, blank=True)
    window = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["phase", "order", "id"]
        verbose_name_plural = "gate criteria"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=GateKind.values), name="gate_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind__in=METRIC_GATES) | Q(metric__isnull=False),
                name="gate_metric_required",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=THRESHOLD_GATES) | Q(threshold__isnull=False),
                name="gate_threshold_required",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=WINDOW_GATES) | Q(window__gte=1),
                name="gate_window_required",
            ),
        ]

    def __str__(self):
        return self.description or self.get_kind_display()


# The protocol's rule thresholds (the monitoring rules read them): each may carry citations.
RULE_THRESHOLDS = ("pain_threshold", "pain_persist_hours", "missed_checkin_days")


class EvidenceStrength(models.TextChoices):
    """How strong the evidence behind a number is, as the citation's author judged it."""

    SYSTEMATIC_REVIEW = "systematic_review", _("Systematic review")
    RCT = "rct", _("Randomised controlled trial")
    COHORT = "cohort", _("Cohort or cross-sectional study")
    EXPERT_CONSENSUS = "expert_consensus", _("Expert consensus or opinion")
    NO_PRIMARY_SOURCE = "no_primary_source", _("No primary source found")


DOI_PATTERN = r"^10\.\d{4,9}/\S+$"
validate_doi = RegexValidator(
    DOI_PATTERN,
    _("Enter a DOI as 10.NNNN/…, for example 10.2519/jospt.2020.8895."),
    code="invalid_doi",
)
validate_web_address = URLValidator(
    schemes=["http", "https"], message=_("Enter a web address starting with http:// or https://.")
)


def validate_one_line(value: str):
    if "\n" in value or "\r" in value:
        raise ValidationError(_("Keep the note to one line."), code="one_line")


class Citation(models.Model):
    """Where a threshold comes from: a rule threshold of the protocol (`rule`) or one gate
    criterion (`gate`), never both. A DOI or a web address, a one-line note on the evidence
    and its strength; "no primary source" needs neither and says so (rehab.protocol_format
    exports them; the protocol page shows them beside the numbers)."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="citations")
    rule = models.CharField(
        max_length=24, blank=True, choices=[(f, f) for f in RULE_THRESHOLDS], default=""
    )
    gate = models.ForeignKey(
        GateCriterion, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    doi = models.CharField(
        max_length=200, blank=True, validators=[validate_doi], verbose_name="DOI"
    )
    url = models.CharField(
        max_length=500, blank=True, validators=[validate_web_address], verbose_name="web address"
    )
    note = models.CharField(max_length=200, validators=[validate_one_line])
    strength = models.CharField(max_length=20, choices=EvidenceStrength.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["protocol", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(rule="") & Q(gate__isnull=False))
                | (~Q(rule="") & Q(gate__isnull=True)),
                name="citation_one_target",
            ),
            models.CheckConstraint(
                condition=Q(strength="no_primary_source") | ~Q(doi="") | ~Q(url=""),
                name="citation_source_required",
            ),
            models.CheckConstraint(
                condition=Q(strength__in=EvidenceStrength.values), name="citation_strength_valid"
            ),
        ]

    def __str__(self):
        return self.note

    def clean(self):
        super().clean()
        unsourced = not self.doi and not self.url
        if unsourced and self.strength and self.strength != EvidenceStrength.NO_PRIMARY_SOURCE:
            raise ValidationError(
                {"doi": _("Give a DOI or a web address, or choose “No primary source found”.")}
            )

    @property
    def link(self) -> str:
        """Where the source can be read: the DOI's resolver, else the web address."""
        return f"https://doi.org/{self.doi}" if self.doi else self.url


class ProtocolChange(AppendOnlyModel):
    """One change to a protocol, kept for good: who, when, how (the editor, an import, a
    copy, the admin) and what changed, as a list of {"what", "before", "after"} entries
    (rehab.protocol_log makes them)."""

    class Kind(models.TextChoices):
        COPY = "copy", _("Copied")
        IMPORT = "import", _("Imported from a file")
        EDIT = "edit", _("Edited in the protocol editor")
        ADMIN = "admin", _("Edited in the admin")

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["copy", "import", "edit", "admin"]),
                name="protocol_change_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.protocol}: {self.get_kind_display()}"


class RetestSchedule(models.Model):
    """A test to repeat every `every_days` while the athlete is in `phase` (the maintenance
    phase's surveillance: knee-flexor strength every two weeks). A test not logged within its
    interval, counted from the last one in the phase or from entering it, raises a flag of
    kind retest_overdue (monitoring.rules.retest_overdue)."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="retests")
    metric = models.ForeignKey(
        "monitoring.MetricKind", on_delete=models.PROTECT, related_name="retest_schedules"
    )
    every_days = models.PositiveSmallIntegerField(help_text="Days between two tests.")

    class Meta:
        ordering = ["phase", "metric__code"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "metric"], name="retest_one_per_metric"),
            models.CheckConstraint(
                condition=Q(every_days__gte=1, every_days__lte=365), name="retest_every_1_365"
            ),
        ]

    def __str__(self):
        return f"{self.metric_id} every {self.every_days} days"


def monitored_from_expression(prefix: str = ""):
    """`Plan.monitored_from` in SQL, for a plan reached through `prefix` ("athlete__plans__")."""
    started = f"{prefix}started_at"
    return Greatest(started, Coalesce(f"{prefix}recorded_at", started))


class PlanQuerySet(models.QuerySet):
    def active(self):
        """Plans in progress (at most one per athlete). Also `athlete.plans.active()`."""
        return self.filter(status=Plan.Status.ACTIVE)


class Plan(models.Model):
    """An athlete's rehab plan for one injury, following one protocol."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")

    athlete = models.ForeignKey("athletes.Athlete", on_delete=models.CASCADE, related_name="plans")
    injury = models.OneToOneField("athletes.Injury", on_delete=models.CASCADE, related_name="plan")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="plans")
    current_phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField()
    phase_entered_at = models.DateTimeField()
    # When the plan was entered here: a mid-rehab start is recorded days after `started_at`,
    # and the missed check-in rule counts silence from the later of the two (rehab.scan).
    recorded_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every phase change; a change applies only if the version it read is current.
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["athlete"],
                condition=Q(status="active"),
                name="plan_one_active_per_athlete",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "completed", "closed"]), name="plan_status_valid"
            ),
        ]
        indexes = [
            # The monitoring scan: every athlete in an active plan.
            models.Index(fields=["status", "athlete"], name="plan_status_athlete_idx"),
        ]

    def __str__(self):
        return f"{self.athlete} — {self.protocol} ({self.current_phase})"

    @property
    def monitored_from(self) -> dt.datetime:
        """When the athlete's check-ins are expected from: the later of the plan's start and
        when it was recorded here (a mid-rehab start). The missed-check-in rule (rehab.scan)
        counts silence from it and the check-in rate (rehab.compliance) its days; in SQL,
        `monitored_from_expression`."""
        return max(self.started_at, self.recorded_at or self.started_at)

    @property
    def phase_entered_on(self) -> dt.date:
        """The local calendar day the current phase was entered (its day 1).

        Remembered with the moment it was computed from, so a phase move on this instance is
        seen at once: the roster asks it of every plan several times (day in phase, the gate
        reads, the minimum-days gate), and each time-zone conversion looks the zone up again
        (bench/README.md, roster: 1,700 conversions a render before)."""
        entered = self.phase_entered_at
        memo = self.__dict__.get("_phase_entered_on")
        if memo is None or memo[0] != entered:
            memo = self.__dict__["_phase_entered_on"] = (entered, timezone.localdate(entered))
        return memo[1]

    def day_in_phase(self, now: dt.datetime | None = None, *, today: dt.date | None = None) -> int:
        """Which day of the current phase it is at `now`, counted from 1: day 1 is the local
        calendar day (settings.TIME_ZONE) the phase started, so a phase entered 10 days ago is
        on day 11, and one entered at 23:59 is on day 2 a minute later. The only definition:
        the roster, the coach's page, My plan and the minimum-days gate all read it. `today`:
        the local date of `now` when the caller has it (the roster asks 500 plans)."""
        today = today or timezone.localdate(now or timezone.now())
        return max((today - self.phase_entered_on).days + 1, 1)

    def day_begins_at(self, day: int) -> dt.datetime:
        """The moment day `day` of the current phase begins: local midnight, `day_in_phase`'s
        calendar (day 1 is the day the phase was entered)."""
        start = self.phase_entered_on + dt.timedelta(days=max(day, 1) - 1)
        return timezone.make_aware(dt.datetime.combine(start, dt.time.min))

    def next_phase(self, phases=None) -> "Phase | None":
        """The phase after the current one: the protocol's next by order (orders may have gaps),
        None in the last. The one definition the advance, the sign-off request, the roster and
        the athlete pages use. `phases`: the protocol's phases when the caller has read them
        already (then no query; phases of other protocols are ignored); otherwise one query."""
        current = self.current_phase.order
        if phases is None:
            return (
                Phase.objects.filter(protocol_id=self.protocol_id, order__gt=current)
                .order_by("order")
                .first()
            )
        later = [p for p in phases if p.protocol_id == self.protocol_id and p.order > current]
        return min(later, key=lambda p: p.order, default=None)

    def earlier_phases(self):
        """The phases a regression may go back to: those before the current one."""
        return Phase.objects.filter(
            protocol_id=self.protocol_id, order__lt=self.current_phase.order
        ).order_by("order")


class GateSummaryQuerySet(models.QuerySet):
    def describing(self):
        """Summaries made for their plan's current stay in its phase: for the current phase
        and after the plan entered it (a regression and a return make the old counts void)."""
        return self.filter(
            phase_id=F("plan__current_phase_id"), evaluated_at__gte=F("plan__phase_entered_at")
        )


class GateSummary(models.Model):
    """A plan's gate counts as the change queue's consumer last found them
    (rehab.gate_summary). The roster sorts and shows 500 athletes from these instead of judging
    every plan's gates on each render: 2,250 gates cost 250 ms of a 400 ms page (bench/README.md,
    roster, 2026-12-03). Every other page judges its plan's gates live.

    Good for its plan while it `describing` the plan's current stay in its phase, before
    `valid_until`, and no evaluation of the athlete waits in the queue."""

    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, primary_key=True, related_name="gate_summary"
    )
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="+")
    met = models.PositiveSmallIntegerField()
    missing = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    # The moment the evaluation began: its evidence is at least as new as this.
    evaluated_at = models.DateTimeField()
    # When the counts may change with no new evidence (a minimum-days gate turning at local
    # midnight); None when no gate waits on the calendar.
    valid_until = models.DateTimeField(null=True, blank=True)

    objects = GateSummaryQuerySet.as_manager()

    class Meta:
        indexes = [
            # The consumer's sweep: the summaries whose `valid_until` has passed.
            models.Index(
                fields=["valid_until"],
                name="gate_summary_due_idx",
                condition=Q(valid_until__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.met} of {self.total} gates met (plan {self.plan_id})"


class PhaseChange(models.Model):
    """Append-only history of a plan's phases: who moved it, when, why, on what evidence."""

    class Kind(models.TextChoices):
        START = "start", _("Plan started")
        # A plan started mid-rehab: the move into the phase the athlete was already in.
        BROUGHT_IN = "brought_in", _("Brought in mid-rehab")
        ADVANCE = "advance", _("Advanced")
        OVERRIDE = "override", _("Advanced with override")
        REGRESS = "regress", _("Regressed")
        CLINICAL_APPROVAL = "clinical_approval", _("Advanced after clinical approval")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField(blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "changed_at", "id"]
        constraints = [
            # An override or a regression must say why.
            models.CheckConstraint(
                condition=~Q(kind__in=["override", "regress"]) | ~Q(reason=""),
                name="phase_change_reason_required",
            ),
            models.CheckConstraint(
                condition=Q(kind="start") | Q(from_phase__isnull=False),
                name="phase_change_from_required",
            ),
        ]

    def __str__(self):
        return f"{self.plan.athlete}: {self.get_kind_display()} → {self.to_phase}"


# A phase change as a plan's history shows it, read-only (the admin's inline, the API): what
# moved, why, who, when, on what evidence; the plan is the page it is shown on.
PHASE_CHANGE_FIELDS = (
    "from_phase",
    "to_phase",
    "kind",
    "reason",
    "changed_by",
    "changed_at",
    "evidence",
)


class SignOffRequest(models.Model):
    """A request for a clinician's decision: entering a phase that needs clinical review, or
    the return to play itself. Snapshots the evidence at the moment it is made."""

    class Kind(models.TextChoices):
        PHASE_REVIEW = "phase_review", _("Phase review")
        RETURN_TO_PLAY = "return_to_play", _("Return to play")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for clinician review")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="signoff_requests")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    target_phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    note = models.TextField(blank=True)
    evidence = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status="pending"), name="signoff_one_pending_per_plan"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.plan.athlete} ({self.get_status_display()})"

    @property
    def athlete(self):
        """The athlete the request is about (the API's object permission reads this)."""
        return self.plan.athlete


class SignOffDecision(AppendOnlyModel):
    """A named clinician's decision. Never edited or deleted; a later one supersedes it."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approved")
        DECLINE = "decline", _("Declined")

    request = models.ForeignKey(SignOffRequest, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    rationale = models.TextField()
    restrictions = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_role = models.CharField(max_length=16)
    decided_at = models.DateTimeField()
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=["approve", "decline"]), name="decision_value_valid"
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="decision_rationale_required"),
        ]

    def __str__(self):
        when = date_format(timezone.localtime(self.decided_at), "DATETIME_FORMAT")
        return f"{self.get_decision_display()} by {self.decided_by}, {when}"
