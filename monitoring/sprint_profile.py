"""The sprint profile: the mono-exponential model of sprint velocity fitted to split times.

A pure module (no models, no database): split times in, a `SprintProfile` out. Services store
its numbers as derived measurements; pages and the API only show them.

The model (Furusawa, Hill and Parkinson 1927; used for split times by Clark et al. and by
Samozino et al. 2016, below):

    v(t) = MSS·(1 − e^(−t/τ))                 velocity
    d(t) = MSS·(t + τ·e^(−t/τ) − τ)           distance from the start

MSS is the maximal sprinting speed (m/s) and τ the acceleration time constant (s). The
maximal acceleration is MSS/τ (at t = 0) and the time to 90 % of MSS is τ·ln 10.

The fit (`fit_profile`) follows the literature: least squares on the split TIMES given the
distances (the distances are exact, the times carry the timing error). The time the model
needs to reach a distance d has a closed form through the Lambert W function (principal
branch W₀):

    t(d) = d/MSS + τ + τ·W₀(−e^(−d/(MSS·τ) − 1))

`scipy.optimize.least_squares` fits MSS in 3–13 m/s and τ in 0.3–3 s (several starting
points, the best kept). The residual error (`rmse`) is the root-mean-square difference between
the measured and the fitted split times, in seconds.

Time shift. With a standing start the timer starts when the athlete triggers the first gate or
lifts a foot from a pad, a little after force onset, so every measured time is short by the
same Δt: t_model = t_measured + Δt. For standing and crouch starts with at least 3 splits a
second fit with Δt in 0–0.5 s is tried, and kept only when it lowers the rmse by a meaningful
margin: by at least `SHIFT_MIN_GAIN_S` (3 ms, above the few-ms precision of timing gates) and,
with 4 or more splits, by an F-test of the nested fits (one extra parameter, p < 0.05);
otherwise `time_shift` is 0.0. With 3 splits the shifted fit is exactly determined (its rmse
is 0), so only the absolute margin can tell a late start from timing noise. A shift below
about 0.15 s is at the edge of what the splits show (a smaller τ absorbs most of it), and a
shift shows only with an early split: without one by 10 m (e.g. 15, 20, 30 m) a no-shift fit
with a shorter τ and a lower MSS stays within 3 ms of the splits and is kept.

Flying starts: the athlete is already running at the first line, so the model does not
apply; MSS is the fastest segment speed (distance difference / time difference over
consecutive splits, the first segment measured from the line), and τ, acceleration, t90 and
the force–velocity profile stay None. `run_in_m` (the run-in before the line) is accepted for
the record and does not change the result.

Verdicts (`quality`):
- "good": the fit is inside its bounds and rmse ≤ `POOR_FIT_RMSE_S` (0.05 s).
- "too_few_splits": fewer than 2 splits; or 2 splits whose exact (no-shift) solution needs τ at
  its lower bound, which a late timing start explains and only a third split can separate.
  Two splits that fit inside the bounds are exactly determined and "good".
- "poor_fit": rmse > 0.05 s, a parameter at a bound, or an impossible sequence (a segment
  more than `DECELERATION_TOLERANCE` slower than an earlier one; the model's speed only
  rises). The values that could be computed are still reported.
- "flying": a flying start (see above).
`quality_text` is a lazily translated sentence (gettext_lazy): `str()` it in the language the
reader needs, or store `quality` and look the sentence up in `QUALITY_TEXTS` when showing it.

Horizontal force–velocity profile (with body mass), Samozino P, Rabita G, Dorel S, et al.
"A simple method for measuring power, force, velocity properties, and mechanical
effectiveness in sprint running." Scand J Med Sci Sports 2016;26(6):648–658:

- t is sampled every `FV_TIME_STEP_S` (0.01 s) from 0 to 6τ (v reaches 99.75 % of MSS);
- a(t) = (MSS/τ)·e^(−t/τ), v(t) as above;
- air friction F_aero = k·v² with k = 0.5·ρ·Af·Cd (no wind):
  ρ = 1.293·(P/760)·(273/(273 + T)) kg/m³ with P = 760 mmHg and T = 20 °C by default
  (1.2047 kg/m³); Af = (0.2025·h^0.725·m^0.425)·0.266 m² (the frontal area as 26.6 % of the
  Du Bois body surface area) with h = `height_m` or 1.75 m by default; Cd = 0.9;
- F_h = m·a + F_aero; the linear regression of F_h/m on v gives F0 (its intercept, N/kg) and
  V0 (where it crosses F = 0, m/s); Pmax = F0·V0/4 (W/kg).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _
from scipy.optimize import least_squares
from scipy.special import lambertw
from scipy.stats import f as f_dist

START_TYPES = ("standing", "crouch", "flying")

MSS_BOUNDS = (3.0, 13.0)  # m/s
TAU_BOUNDS = (0.3, 3.0)  # s
SHIFT_BOUNDS = (0.0, 0.5)  # s
POOR_FIT_RMSE_S = 0.05
SHIFT_MIN_GAIN_S = 0.003  # a kept shift lowers the rmse by at least this much (s)...
SHIFT_F_TEST_P = 0.05  # ...and, with 4 or more splits, passes an F-test at this level
DECELERATION_TOLERANCE = 0.10  # a segment 10 % slower than an earlier one is impossible
BOUND_TOLERANCE = 1e-3  # a parameter within 0.1 % of its range from a bound is "at" it

# Samozino et al. 2016 defaults (see the module docstring).
AIR_PRESSURE_MMHG = 760.0
AIR_TEMPERATURE_C = 20.0
DRAG_COEFFICIENT = 0.9
DEFAULT_HEIGHT_M = 1.75
FV_TIME_STEP_S = 0.01
FV_DURATION_TAUS = 6.0

QUALITY_TEXTS = {
    "good": _("The sprint model fits these splits well."),
    "too_few_splits": _("Needs at least 2 splits."),
    "too_few_splits_shift": _(
        "Two splits cannot tell a late timing start from fast acceleration; add a third split."
    ),
    "poor_fit": _(
        "The sprint model does not fit these splits closely; check the times and distances."
    ),
    "poor_fit_slowing": _(
        "Later splits are much slower than earlier ones, which the sprint model cannot produce; "
        "check the times and distances."
    ),
    "flying": _("Flying start: top speed is the fastest segment; acceleration is not measured."),
}


@dataclass(frozen=True)
class SprintProfile:
    mss: float | None  # maximal sprinting speed, m/s
    tau: float | None  # acceleration time constant, s
    time_shift: float  # s; 0.0 when no shift was fitted
    max_acceleration: float | None  # m/s², MSS / tau
    t90: float | None  # s from the start to 90 % of MSS (tau * ln 10)
    f0: float | None  # N/kg (relative horizontal force), None without body mass
    v0: float | None  # m/s, theoretical max velocity of the F-v line
    pmax: float | None  # W/kg, F0*V0/4
    rmse: float | None  # s, root-mean-square error of the fitted split times
    quality: str  # "good", "too_few_splits", "poor_fit", "flying"
    quality_text: str  # a plain sentence for staff (lazily translated)


def model_times(distances, mss: float, tau: float) -> np.ndarray:
    """The times (s) at which the model (MSS, τ) reaches each distance (m), in closed form."""
    d = np.asarray(distances, dtype=float)
    w = lambertw(-np.exp(-d / (mss * tau) - 1.0), 0).real
    return d / mss + tau + tau * w


def model_distance(t, mss: float, tau: float):
    """The distance (m) covered by time t (s)."""
    return mss * (t + tau * np.exp(-np.asarray(t, dtype=float) / tau) - tau)


def _validate(splits, start, run_in_m, body_mass_kg, height_m):
    if start not in START_TYPES:
        raise ValueError(f"start must be one of {START_TYPES}, not {start!r}")
    pairs = [(float(d), float(t)) for d, t in splits]
    for d, t in pairs:
        if not (math.isfinite(d) and math.isfinite(t)) or d <= 0 or t <= 0:
            raise ValueError("split distances and times must be finite and > 0")
    for (d1, t1), (d2, t2) in zip(pairs, pairs[1:], strict=False):
        if d2 <= d1 or t2 <= t1:
            raise ValueError("split distances and times must be strictly increasing")
    for name, value in (
        ("run_in_m", run_in_m),
        ("body_mass_kg", body_mass_kg),
        ("height_m", height_m),
    ):
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be finite and ≥ 0")
    if body_mass_kg is not None and body_mass_kg <= 0:
        raise ValueError("body_mass_kg must be > 0")
    if height_m is not None and height_m <= 0:
        raise ValueError("height_m must be > 0")
    return pairs


def _segment_speeds(distances: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Average speed over each segment, the first from the line (0 m at 0 s)."""
    return np.diff(np.concatenate(([0.0], distances))) / np.diff(np.concatenate(([0.0], times)))


def _fit(distances, times, *, shift: bool):
    """Least squares on the split times; returns (mss, tau, shift, rmse)."""
    top = float(np.max(_segment_speeds(distances, times)))
    lower = [MSS_BOUNDS[0], TAU_BOUNDS[0]] + ([SHIFT_BOUNDS[0]] if shift else [])
    upper = [MSS_BOUNDS[1], TAU_BOUNDS[1]] + ([SHIFT_BOUNDS[1]] if shift else [])

    def residuals(p):
        dt = p[2] if shift else 0.0
        return model_times(distances, p[0], p[1]) - dt - times

    best = None
    for mss0 in (top * 1.02, top * 1.15):
        for tau0 in (0.6, 1.2, 2.0):
            x0 = [min(max(mss0, lower[0] + 1e-6), upper[0] - 1e-6), tau0]
            if shift:
                x0.append(0.1)
            result = least_squares(
                residuals,
                x0,
                bounds=(lower, upper),
                method="trf",
                x_scale=[1.0, 0.1] + ([0.1] if shift else []),
                ftol=1e-14,
                xtol=1e-14,
                gtol=1e-14,
                max_nfev=2000,
            )
            if best is None or result.cost < best.cost:
                best = result
    mss, tau = float(best.x[0]), float(best.x[1])
    dt = float(best.x[2]) if shift else 0.0
    rmse = float(np.sqrt(np.mean(best.fun**2)))
    return mss, tau, dt, rmse


def _shift_helps(rmse: float, shifted_rmse: float, n: int) -> bool:
    """Whether the shifted fit (3 parameters) beats the unshifted one (2) meaningfully."""
    if rmse - shifted_rmse < SHIFT_MIN_GAIN_S:
        return False
    if n == 3:  # exactly determined: the whole unshifted rmse is the gain
        return True
    rss, shifted_rss = n * rmse**2, n * shifted_rmse**2
    if shifted_rss <= 1e-12 * rss:
        return True
    f_stat = (rss - shifted_rss) / (shifted_rss / (n - 3))
    return float(f_dist.sf(f_stat, 1, n - 3)) < SHIFT_F_TEST_P


def _at_lower_bound(value: float, bounds: tuple[float, float]) -> bool:
    return value <= bounds[0] + BOUND_TOLERANCE * (bounds[1] - bounds[0])


def _at_upper_bound(value: float, bounds: tuple[float, float]) -> bool:
    return value >= bounds[1] - BOUND_TOLERANCE * (bounds[1] - bounds[0])


def _at_bound(value: float, bounds: tuple[float, float]) -> bool:
    return _at_lower_bound(value, bounds) or _at_upper_bound(value, bounds)


def air_friction_coefficient(body_mass_kg: float, height_m: float | None = None) -> float:
    """k (kg/m) in F_aero = k·v², Samozino et al. 2016 (module docstring), no wind."""
    h = DEFAULT_HEIGHT_M if height_m is None else height_m
    rho = 1.293 * (AIR_PRESSURE_MMHG / 760.0) * (273.0 / (273.0 + AIR_TEMPERATURE_C))
    frontal_area = 0.2025 * h**0.725 * body_mass_kg**0.425 * 0.266
    return 0.5 * rho * frontal_area * DRAG_COEFFICIENT


def force_velocity(mss: float, tau: float, body_mass_kg: float, height_m: float | None = None):
    """(F0 N/kg, V0 m/s, Pmax W/kg) by Samozino's simple method; None where undefined."""
    k = air_friction_coefficient(body_mass_kg, height_m)
    t = np.arange(0.0, FV_DURATION_TAUS * tau + FV_TIME_STEP_S / 2, FV_TIME_STEP_S)
    v = mss * (1.0 - np.exp(-t / tau))
    a = (mss / tau) * np.exp(-t / tau)
    force = a + k * v**2 / body_mass_kg  # F_h / m, N/kg
    slope, intercept = np.polyfit(v, force, 1)
    if not slope < 0:
        return None, None, None
    f0 = float(intercept)
    v0 = float(-intercept / slope)
    return f0, v0, f0 * v0 / 4.0


def fit_profile(
    splits: Sequence[tuple[float, float]],
    *,
    start: str = "standing",
    run_in_m: float | None = None,
    body_mass_kg: float | None = None,
    height_m: float | None = None,
) -> SprintProfile:
    """Fit the sprint model to (distance_m, time_s) splits measured from the start line."""
    pairs = _validate(splits, start, run_in_m, body_mass_kg, height_m)
    distances = np.array([d for d, _t in pairs])
    times = np.array([t for _d, t in pairs])

    def verdict(quality, text_key=None, **values):
        base = dict(
            mss=None,
            tau=None,
            time_shift=0.0,
            max_acceleration=None,
            t90=None,
            f0=None,
            v0=None,
            pmax=None,
            rmse=None,
        )
        base.update(values)
        return SprintProfile(
            quality=quality, quality_text=QUALITY_TEXTS[text_key or quality], **base
        )

    if not pairs:
        return verdict("too_few_splits")
    speeds = _segment_speeds(distances, times)
    if start == "flying":
        return verdict("flying", mss=float(np.max(speeds)))
    if len(pairs) < 2:
        return verdict("too_few_splits")

    mss, tau, shift, rmse = _fit(distances, times, shift=False)
    if start in ("standing", "crouch") and len(pairs) >= 3:
        s_mss, s_tau, s_shift, s_rmse = _fit(distances, times, shift=True)
        if _shift_helps(rmse, s_rmse, len(pairs)):
            mss, tau, shift, rmse = s_mss, s_tau, s_shift, s_rmse

    values = dict(
        mss=mss,
        tau=tau,
        time_shift=shift,
        max_acceleration=mss / tau,
        t90=tau * math.log(10.0),
        rmse=rmse,
    )
    if body_mass_kg is not None:
        f0, v0, pmax = force_velocity(mss, tau, body_mass_kg, height_m)
        values.update(f0=f0, v0=v0, pmax=pmax)

    slowing = bool(np.any(speeds < (1.0 - DECELERATION_TOLERANCE) * np.maximum.accumulate(speeds)))
    at_bounds = (
        _at_bound(mss, MSS_BOUNDS)
        or _at_bound(tau, TAU_BOUNDS)
        or _at_upper_bound(shift, SHIFT_BOUNDS)  # no shift (0.0) is not a bound hit
    )
    if slowing:
        return verdict("poor_fit", "poor_fit_slowing", **values)
    if len(pairs) == 2 and _at_lower_bound(tau, TAU_BOUNDS) and not _at_bound(mss, MSS_BOUNDS):
        # Faster early than any τ allows: what a late timer looks like, and a shift needs a
        # third split.
        return verdict("too_few_splits", "too_few_splits_shift", **values)
    if rmse > POOR_FIT_RMSE_S or at_bounds:
        return verdict("poor_fit", **values)
    return verdict("good", **values)
