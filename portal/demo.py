"""Demo data: two teams, a squad of athletes in every phase, eight weeks of plausible logs.

Dates are relative to today. The data is deterministic (a seeded RNG), so two machines that
load it on the same day get the same squad. `load_demo()` does nothing when the demo team is
already there; `reset_demo()` removes the demo teams and their people first.
"""

import copy
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from athletes.models import (
    Athlete,
    AuditAction,
    AuditEvent,
    Baseline,
    Injury,
    Membership,
    Role,
    Team,
)
from monitoring.models import (
    CheckIn,
    Measurement,
    MetricKind,
    RecoveryActivity,
    RecoveryKind,
    SessionType,
    TrainingSession,
)
from rehab.models import PhaseChange, Plan, Protocol, SignOffDecision, SignOffRequest
from rehab.signoff import build_evidence

PASSWORD = "sprintback"
HISTORY_DAYS = 56
DEMO_TEAM_SLUGS = ("riverside", "northside")

User = get_user_model()


@dataclass
class Scenario:
    """One demo athlete: who they are, where they are in rehab, and what their data shows."""

    first: str
    last: str
    group: str | None  # hamstring / calf / None (not injured)
    phase: int = 0
    plan_days: int = 30  # days since the plan started
    days_in_phase: int = 5
    side: str = "left"
    muscle: str = ""
    grade: int = 2
    username: str | None = None
    sex: str = "X"
    story: set = field(
        default_factory=set
    )  # persisting_pain, regressed_30m, ready, missed, no_today


RIVERSIDE = [
    Scenario(
        "Maya",
        "Okafor",
        "hamstring",
        phase=3,
        plan_days=38,
        days_in_phase=6,
        muscle="bf_lh",
        username="athlete",
        sex="F",
        story={"no_today"},
    ),
    Scenario(
        "Jonas",
        "Weber",
        "hamstring",
        phase=5,
        plan_days=54,
        days_in_phase=9,
        side="right",
        muscle="bf_lh",
        sex="M",
        story={"ready", "requested"},
    ),
    Scenario(
        "Tomás",
        "Silva",
        "calf",
        phase=5,
        plan_days=50,
        days_in_phase=8,
        muscle="med_gastroc",
        sex="M",
        story={"ready"},
    ),
    Scenario(
        "Aisha",
        "Bello",
        "hamstring",
        phase=2,
        plan_days=26,
        days_in_phase=7,
        side="right",
        muscle="semitendinosus",
        sex="F",
        story={"persisting_pain"},
    ),
    Scenario(
        "Liam",
        "O'Connor",
        "hamstring",
        phase=4,
        plan_days=45,
        days_in_phase=8,
        muscle="bf_lh",
        sex="M",
        story={"regressed_30m"},
    ),
    Scenario(
        "Chloe",
        "Martin",
        "calf",
        phase=0,
        plan_days=4,
        days_in_phase=4,
        side="right",
        muscle="soleus",
        grade=1,
        sex="F",
    ),
    Scenario(
        "Ethan", "Brooks", "hamstring", phase=1, plan_days=14, days_in_phase=8, grade=1, sex="M"
    ),
    Scenario(
        "Nadia",
        "Haddad",
        "calf",
        phase=1,
        plan_days=12,
        days_in_phase=6,
        muscle="lat_gastroc",
        sex="F",
    ),
    Scenario(
        "Ruby",
        "Chen",
        "hamstring",
        phase=2,
        plan_days=24,
        days_in_phase=5,
        side="right",
        muscle="semimembranosus",
        sex="F",
    ),
    Scenario(
        "Kwame",
        "Mensah",
        "calf",
        phase=3,
        plan_days=33,
        days_in_phase=4,
        side="right",
        muscle="med_gastroc",
        sex="M",
    ),
    Scenario(
        "Sofia",
        "Rossi",
        "hamstring",
        phase=4,
        plan_days=42,
        days_in_phase=3,
        muscle="bf_lh",
        grade=3,
        sex="F",
    ),
    Scenario(
        "Daniel",
        "Kim",
        "hamstring",
        phase=6,
        plan_days=56,
        days_in_phase=12,
        side="right",
        muscle="bf_lh",
        sex="M",
        story={"cleared"},
    ),
    Scenario(
        "Grace",
        "Adeyemi",
        "calf",
        phase=2,
        plan_days=22,
        days_in_phase=6,
        muscle="soleus",
        sex="F",
        story={"missed"},
    ),
    Scenario("Omar", "Farouk", None, sex="M"),
]

NORTHSIDE = [
    Scenario("Lena", "Fischer", "hamstring", phase=2, plan_days=25, days_in_phase=6, sex="F"),
    Scenario(
        "Marco", "Bianchi", "calf", phase=3, plan_days=35, days_in_phase=5, side="right", sex="M"
    ),
    Scenario(
        "Emma", "Novak", "hamstring", phase=1, plan_days=10, days_in_phase=5, grade=1, sex="F"
    ),
]

STAFF = [
    # username, first, last, team slug, role
    ("coach", "Sam", "Carter", "riverside", Role.COACH),
    ("clinician", "Priya", "Nair", "riverside", Role.CLINICIAN),
    ("coach2", "Alex", "Byrne", "northside", Role.COACH),
]

# Pre-injury baselines (uninjured values), scaled per athlete by a small factor.
BASELINES = {
    "split_10m": 1.80,
    "split_30m": 4.05,
    "peak_velocity": 10.2,
    "cmj": 52.0,
    "knee_flexor_strength": 420.0,
    "single_leg_hop": 190.0,
    "triple_hop": 610.0,
    "nordic_force": 380.0,
    "calf_raises": 34.0,
    "knee_to_wall": 12.0,
}
BILATERAL = {
    "knee_flexor_strength",
    "single_leg_hop",
    "triple_hop",
    "nordic_force",
    "calf_raises",
    "knee_to_wall",
}


def demo_loaded() -> bool:
    return Team.objects.filter(slug="riverside").exists()


@transaction.atomic
def reset_demo() -> None:
    teams = Team.objects.filter(slug__in=DEMO_TEAM_SLUGS)
    # Append-only rows: purge() is their one way out (it opens the PostgreSQL trigger).
    AuditEvent.objects.filter(athlete__team__in=teams).purge()
    SignOffDecision.objects.filter(request__plan__athlete__team__in=teams).purge()
    Athlete.objects.filter(team__in=teams).delete()
    Protocol.objects.filter(team__in=teams).delete()
    User.objects.filter(username__in=[s[0] for s in STAFF] + ["athlete"]).delete()
    User.objects.filter(username__startswith="demo.").delete()
    teams.delete()


@transaction.atomic
def load_demo(today: date | None = None) -> bool:
    """Load the demo data once. Returns False (and changes nothing) when it is already there."""
    if demo_loaded():
        return False
    today = today or timezone.localdate()
    builder = _Builder(today)
    teams = {
        "riverside": Team.objects.create(name="Riverside Sprint Squad", slug="riverside"),
        "northside": Team.objects.create(name="Northside Track Club", slug="northside"),
    }
    staff = {}
    for username, first, last, slug, role in STAFF:
        user = _user(username, first, last)
        Membership.objects.create(user=user, team=teams[slug], role=role)
        staff[slug, role] = user
    for slug, squad in (("riverside", RIVERSIDE), ("northside", NORTHSIDE)):
        coach = staff[slug, Role.COACH]
        clinician = staff.get((slug, Role.CLINICIAN))
        for scenario in squad:
            builder.athlete(teams[slug], scenario, coach, clinician)
    builder.flush()
    return True


def _user(username, first, last):
    user = User(
        username=username, first_name=first, last_name=last, email=f"{username}@sprintback.example"
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class _Builder:
    def __init__(self, today: date):
        self.today = today
        self.now = timezone.now()
        self.rng = random.Random(20261122)
        self.metrics = {m.code: m for m in MetricKind.objects.all()}
        self.protocols = {
            p.muscle_group: p
            for p in Protocol.objects.filter(team=None, is_template=True).prefetch_related("phases")
        }
        self.checkins, self.sessions, self.measurements, self.recovery = [], [], [], []
        self.audit = []  # AuditEvents of the phase history, written at flush
        self.signoffs = []  # sign-off requests made once the logs they cite exist

    def _taken(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A time on `day`, but never in the future (today's entries are capped at now)."""
        return min(_at(day, hour, minute), max(self.now - timedelta(minutes=5), _at(day, 0)))

    # --- one athlete -----------------------------------------------------------------------
    def athlete(self, team, s: Scenario, coach, clinician):
        user = None
        if s.username:
            user = _user(s.username, s.first, s.last)
            Membership.objects.create(user=user, team=team, role=Role.ATHLETE)
        athlete = Athlete.objects.create(
            team=team,
            user=user,
            first_name=s.first,
            last_name=s.last,
            sex=s.sex,
            events=self.rng.choice(["100 m", "100 m, 200 m", "200 m", "60 m, 100 m", "400 m"]),
            date_of_birth=date(
                self.today.year - self.rng.randint(18, 29),
                self.rng.randint(1, 12),
                self.rng.randint(1, 28),
            ),
        )
        scale = self.rng.uniform(0.95, 1.05)
        baseline_day = self.today - timedelta(days=HISTORY_DAYS + 30)
        for code, value in BASELINES.items():
            v = value * (scale if self.metrics[code].direction == "higher" else 2 - scale)
            for side in ("left", "right") if code in BILATERAL else ("",):
                Baseline.objects.create(
                    athlete=athlete,
                    metric=self.metrics[code],
                    side=side,
                    value=round(v, 2),
                    measured_on=baseline_day,
                )
        if s.group is None:
            self._healthy_checkins(athlete)
            return
        plan = self._plan(athlete, s, coach, clinician)
        self._checkins(athlete, s, plan)
        self._sessions_and_tests(athlete, s, plan, scale)

    def _plan(self, athlete, s, coach, clinician):
        protocol = self.protocols[s.group]
        phases = list(protocol.phases.all())
        start = self.today - timedelta(days=s.plan_days)
        injury = Injury.objects.create(
            athlete=athlete,
            muscle_group=s.group,
            muscle=s.muscle,
            side=s.side,
            grade=s.grade,
            occurred_on=start - timedelta(days=2),
            mechanism=Injury.Mechanism.HIGH_SPEED_RUNNING,
            is_recurrence=s.last == "Rossi",
        )
        entered = self.today - timedelta(days=s.days_in_phase)
        plan = Plan.objects.create(
            athlete=athlete,
            injury=injury,
            protocol=protocol,
            current_phase=phases[s.phase],
            started_at=_at(start, 9),
            phase_entered_at=_at(entered, 10),
            created_by=coach,
        )
        # Spread the earlier phases evenly between the start and entering the current one.
        PhaseChange.objects.create(
            plan=plan,
            to_phase=phases[0],
            kind=PhaseChange.Kind.START,
            reason="Plan started after assessment.",
            changed_by=coach,
            changed_at=_at(start, 9),
        )
        span = (entered - start).days
        for order in range(1, s.phase + 1):
            day = entered if order == s.phase else start + timedelta(days=span * order // s.phase)
            kind = PhaseChange.Kind.ADVANCE
            by, reason = coach, "All gates met."
            if phases[order].needs_clinical_review and clinician:
                kind, by, reason = (
                    PhaseChange.Kind.CLINICAL_APPROVAL,
                    clinician,
                    "Approved on review.",
                )
            change = PhaseChange.objects.create(
                plan=plan,
                from_phase=phases[order - 1],
                to_phase=phases[order],
                kind=kind,
                reason=reason,
                changed_by=by,
                changed_at=_at(day, 10),
            )
            if "cleared" in s.story and order == 6 and clinician:
                # The return-to-play decision: its request, decision and events after flush.
                self.signoffs.append(("cleared", plan, change, coach, clinician))
                continue
            self._audit(change, by, Role.CLINICIAN if by is clinician else Role.COACH)
        if "requested" in s.story:
            self.signoffs.append(("requested", plan, None, coach, clinician))
        return plan

    def _audit(self, change, by, role):
        action = {
            PhaseChange.Kind.START: AuditAction.PLAN_ASSIGN,
            PhaseChange.Kind.ADVANCE: AuditAction.PHASE_ADVANCE,
            PhaseChange.Kind.CLINICAL_APPROVAL: AuditAction.SIGNOFF_APPROVE,
        }[change.kind]
        before = {"phase": change.from_phase.order} if change.from_phase else {}
        self.audit.append(
            AuditEvent(
                actor=by,
                role=role,
                athlete=change.plan.athlete,
                action=action,
                target_type="rehab.phasechange",
                target_id=change.pk,
                before=before,
                after={"phase": change.to_phase.order, "phase_name": change.to_phase.name},
                at=change.changed_at,
            )
        )

    def _signoffs(self):
        """Sign-off requests snapshot the evidence of their day, so they are made once the
        check-ins, sessions and tests exist: Jonas waits for review, Daniel was cleared."""
        for story, plan, change, coach, clinician in self.signoffs:
            final = plan.protocol.phases.get(order=6)
            if story == "requested":
                at = _at(self.today - timedelta(days=1), 16)
                request = SignOffRequest.objects.create(
                    plan=plan,
                    kind=SignOffRequest.Kind.RETURN_TO_PLAY,
                    target_phase=final,
                    requested_by=coach,
                    requested_at=at,
                    note="Gates of phase 5 met for over a week; asks for return-to-play review.",
                    evidence=build_evidence(plan, now=at),
                )
                self._request_event(request, coach, at)
                continue
            # Evidence as it stood in phase 5, the day before the clinician's approval.
            asked_at = change.changed_at - timedelta(hours=18)
            in_phase_5 = copy.copy(plan)
            in_phase_5.current_phase = change.from_phase
            in_phase_5.phase_entered_at = (
                plan.phase_changes.filter(to_phase=change.from_phase)
                .latest("changed_at")
                .changed_at
            )
            evidence = build_evidence(in_phase_5, now=asked_at)
            request = SignOffRequest.objects.create(
                plan=plan,
                kind=SignOffRequest.Kind.RETURN_TO_PLAY,
                target_phase=final,
                status=SignOffRequest.Status.APPROVED,
                requested_by=coach,
                requested_at=asked_at,
                note="Every gate of phase 5 met.",
                evidence=evidence,
            )
            self._request_event(request, coach, asked_at)
            rationale = "Gates met with margin; pain-free maximal sprints for 10 days."
            # The phase change was made with the plan's history; it carries this evidence.
            PhaseChange.objects.filter(pk=change.pk).update(
                reason=rationale, evidence={**evidence, "signoff_request": request.pk}
            )
            decision = SignOffDecision.objects.create(
                request=request,
                decision=SignOffDecision.Decision.APPROVE,
                rationale=rationale,
                restrictions="No maximal sprints above 95 % for 7 days; re-test 30 m in 2 weeks.",
                decided_by=clinician,
                decided_role=Role.CLINICIAN,
                decided_at=change.changed_at,
            )
            AuditEvent.objects.create(
                actor=clinician,
                role=Role.CLINICIAN,
                athlete=plan.athlete,
                action=AuditAction.SIGNOFF_APPROVE,
                target_type="rehab.signoffdecision",
                target_id=decision.pk,
                before={"phase": 5, "request_status": "pending"},
                after={
                    "phase": 6,
                    "phase_name": final.name,
                    "request_status": "approved",
                    "decision": decision.pk,
                    "phase_change": change.pk,
                    "restrictions": decision.restrictions,
                },
                at=change.changed_at,
            )

    def _request_event(self, request, coach, at):
        AuditEvent.objects.create(
            actor=coach,
            role=Role.COACH,
            athlete=request.plan.athlete,
            action=AuditAction.SIGNOFF_REQUEST,
            target_type="rehab.signoffrequest",
            target_id=request.pk,
            before={"phase": 5},
            after={"request": request.pk, "kind": request.kind, "target_phase": 6},
            at=at,
        )

    def _pain_on(self, s: Scenario, day_index: int, days_total: int) -> tuple[int, int, int]:
        """Pain (rest, activity, morning) that settles from ~5 after injury to 0–1."""
        progress = day_index / max(days_total, 1)
        base = max(0.0, 5.5 * (1 - progress) ** 2)
        rest = max(0, round(base * 0.5 + self.rng.uniform(-0.4, 0.4)))
        activity = max(0, round(base + self.rng.uniform(-0.6, 0.8)))
        morning = max(0, round(base * 0.7 + self.rng.uniform(-0.5, 0.5)))
        if days_total - day_index <= 10:  # recent days: keep under the 3/10 threshold
            rest, activity, morning = min(rest, 1), min(activity, 2), min(morning, 2)
        return min(rest, 10), min(activity, 10), min(morning, 10)

    def _checkins(self, athlete, s: Scenario, plan):
        first_day = self.today - timedelta(days=HISTORY_DAYS)
        injured_on = plan.injury.occurred_on
        days_total = (self.today - plan.started_at.date()).days
        day = first_day
        while day <= self.today:
            days_ago = (self.today - day).days
            skip = (
                ("missed" in s.story and days_ago < 5)
                or ("no_today" in s.story and days_ago == 0)
                # A random missed day, except for the athletes whose gates are all met.
                or (days_ago > 2 and self.rng.random() < 0.08 and "ready" not in s.story)
            )
            if not skip:
                index = max(0, days_total - days_ago)
                rest, activity, morning = self._pain_on(s, index, days_total)
                if day < injured_on:  # training normally before the injury
                    rest, activity, morning = 0, self.rng.randint(0, 1), 0
                elif day < plan.started_at.date():  # the days between injury and assessment
                    rest, activity, morning = 4, 7, 6
                if "persisting_pain" in s.story and days_ago <= 3:
                    # Four mornings in a row with pain at or above 3/10, rising at the end.
                    rest, activity, morning = [(3, 5, 5), (2, 5, 4), (2, 4, 4), (2, 4, 3)][days_ago]
                confidence = min(
                    10, 3 + round(7 * index / max(days_total, 1)) + self.rng.randint(0, 1)
                )
                if "ready" in s.story and days_ago < 7:
                    confidence = max(confidence, 8)
                self.checkins.append(
                    CheckIn(
                        athlete=athlete,
                        taken_at=self._taken(day, 7, self.rng.randint(10, 55)),
                        local_date=day,
                        pain_rest=rest,
                        pain_activity=activity,
                        pain_morning=morning,
                        soreness_injured=min(10, activity + self.rng.randint(0, 1)),
                        soreness_other=self.rng.randint(0, 1),
                        sleep_hours=round(self.rng.uniform(6.5, 9.0), 1),
                        sleep_quality=self.rng.randint(5, 9),
                        confidence=confidence,
                        readiness=min(10, max(0, confidence + self.rng.randint(-1, 1))),
                        pain_location="back of thigh" if s.group == "hamstring" else "lower calf",
                        created_by=athlete.user,
                    )
                )
            if not skip and self.rng.random() < 0.45:
                self.recovery.append(
                    RecoveryActivity(
                        athlete=athlete,
                        performed_on=day,
                        kind=self.rng.choice(
                            [
                                RecoveryKind.FOAM_ROLLING,
                                RecoveryKind.MOBILITY,
                                RecoveryKind.COLD,
                                RecoveryKind.MASSAGE,
                                RecoveryKind.CROSS_TRAINING,
                                RecoveryKind.SLEEP,
                            ]
                        ),
                        minutes=self.rng.choice([10, 15, 20, 30, 45]),
                    )
                )
            day += timedelta(days=1)

    def _healthy_checkins(self, athlete):
        for days_ago in range(14, -1, -1):
            day = self.today - timedelta(days=days_ago)
            self.checkins.append(
                CheckIn(
                    athlete=athlete,
                    taken_at=self._taken(day, 8),
                    local_date=day,
                    pain_rest=0,
                    pain_activity=self.rng.randint(0, 1),
                    pain_morning=0,
                    soreness_injured=None,
                    soreness_other=None,
                    sleep_hours=8,
                    sleep_quality=8,
                    confidence=9,
                    readiness=8,
                )
            )

    def _sessions_and_tests(self, athlete, s: Scenario, plan, scale):
        phases = {
            pc.to_phase.order: pc.changed_at.date()
            for pc in plan.phase_changes.select_related("to_phase")
        }
        start = plan.started_at.date()
        types_by_phase = {
            0: [SessionType.STRENGTH, SessionType.CROSS_TRAINING],
            1: [SessionType.TECHNIQUE, SessionType.TEMPO, SessionType.STRENGTH],
            2: [SessionType.ACCELERATION, SessionType.TECHNIQUE, SessionType.PLYOMETRIC],
            3: [SessionType.ACCELERATION, SessionType.FLY_IN, SessionType.RESISTED],
            4: [SessionType.FLY_IN, SessionType.ACCELERATION, SessionType.PLYOMETRIC],
            5: [SessionType.FLY_IN, SessionType.ACCELERATION, SessionType.STRENGTH],
            6: [SessionType.FLY_IN, SessionType.STRENGTH, SessionType.TEMPO],
        }
        max_pct = {0: None, 1: 65, 2: 78, 3: 88, 4: 94, 5: 100, 6: 100}
        day = max(start, self.today - timedelta(days=HISTORY_DAYS))
        while day <= self.today:
            phase = max(order for order, entered in phases.items() if entered <= day)
            if day.weekday() in (0, 2, 4, 5) and day < self.today:
                kind = self.rng.choice(types_by_phase[phase])
                sprinting = kind in (
                    SessionType.ACCELERATION,
                    SessionType.FLY_IN,
                    SessionType.RESISTED,
                )
                self.sessions.append(
                    TrainingSession(
                        athlete=athlete,
                        plan=plan,
                        date=day,
                        type=kind,
                        duration_min=self.rng.choice([40, 45, 50, 60, 75]),
                        rpe=min(10, 3 + phase // 2 + self.rng.randint(0, 2)),
                        top_intensity_pct=max_pct[phase] if sprinting else None,
                        sprint_distance_m=self.rng.choice([150, 200, 300, 400])
                        if sprinting
                        else None,
                        surface=TrainingSession.Surface.TRACK
                        if sprinting
                        else TrainingSession.Surface.GYM,
                        pain_during=self.rng.choice([0, 0, 1, 1, 2]) if phase < 6 else 0,
                        pain_after=self.rng.choice([0, 1, 1, 2]) if phase < 6 else 0,
                        logged_by=None,
                    )
                )
            if day.weekday() == 3:  # weekly testing day
                self._tests(athlete, s, day, phase, (day - start).days, scale)
            day += timedelta(days=1)
        if "regressed_30m" in s.story:
            # The latest 30 m (yesterday's, or just after today's if today was a testing day)
            # was clearly slower than the best of the last four weeks.
            splits = [
                m
                for m in self.measurements
                if m.athlete is athlete and m.metric.code == "split_30m"
            ]
            best = min(m.value for m in splits)
            latest = max(m.measured_at for m in splits)
            self.measurements.append(
                Measurement(
                    athlete=athlete,
                    metric=self.metrics["split_30m"],
                    value=round(best * 1.038, 3),
                    measured_at=max(
                        _at(self.today - timedelta(days=1), 17), latest + timedelta(minutes=1)
                    ),
                    notes="Timing gates, 2 trials",
                )
            )

    def _tests(self, athlete, s, day, phase, days_since_start, scale):
        m, at = self.metrics, self._taken(day, 17, 30)
        ready = "ready" in s.story or phase == 6
        recovery = min(1.0, 0.62 + 0.35 * days_since_start / 45) if not ready else 0.97
        injured, other = s.side, "right" if s.side == "left" else "left"

        def add(code, value, side=""):
            self.measurements.append(
                Measurement(
                    athlete=athlete,
                    metric=m[code],
                    value=round(value, 3),
                    side=side,
                    measured_at=at,
                )
            )

        strength_code = "knee_flexor_strength" if s.group == "hamstring" else "calf_raises"
        base = BASELINES[strength_code] * scale
        add(strength_code, base * recovery, injured)
        add(strength_code, base * 1.0, other)
        if phase >= 2:
            add("single_leg_hop", BASELINES["single_leg_hop"] * scale * recovery, injured)
            add("single_leg_hop", BASELINES["single_leg_hop"] * scale, other)
            slower = 1.0 + max(0.015, 0.16 * (1 - recovery)) if not ready else 1.015
            add("split_30m", BASELINES["split_30m"] * (2 - scale) * slower)
            add("peak_velocity", BASELINES["peak_velocity"] * scale / slower)
        if s.group == "calf":
            add(
                "knee_to_wall",
                BASELINES["knee_to_wall"] * scale * min(1.0, recovery + 0.05),
                injured,
            )
            add("knee_to_wall", BASELINES["knee_to_wall"] * scale, other)
            if phase >= 4:
                add("triple_hop", BASELINES["triple_hop"] * scale * recovery, injured)
                add("triple_hop", BASELINES["triple_hop"] * scale, other)
        if phase >= 1:
            add("palpation", 1, injured)
        if phase >= 4 and s.group == "hamstring":
            add("h_test", 1 if (ready or phase >= 5 or days_since_start > 40) else 0, injured)

    def flush(self):
        CheckIn.objects.bulk_create(self.checkins, batch_size=1000)
        RecoveryActivity.objects.bulk_create(self.recovery, batch_size=1000)
        TrainingSession.objects.bulk_create(self.sessions, batch_size=1000)
        Measurement.objects.bulk_create(self.measurements, batch_size=1000)
        AuditEvent.objects.bulk_create(self.audit, batch_size=1000)
        self._signoffs()
