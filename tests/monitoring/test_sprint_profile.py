"""The sprint profile (issue 18, item 2): the mono-exponential model fitted to split times.

Pure functions, no database. Synthetic splits are generated here from the model's distance
equation (solved for t by bisection, independently of the module's Lambert-W closed form)."""

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.sprint_profile import (
    SprintProfile,
    air_friction_coefficient,
    fit_profile,
    model_distance,
    model_times,
)


def distance(t, mss, tau):
    return mss * (t + tau * math.exp(-t / tau) - tau)


def time_at(d, mss, tau):
    """Invert d(t) by bisection: d(t) rises strictly, d(0) = 0, and d(d/mss + tau) > d."""
    lo, hi = 0.0, d / mss + tau
    for _ in range(200):
        mid = (lo + hi) / 2
        if distance(mid, mss, tau) < d:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def splits(distances, mss, tau, shift=0.0):
    """Split times as a timer that starts `shift` s after force onset would record them."""
    return [(d, time_at(d, mss, tau) - shift) for d in distances]


DISTANCES = {
    3: (10, 20, 40),
    4: (10, 20, 30, 40),
    5: (5, 10, 20, 30, 40),
    6: (5, 10, 20, 30, 40, 60),
}
GRID = list(itertools.product((7.0, 9.0, 11.0), (0.8, 1.2, 1.6), sorted(DISTANCES)))


def test_the_bisection_and_the_closed_form_agree():
    for d in (5, 10, 30, 60):
        t = time_at(d, 9.0, 1.2)
        assert model_times([d], 9.0, 1.2)[0] == pytest.approx(t, abs=1e-9)
        assert model_distance(t, 9.0, 1.2) == pytest.approx(d, abs=1e-9)


@pytest.mark.parametrize(("mss", "tau", "n"), GRID)
@pytest.mark.parametrize("start", ["standing", "crouch"])
def test_the_fit_recovers_mss_and_tau_without_a_shift(mss, tau, n, start):
    profile = fit_profile(splits(DISTANCES[n], mss, tau), start=start)

    assert profile.quality == "good"
    assert profile.mss == pytest.approx(mss, rel=0.005)
    assert profile.tau == pytest.approx(tau, rel=0.02)
    assert profile.time_shift == 0.0
    assert profile.max_acceleration == pytest.approx(mss / tau, rel=0.025)
    assert profile.t90 == pytest.approx(tau * math.log(10), rel=0.02)
    assert profile.rmse < 0.001


@pytest.mark.parametrize(("mss", "tau", "n"), GRID)
@pytest.mark.parametrize("shift", [0.1, 0.2, 0.3])
def test_the_fit_recovers_mss_tau_and_the_shift_of_a_standing_start(mss, tau, n, shift):
    profile = fit_profile(splits(DISTANCES[n], mss, tau, shift), start="standing")

    assert profile.quality == "good"
    assert profile.mss == pytest.approx(mss, rel=0.005)
    assert profile.tau == pytest.approx(tau, rel=0.02)
    assert profile.time_shift == pytest.approx(shift, abs=0.005)
    assert profile.rmse < 0.001


def test_a_crouch_start_takes_a_shift_too_when_it_clearly_improves_the_fit():
    profile = fit_profile(splits((5, 10, 20, 30, 40), 9.0, 1.2, shift=0.25), start="crouch")

    assert profile.time_shift == pytest.approx(0.25, abs=0.005)
    assert profile.mss == pytest.approx(9.0, rel=0.005)
    assert profile.quality == "good"


def test_a_shift_that_does_not_improve_the_fit_meaningfully_is_left_out():
    # 3 splits with a few ms of timing noise: a shifted fit is exactly determined (rmse 0),
    # but it would only be fitting the noise.
    clean = splits((10, 20, 40), 9.0, 1.2)
    noisy = [(d, t + e) for (d, t), e in zip(clean, (0.003, -0.003, 0.002), strict=True)]

    profile = fit_profile(noisy, start="standing")

    assert profile.time_shift == 0.0
    assert profile.quality == "good"
    assert profile.mss == pytest.approx(9.0, rel=0.03)


def test_two_splits_are_fitted_exactly_without_a_shift():
    two = splits((10, 30), 9.0, 1.2)

    profile = fit_profile(two)

    assert profile.quality == "good"
    assert profile.time_shift == 0.0
    assert profile.mss == pytest.approx(9.0, rel=1e-4)
    assert profile.tau == pytest.approx(1.2, rel=1e-4)
    assert profile.rmse < 1e-6


def test_two_splits_that_need_a_shift_ask_for_a_third():
    # 10 m in 1.30 s from a standing start, then 30 m in 3.40 s: no τ ≥ 0.3 s reaches 10 m
    # that soon and still needs 3.40 s for 30 m. A timer that started late explains it, but
    # a shift is a third unknown; only a third split can separate the two.
    profile = fit_profile([(10, 1.30), (30, 3.40)])

    assert profile.quality == "too_few_splits"
    assert "third split" in str(profile.quality_text)


@pytest.mark.parametrize("start", ["standing", "crouch"])
def test_fewer_than_two_splits_are_too_few(start):
    for few in ([], [(10, 1.9)]):
        profile = fit_profile(few, start=start)
        assert profile == SprintProfile(
            mss=None, tau=None, time_shift=0.0, max_acceleration=None, t90=None,
            f0=None, v0=None, pmax=None, rmse=None,
            quality="too_few_splits", quality_text=profile.quality_text,
        )  # fmt: skip
        assert str(profile.quality_text) == "Needs at least 2 splits."


@pytest.mark.parametrize(
    "impossible",
    [
        [(10, 1.5), (20, 5.0)],  # 6.7 m/s, then 2.9 m/s
        [(10, 1.8), (20, 3.0), (30, 5.5)],  # 5.6, 8.3, then 4.0 m/s
        [(10, 1.0), (20, 2.0), (30, 3.0), (40, 4.0)],  # flat: 10 m/s from the first step
        [(10, 1.0), (20, 2.1), (30, 3.3), (40, 4.6)],  # slowing from the first step
        [(5, 0.3), (10, 0.6), (20, 1.2)],  # 16.7 m/s: beyond any sprinter
    ],
)
def test_impossible_sequences_are_a_poor_fit_with_the_values_still_reported(impossible):
    profile = fit_profile(impossible, body_mass_kg=75)

    assert profile.quality == "poor_fit"
    assert profile.mss is not None and profile.tau is not None and profile.rmse is not None
    assert str(profile.quality_text)


def test_a_noisy_but_plausible_trial_is_not_a_poor_fit_and_a_badly_timed_one_is():
    clean = splits((5, 10, 20, 30, 40), 9.0, 1.2)
    jitter = (0.01, -0.01, 0.01, -0.01, 0.01)
    noisy = [(d, t + e) for (d, t), e in zip(clean, jitter, strict=True)]
    assert fit_profile(noisy).quality == "good"

    # One split 0.25 s late (a missed gate): the model cannot follow it.
    bad = [(d, t + (0.25 if d == 20 else 0.0)) for d, t in clean]
    profile = fit_profile(bad)
    assert profile.quality == "poor_fit"
    assert profile.rmse > 0.05


def test_a_flying_start_takes_the_fastest_segment():
    # Segments: 20 m in 2.10 s = 9.524 m/s; 10 m in 0.95 s = 10.526 m/s; 10 m in 0.97 s.
    profile = fit_profile(
        [(20, 2.10), (30, 3.05), (40, 4.02)], start="flying", run_in_m=30, body_mass_kg=75
    )

    assert profile.quality == "flying"
    assert profile.mss == pytest.approx(10 / 0.95)
    assert profile.tau is None and profile.max_acceleration is None and profile.t90 is None
    assert profile.f0 is None and profile.v0 is None and profile.pmax is None
    assert profile.rmse is None and profile.time_shift == 0.0


def test_a_flying_start_with_one_split_is_its_average_speed():
    profile = fit_profile([(30, 2.9)], start="flying", run_in_m=20)

    assert profile.quality == "flying"
    assert profile.mss == pytest.approx(30 / 2.9)


def test_the_force_velocity_profile_matches_the_one_worked_by_hand():
    # m = 75 kg, h = 1.75 m (default), MSS = 9 m/s, τ = 1.2 s.
    # ρ  = 1.293 · (760/760) · 273/(273 + 20)          = 1.20474 kg/m³
    # h^0.725 = 1.50038, m^0.425 = 6.26471
    # Af = 0.2025 · 1.50038 · 6.26471 · 0.266 = 1.90339 · 0.266 = 0.50630 m²
    # k  = 0.5 · 1.20474 · 0.50630 · 0.9               = 0.27448 kg/m; k/m = 0.0036598
    # Without air F_h/m = (MSS/τ)(1 − v/MSS) is exactly the line F0 = 7.5 N/kg, V0 = 9 m/s.
    # Air adds k·v²/m (0.296 N/kg at 9 m/s), convex in v; the least-squares line through the
    # samples (t = 0, 0.01 … 7.2 s, most of them near MSS) tilts: F0 drops a little below MSS/τ
    # and V0 rises a little above MSS. The sums below (721 samples) give
    # F0 = 7.4141 N/kg, V0 = 9.3587 m/s, Pmax = F0·V0/4 = 17.347 W/kg.
    m, mss, tau = 75.0, 9.0, 1.2
    rho = 1.293 * (760 / 760) * 273 / (273 + 20)
    area = 0.2025 * 1.75**0.725 * m**0.425 * 0.266
    k = 0.5 * rho * area * 0.9
    assert k == pytest.approx(0.27448, rel=1e-4)
    assert air_friction_coefficient(m) == pytest.approx(k)

    n = sv = sf = svv = svf = 0.0
    for i in range(721):
        t = i * 0.01
        v = mss * (1 - math.exp(-t / tau))
        f = (mss / tau) * math.exp(-t / tau) + k * v * v / m
        n, sv, sf, svv, svf = n + 1, sv + v, sf + f, svv + v * v, svf + v * f
    slope = (n * svf - sv * sf) / (n * svv - sv * sv)
    f0 = (sf - slope * sv) / n
    v0 = -f0 / slope
    assert (f0, v0, f0 * v0 / 4) == pytest.approx((7.4141, 9.3587, 17.347), rel=1e-3)

    profile = fit_profile(splits((5, 10, 20, 30, 40), mss, tau), body_mass_kg=m)

    assert profile.f0 == pytest.approx(f0, rel=0.02)
    assert profile.v0 == pytest.approx(v0, rel=0.02)
    assert profile.pmax == pytest.approx(f0 * v0 / 4, rel=0.02)
    assert profile.f0 == pytest.approx(7.41, rel=0.02)
    assert profile.v0 == pytest.approx(9.36, rel=0.02)
    assert profile.pmax == pytest.approx(17.35, rel=0.02)


def test_height_changes_only_the_air_term_and_no_body_mass_means_no_force_profile():
    two = splits((10, 20, 30, 40), 9.0, 1.2)
    tall = fit_profile(two, body_mass_kg=75, height_m=2.0)
    short = fit_profile(two, body_mass_kg=75, height_m=1.6)
    assert tall.v0 > short.v0  # more air friction: the line tilts further from MSS
    assert tall.mss == short.mss and tall.tau == short.tau

    none = fit_profile(two)
    assert none.f0 is None and none.v0 is None and none.pmax is None


@pytest.mark.parametrize(
    ("bad", "kwargs"),
    [
        ([(10, 1.9), (10, 2.5)], {}),  # distances not increasing
        ([(10, 1.9), (20, 1.9)], {}),  # times not increasing
        ([(0, 0.5), (10, 1.9)], {}),  # distance 0
        ([(10, -1.0), (20, 3.0)], {}),  # negative time
        ([(10, float("nan")), (20, 3.0)], {}),
        ([(10, 1.9), (20, 3.0)], {"start": "rolling"}),
        ([(10, 1.9), (20, 3.0)], {"body_mass_kg": 0}),
        ([(10, 1.9), (20, 3.0)], {"height_m": -1.7}),
    ],
)
def test_invalid_input_is_refused(bad, kwargs):
    with pytest.raises(ValueError):
        fit_profile(bad, **kwargs)


@settings(max_examples=60)
@given(
    mss=st.floats(7.0, 11.0),
    tau=st.floats(0.8, 1.6),
    shift=st.one_of(st.just(0.0), st.floats(0.2, 0.4)),
    distances=st.lists(st.sampled_from((5, 10, 15, 20, 30, 40, 50, 60)), min_size=3, unique=True),
)
def test_any_exact_trial_in_range_is_recovered(mss, tau, shift, distances):
    # The layouts gates are set up in: a split by 10 m (where a late start shows: without it
    # τ absorbs the shift to within 3 ms) and one at 30 m or beyond (near top speed).
    distances = set(distances)
    if min(distances) > 10:
        distances.add(10)
    if max(distances) < 30:
        distances.add(30)
    distances = sorted(distances)

    profile = fit_profile(splits(distances, mss, tau, shift), start="standing")

    assert profile.quality == "good"
    assert profile.mss == pytest.approx(mss, rel=0.005)
    assert profile.tau == pytest.approx(tau, rel=0.02)
    assert profile.time_shift == pytest.approx(shift, abs=0.005)
