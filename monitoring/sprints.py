"""Recording sprint trials (PRODUCT issue 18): the splits checked, the sprint profile fitted
(monitoring.sprint_profile), and the trial stored with its derived measurements.

Pages, the API and imports call `record_sprint_trial`; nothing else writes SprintTrial rows or
derived measurements.
"""

import datetime as dt
import logging
import math
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext

from athletes.access import require_role
from athletes.evaluation import request_evaluation
from athletes.models import Baseline, Injury, Role
from core.db import insert_unless_exists

from .metric_registry import SPRINT_PROFILE_METRICS
from .models import (
    MAX_BODY_MASS_KG,
    MAX_RUN_IN_M,
    MAX_SPLIT_DISTANCE_M,
    MAX_SPLIT_TIME_S,
    MAX_SPRINT_SPLITS,
    MIN_BODY_MASS_KG,
    Measurement,
    MetricKind,
    SprintQuality,
    SprintStart,
    SprintTrial,
)
from .services import clean_log_time, replayed
from .sprint_profile import QUALITY_TEXTS, fit_profile

logger = logging.getLogger(__name__)

# Who records a sprint: the athlete's coaches and clinicians, as for measurements (an athlete
# does not time their own sprints: the API's measurements take staff only).
RECORDED_BY = (Role.COACH, Role.CLINICIAN)

# The fits whose values are usable as measurements: a poor fit's numbers stay on the trial
# for people to see, but no gate, chart, flag or baseline should read them.
USABLE_QUALITIES = (SprintQuality.GOOD, SprintQuality.FLYING)


def _number(value) -> float | None:
    """A finite float from a JSON number (or a numeric string a form posts); None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value or len(value) > 30:
            return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def clean_splits(splits) -> list[dict]:
    """The splits as [{"distance_m": float, "time_s": float}, …], or ValidationError at
    `splits` with one message per rule broken, each naming the split (1-based)."""
    if not isinstance(splits, list | tuple) or len(splits) < 2:
        raise ValidationError({"splits": [gettext("Enter at least two splits.")]})
    if len(splits) > MAX_SPRINT_SPLITS:
        raise ValidationError(
            {"splits": [gettext("Enter at most %(count)d splits.") % {"count": MAX_SPRINT_SPLITS}]}
        )
    errors, cleaned = [], []
    previous = None
    for n, split in enumerate(splits, start=1):
        if not isinstance(split, dict):
            errors.append(gettext("Split %(n)d: enter a distance in m and a time in s.") % {"n": n})
            previous = None
            continue
        distance, time = _number(split.get("distance_m")), _number(split.get("time_s"))
        problems = []
        if distance is None:
            problems.append(gettext("Split %(n)d: the distance must be a number.") % {"n": n})
        elif distance <= 0:
            problems.append(
                gettext("Split %(n)d: the distance must be greater than 0 m.") % {"n": n}
            )
        elif distance > MAX_SPLIT_DISTANCE_M:
            problems.append(
                gettext("Split %(n)d: the distance must be at most %(max)d m.")
                % {"n": n, "max": MAX_SPLIT_DISTANCE_M}
            )
        if time is None:
            problems.append(gettext("Split %(n)d: the time must be a number.") % {"n": n})
        elif time <= 0:
            problems.append(gettext("Split %(n)d: the time must be greater than 0 s.") % {"n": n})
        elif time > MAX_SPLIT_TIME_S:
            problems.append(
                gettext("Split %(n)d: the time must be at most %(max)d s.")
                % {"n": n, "max": MAX_SPLIT_TIME_S}
            )
        if not problems and previous is not None:
            if distance <= previous["distance_m"]:
                problems.append(
                    gettext("Split %(n)d: the distance must be greater than the one before.")
                    % {"n": n}
                )
            if time <= previous["time_s"]:
                problems.append(
                    gettext("Split %(n)d: the time must be greater than the one before.") % {"n": n}
                )
        errors.extend(problems)
        current = None if problems else {"distance_m": distance, "time_s": time}
        if current is not None:
            cleaned.append(current)
        previous = current
    if errors:
        raise ValidationError({"splits": errors})
    return cleaned


def _clean_start(start, run_in_m) -> tuple[str, float | None]:
    if start not in SprintStart.values:
        raise ValidationError({"start": gettext("Choose a standing, crouch or flying start.")})
    if start != SprintStart.FLYING:
        if run_in_m not in (None, ""):
            raise ValidationError(
                {"run_in_m": gettext("Only a flying start has a run-in: leave it empty.")}
            )
        return start, None
    run_in = _number(run_in_m)
    if run_in is None or not 0 < run_in <= MAX_RUN_IN_M:
        raise ValidationError(
            {
                "run_in_m": gettext(
                    "A flying start needs its run-in: more than 0 and at most %(max)d m."
                )
                % {"max": MAX_RUN_IN_M}
            }
        )
    return start, run_in


def _clean_body_mass(body_mass_kg) -> float | None:
    if body_mass_kg in (None, ""):
        return None
    mass = _number(body_mass_kg)
    if mass is None or not MIN_BODY_MASS_KG <= mass <= MAX_BODY_MASS_KG:
        raise ValidationError(
            {
                "body_mass_kg": gettext("Enter a body mass between %(low)d and %(high)d kg.")
                % {"low": MIN_BODY_MASS_KG, "high": MAX_BODY_MASS_KG}
            }
        )
    return mass


def record_sprint_trial(
    athlete,
    *,
    by,
    measured_at: dt.datetime | None,
    splits,
    start: str,
    run_in_m=None,
    body_mass_kg=None,
    session=None,
    notes: str = "",
    client_key: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> SprintTrial:
    """Store one sprint trial and its fitted profile exactly once.

    - `by` must be a coach or clinician of the athlete's team (PermissionDenied otherwise).
    - The splits, start, run-in, body mass, session and time are checked first; errors are
      keyed by field, each message naming the split it is about.
    - The profile is fitted (monitoring.sprint_profile.fit_profile); the trial and one derived
      measurement per fitted value (source "derived", linked to the trial, at the trial's
      time) are stored in one transaction with the athlete's evaluation request. A poor fit's
      values stay on the trial only; a value outside its metric's plausible range is not
      stored as a measurement.
    - The same `client_key` again returns the first trial and writes nothing.
    """
    require_role(by, athlete, RECORDED_BY)
    now = now or timezone.now()
    if (existing := replayed(SprintTrial, athlete, client_key)) is not None:
        return existing
    measured_at = clean_log_time(measured_at, now=now, field="measured_at", what="sprint")
    cleaned = clean_splits(splits)
    start, run_in = _clean_start(start, run_in_m)
    mass = _clean_body_mass(body_mass_kg)
    if session is not None and session.athlete_id != athlete.pk:
        raise ValidationError({"session": gettext("Choose a session of this athlete.")})
    pairs = [(split["distance_m"], split["time_s"]) for split in cleaned]
    profile = fit_profile(pairs, start=start, run_in_m=run_in, body_mass_kg=mass)
    trial = SprintTrial(
        athlete=athlete,
        measured_at=measured_at,
        session=session,
        start=start,
        run_in_m=run_in,
        splits=cleaned,
        body_mass_kg=mass,
        wind_surface_notes=(notes or "").strip(),
        mss=profile.mss,
        tau=profile.tau,
        time_shift=profile.time_shift,
        max_acceleration=profile.max_acceleration,
        t90=profile.t90,
        f0=profile.f0,
        v0=profile.v0,
        pmax=profile.pmax,
        rmse=profile.rmse,
        quality=profile.quality,
        client_key=client_key,
        created_by=by,
    )
    trial.full_clean(exclude=["athlete", "created_by", "session"], validate_unique=False)
    with transaction.atomic():
        if not insert_unless_exists(trial):
            # The same key a moment ago, from a request that has just committed.
            return replayed(SprintTrial, athlete, client_key)
        Measurement.objects.bulk_create(_derived_measurements(trial, by=by))
        request_evaluation([athlete.pk])
    return trial


def _derived_measurements(trial: SprintTrial, *, by) -> list[Measurement]:
    """One measurement per usable fitted value of the trial (source "derived")."""
    if trial.quality not in USABLE_QUALITIES:
        return []
    metrics = MetricKind.objects.in_bulk(SPRINT_PROFILE_METRICS.values(), field_name="code")
    rows = []
    for attribute, code in SPRINT_PROFILE_METRICS.items():
        value, metric = getattr(trial, attribute), metrics.get(code)
        if value is None or metric is None or not math.isfinite(value):
            continue
        if metric.value_errors(value):
            logger.info(
                "Sprint trial %s: %s = %r is not plausible; not stored", trial.pk, code, value
            )
            continue
        rows.append(
            Measurement(
                athlete_id=trial.athlete_id,
                metric=metric,
                value=value,
                measured_at=trial.measured_at,
                session_id=trial.session_id,
                source=Measurement.Source.DERIVED,
                sprint_trial=trial,
                logged_by=by,
            )
        )
    return rows


@dataclass(frozen=True)
class TopSpeedBaseline:
    """The athlete's own maximal sprinting speed before the injury, in m/s, and where it comes
    from: "typed" (their baseline of sprint_mss) or "trials" (`trial`, their fastest usable
    trial before the injury)."""

    value: float
    source: str
    trial: SprintTrial | None = None

    def percent(self, mss: float | None) -> float | None:
        """A speed as % of this baseline, to one decimal (None without a speed)."""
        return None if mss is None else round(100.0 * mss / self.value, 1)


def pre_injury_top_speed(athlete) -> TopSpeedBaseline | None:
    """The speed the ladder of phases is held to (issue 18): the typed baseline of maximal
    sprinting speed if there is one, else the fastest good or flying-start trial measured
    before the athlete's latest injury; None when neither exists."""
    return pre_injury_top_speeds([athlete.pk]).get(athlete.pk)


def pre_injury_top_speeds(athlete_ids) -> dict[int, TopSpeedBaseline]:
    """`pre_injury_top_speed` of many athletes in two queries: athlete id → baseline, for those
    who have one. `athlete_ids` may be a list or a subquery of ids."""
    typed = {
        athlete_id: TopSpeedBaseline(value=value, source="typed")
        for athlete_id, value in Baseline.objects.filter(
            athlete_id__in=athlete_ids,
            metric__code=SPRINT_PROFILE_METRICS["mss"],
            value__gt=0,
        ).values_list("athlete_id", "value")
    }
    latest_injury = (
        Injury.objects.filter(athlete_id=OuterRef("athlete_id"))
        .order_by("-occurred_on")
        .values("occurred_on")[:1]
    )
    fastest = (
        SprintTrial.objects.filter(
            athlete_id__in=athlete_ids, quality__in=USABLE_QUALITIES, mss__isnull=False
        )
        # Before the local day of the injury (the day is all the injury record says).
        .filter(measured_at__date__lt=Subquery(latest_injury))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("athlete_id")],
                order_by=[F("mss").desc(), F("id").asc()],
            )
        )
        .filter(rank=1)
        .order_by()
    )
    by_trials = {
        trial.athlete_id: TopSpeedBaseline(value=trial.mss, source="trials", trial=trial)
        for trial in fastest
    }
    return by_trials | typed  # a typed baseline wins


# A session's fastest usable sprint trial, as an annotation (voided trials left out: a join
# bypasses the manager).
SESSION_TOP_MSS = Max(
    "sprint_trials__mss",
    filter=Q(sprint_trials__quality__in=USABLE_QUALITIES, sprint_trials__voided_at__isnull=True),
)


def session_top_mss(session_id) -> float | None:
    """SESSION_TOP_MSS of one session (a session just created carries no annotation)."""
    return SprintTrial.objects.filter(
        session_id=session_id, quality__in=USABLE_QUALITIES
    ).aggregate(top=Max("mss"))["top"]


class TopSpeeds:
    """Pre-injury top speeds read once for the athletes of a page of rows, and looked up per
    row; an athlete not read before is read on its own (a row created after the page)."""

    def __init__(self, athlete_ids=()):
        self._known = pre_injury_top_speeds(list(athlete_ids)) if athlete_ids else {}
        self._read = set(athlete_ids)

    def of(self, athlete_id) -> TopSpeedBaseline | None:
        if athlete_id not in self._read:
            self._known |= pre_injury_top_speeds([athlete_id])
            self._read.add(athlete_id)
        return self._known.get(athlete_id)


def top_speed_share(mss: float | None, baseline: TopSpeedBaseline | None) -> dict:
    """A top speed and its share of the athlete's pre-injury top speed, as the API and the
    pages show it (percent None without a speed or a baseline)."""
    return {
        "mss": round(mss, 2) if mss is not None else None,
        "pre_injury_mss": round(baseline.value, 2) if baseline else None,
        "pre_injury_source": baseline.source if baseline else None,
        "percent": baseline.percent(mss) if baseline else None,
    }


def trial_profile(trial: SprintTrial) -> dict:
    """The trial's fitted profile as the API shows it."""
    return {
        "mss": trial.mss,
        "tau": trial.tau,
        "time_shift": trial.time_shift,
        "max_acceleration": trial.max_acceleration,
        "t90": trial.t90,
        "f0": trial.f0,
        "v0": trial.v0,
        "pmax": trial.pmax,
        "rmse": trial.rmse,
        "quality": trial.quality,
        "quality_text": str(QUALITY_TEXTS.get(trial.quality, "")),
    }
