"""A gate result in the athlete's own words: one sentence about their own body.

`gate_sentence(result)` is the one wording of a gate result for athletes: My plan, Today's
check-in feedback and the check-in API's `feedback` all call it. Staff pages keep the gate
engine's `detail` and rehab.evidence_text's fact lines.

The sentences report evidence and the target, never advice or clearance (PRODUCT.md §2.8):
"Strength of your injured leg: 92 % of the other leg — the target is 90 %". Values read at
the metric's precision (rehab.evidence_text.metric_text), dates in the locale's format
(evidence_text.day_text), and missing evidence is said plainly ("No strength test logged in
this phase yet"). A result without the engine's facts (an older snapshot) falls back to its
description.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .evidence_text import day_text, metric_text, number_text, result_metric

# How a bilateral test reads for the athlete ("Strength of your injured leg"), and what the
# missing test is called ("No strength test logged in this phase yet"), by metric code.
INJURED_LEG_WORDS = {
    "knee_flexor_strength": gettext_lazy("Strength of your injured leg"),
    "nordic_force": gettext_lazy("Nordic strength of your injured leg"),
    "single_leg_hop": gettext_lazy("Single-leg hop of your injured leg"),
    "triple_hop": gettext_lazy("Triple hop of your injured leg"),
    "calf_raises": gettext_lazy("Calf raises on your injured leg"),
    "knee_to_wall": gettext_lazy("Ankle bend of your injured leg (knee to wall)"),
    "hop_lsi": gettext_lazy("Hop of your injured leg"),
    "knee_flexor_lsi": gettext_lazy("Strength of your injured leg"),
}
TEST_WORDS = {
    "knee_flexor_strength": gettext_lazy("strength test"),
    "knee_flexor_lsi": gettext_lazy("strength test"),
    "nordic_force": gettext_lazy("Nordic test"),
    "single_leg_hop": gettext_lazy("single-leg hop test"),
    "triple_hop": gettext_lazy("triple hop test"),
    "hop_lsi": gettext_lazy("hop test"),
    "calf_raises": gettext_lazy("calf-raise test"),
    "knee_to_wall": gettext_lazy("knee-to-wall test"),
    "split_10m": gettext_lazy("10 m sprint time"),
    "split_20m": gettext_lazy("20 m sprint time"),
    "split_30m": gettext_lazy("30 m sprint time"),
    "split_40m": gettext_lazy("40 m sprint time"),
    "h_test_insecurity": gettext_lazy("H-test insecurity score"),
}


def _metric_name(result: dict, metric) -> str:
    if metric is not None and metric.name:
        return metric.name
    return result.get("metric") or _("test")


def _injured_leg(result: dict, metric) -> str:
    code = result.get("metric")
    if code in INJURED_LEG_WORDS:
        return str(INJURED_LEG_WORDS[code])
    return _("%(test)s, your injured leg") % {"test": _metric_name(result, metric)}


def _test(result: dict, metric) -> str:
    code = result.get("metric")
    if code in TEST_WORDS:
        return str(TEST_WORDS[code])
    return _metric_name(result, metric)


def _not_logged(result: dict, metric) -> str:
    return _("No %(test)s logged in this phase yet") % {"test": _test(result, metric)}


def percent_text(value: float, target: float | None = None) -> str:
    """A percentage in whole numbers ("92"), with one decimal where rounding would move it
    onto or across `target`, whichever way the target bounds it (89.6 against "at least 90"
    reads "89.6", 105.4 against "at most 105" reads "105.4")."""
    whole = round(value)
    if target is not None and (
        (whole >= target) != (value >= target) or (whole <= target) != (value <= target)
    ):
        return number_text(round(value, 1))
    return number_text(int(whole))


def _pain_score(value) -> str:
    return _("%(score)s/10") % {"score": number_text(value)}


def _sessions_so_far(result: dict, label: str, count: int) -> str:
    window = result.get("window") or 0
    return ngettext(
        "%(label)s: %(count)s of %(window)s session logged in this phase so far",
        "%(label)s: %(count)s of %(window)s sessions logged in this phase so far",
        window,
    ) % {"label": label, "count": count, "window": window}


def _pain(result: dict, facts: dict, metric) -> str:
    label = _("Pain during sessions")
    sessions = facts.get("sessions") or []
    threshold = result.get("threshold")
    window = result.get("window") or len(sessions)
    if len(sessions) < window:
        return _sessions_so_far(result, label, len(sessions))
    unscored = [s for s in sessions if s.get("worst") is None]
    if unscored:
        return _("%(label)s: no pain score for the session on %(day)s") % {
            "label": label,
            "day": day_text(unscored[0].get("date")),
        }
    within = sum(1 for s in sessions if s["worst"] <= threshold)
    return ngettext(
        "%(label)s: %(within)s of the last %(window)s at or below %(limit)s",
        "%(label)s: %(within)s of the last %(window)s at or below %(limit)s",
        window,
    ) % {"label": label, "within": within, "window": window, "limit": _pain_score(threshold)}


def _soreness(result: dict, facts: dict, metric) -> str:
    label = _("Pain the morning after sessions")
    sessions = facts.get("sessions") or []
    window = result.get("window") or len(sessions)
    if len(sessions) < window:
        return _sessions_so_far(result, label, len(sessions))
    rose = [
        s
        for s in sessions
        if s.get("next_morning_pain") is not None
        and s.get("reference_morning_pain") is not None
        and s["next_morning_pain"] > s["reference_morning_pain"]
    ]
    if rose:
        return ngettext(
            "%(label)s: higher than before after %(rose)s of the last %(window)s session",
            "%(label)s: higher than before after %(rose)s of the last %(window)s sessions",
            window,
        ) % {"label": label, "rose": len(rose), "window": window}
    gap = next(
        (
            s
            for s in sessions
            if s.get("next_morning_pain") is None or s.get("reference_date") is None
        ),
        None,
    )
    if gap is not None:
        return _("%(label)s: no check-in around the session on %(day)s") % {
            "label": label,
            "day": day_text(gap.get("date")),
        }
    return ngettext(
        "%(label)s: no higher after the last %(window)s session",
        "%(label)s: no higher after any of the last %(window)s sessions",
        window,
    ) % {"label": label, "window": window}


def _min_days(result: dict, facts: dict, metric) -> str:
    return _("Days in this phase: %(day)s of at least %(target)s") % {
        "day": facts.get("day_in_phase") or "–",
        "target": number_text(result.get("threshold")),
    }


def _lsi(result: dict, facts: dict, metric) -> str:
    threshold = result.get("threshold")
    leg = _injured_leg(result, metric)
    if "lsi_measurement" in facts:  # the metric already is an LSI (hop_lsi)
        measurement = facts.get("lsi_measurement")
        if not measurement:
            return _not_logged(result, metric)
        value = percent_text(measurement.get("value"), threshold)
    else:
        injured, other = facts.get("injured"), facts.get("uninjured")
        if not injured and not other:
            return _not_logged(result, metric)
        if not injured or not other:
            return _("%(leg)s: only one leg tested in this phase so far — both are needed") % {
                "leg": leg
            }
        if facts.get("lsi") is None:
            return _("%(leg)s: a zero result gives no comparison") % {"leg": leg}
        value = percent_text(facts["lsi"], threshold)
    return _("%(leg)s: %(value)s %% of the other leg — the target is %(target)s %%") % {
        "leg": leg,
        "value": value,
        "target": number_text(threshold),
    }


def _vs_baseline(result: dict, facts: dict, metric) -> str:
    name = _test(result, metric)
    name = name[:1].upper() + name[1:]
    if not facts.get("baseline"):
        return _("%(test)s: no value from before the injury on record") % {"test": name}
    measurement = facts.get("measurement")
    if not measurement:
        return _not_logged(result, metric)
    threshold = result.get("threshold")
    words = {
        "test": name,
        "value": metric_text(metric, measurement.get("value")),
        "before": metric_text(metric, facts["baseline"].get("value")),
        "target": number_text(threshold),
    }
    pct = facts.get("percent_of_baseline")
    if pct is None:
        return _("%(test)s: %(value)s, before the injury %(before)s") % words
    words["pct"] = percent_text(pct, threshold)
    if metric is not None and metric.direction == "lower":
        return (
            _(
                "%(test)s: %(value)s, %(pct)s %% of your %(before)s before the injury — "
                "the target is at most %(target)s %%"
            )
            % words
        )
    return (
        _(
            "%(test)s: %(value)s, %(pct)s %% of your %(before)s before the injury — "
            "the target is at least %(target)s %%"
        )
        % words
    )


def _metric_threshold(result: dict, facts: dict, metric) -> str:
    measurement = facts.get("measurement")
    if not measurement:
        return _not_logged(result, metric)
    words = {
        "test": _metric_name(result, metric),
        "value": metric_text(metric, measurement.get("value")),
        "target": metric_text(metric, result.get("threshold")),
    }
    if metric is not None and metric.direction == "lower":
        return _("%(test)s: %(value)s — the target is at most %(target)s") % words
    return _("%(test)s: %(value)s — the target is at least %(target)s") % words


def _test_passed(result: dict, facts: dict, metric) -> str:
    measurement = facts.get("measurement")
    name = _metric_name(result, metric)
    if not measurement:
        return _("No %(test)s result in this phase yet") % {"test": name}
    words = {"test": name, "day": day_text(measurement.get("measured_at"))}
    if measurement.get("value") == 1:
        return _("%(test)s: passed on %(day)s") % words
    return _("%(test)s: not passed on %(day)s (the latest result)") % words


def _confidence(result: dict, facts: dict, metric) -> str:
    label = _("Your confidence")
    checkins = facts.get("checkins") or []
    window = result.get("window") or len(checkins)
    if len(checkins) < window:
        return ngettext(
            "%(label)s: %(count)s of %(window)s check-in with a confidence score in this phase",
            "%(label)s: %(count)s of %(window)s check-ins with a confidence score in this phase",
            window,
        ) % {"label": label, "count": len(checkins), "window": window}
    lowest = facts.get("lowest")
    if lowest is None:
        lowest = min(c.get("confidence") or 0 for c in checkins)
    return ngettext(
        "%(label)s: lowest %(lowest)s in your last %(window)s check-in — the target is at "
        "least %(target)s",
        "%(label)s: lowest %(lowest)s in your last %(window)s check-ins — the target is at "
        "least %(target)s",
        window,
    ) % {
        "label": label,
        "lowest": _pain_score(lowest),
        "window": window,
        "target": _pain_score(result.get("threshold")),
    }


def _speed_exposures(result: dict, facts: dict, metric) -> str:
    label = _("Fast sprints")
    if facts.get("baseline_mss") is None:
        return _("%(label)s: no top speed from before your injury on record") % {"label": label}
    share, needed = result.get("threshold"), result.get("window") or 0
    fast = facts.get("at_or_above")
    if fast is None:
        fast = sum(1 for t in facts.get("trials") or [] if (t.get("percent") or 0) >= share)
    return ngettext(
        "%(label)s: %(count)s of %(needed)s at %(share)s %% of your top speed before the injury "
        "or faster",
        "%(label)s: %(count)s of %(needed)s at %(share)s %% of your top speed before the injury "
        "or faster",
        needed,
    ) % {"label": label, "count": fast, "needed": needed, "share": number_text(share)}


SENTENCES = {
    "pain": _pain,
    "no_next_day_soreness": _soreness,
    "min_days": _min_days,
    "lsi": _lsi,
    "vs_baseline": _vs_baseline,
    "metric_threshold": _metric_threshold,
    "test_passed": _test_passed,
    "confidence": _confidence,
    "speed_exposures": _speed_exposures,
}


def gate_sentence(result: dict, *, kinds: dict | None = None) -> str:
    """One gate result (rehab.gates, live or a snapshot) as a sentence about the athlete's own
    body. `kinds`: registry entries by code for results that do not describe their metric.
    Without the engine's kind and facts, the gate's description."""
    sentence = SENTENCES.get(result.get("kind"))
    facts = result.get("facts")
    if sentence is None or not isinstance(facts, dict):
        return result.get("description") or ""
    return sentence(result, facts, result_metric(result, kinds))
