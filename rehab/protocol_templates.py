"""The two protocol templates that ship with Sprintback (loaded by a data migration).

Seven phases each (PRODUCT.md §2.2); every gate sits on the phase it lets an athlete leave.
Phase and gate tuples hold the fields named by PHASE_COLUMNS and GATE_COLUMNS, in that order
(a gate's metric as its code, or None).

A phase's words (name, goal, content, allowed intensity) are stored as data, in English, and a
coach may rewrite them. The shipped ones are also catalogue entries (gettext_noop marks them for
`make messages`), so `in_readers_language` shows them in the reader's language; text a coach
typed has no entry and reads as typed.
"""

from django.utils.translation import gettext, gettext_noop

from .models import PHASE_FIELDS


def in_readers_language(text: str) -> str:
    """Stored protocol text in the active language where it is the shipped English."""
    return gettext(text) if text else text


PHASE_COLUMNS = ("order", *PHASE_FIELDS)
GATE_COLUMNS = ("kind", "metric", "threshold", "window", "description")

_PHASES = [
    (
        0,
        gettext_noop("Protect and assess"),
        gettext_noop("Settle pain, restore pain-free range of motion, record a baseline."),
        gettext_noop(
            "Non-impact work, controlled isometric loading, assessment of pain-free range of motion, strength symmetry and sprint mechanics at light effort."
        ),
        gettext_noop("No running above jogging"),
        30,
        None,
        3,
        10,
        False,
    ),
    (
        1,
        gettext_noop("Technique and base"),
        gettext_noop("Rebuild running mechanics at low intensity."),
        gettext_noop(
            "About two weeks of technique: posterior-chain drills, stride-length control, ground-contact timing, tempo runs; swim, bike or elliptical for fitness."
        ),
        gettext_noop("Up to 60–70 % of max velocity"),
        70,
        60,
        10,
        18,
        False,
    ),
    (
        2,
        gettext_noop("Short accelerations"),
        gettext_noop("Tolerate acceleration over short distances."),
        gettext_noop(
            "Gentle accelerations on level ground, clean starts from a light stance, controlled decelerations, submaximal strides, low-impact plyometrics."
        ),
        gettext_noop("Up to 75–80 %, short distances"),
        80,
        30,
        7,
        14,
        False,
    ),
    (
        3,
        gettext_noop("Longer accelerations and fly-ins"),
        gettext_noop("Extend distance and speed; load the muscle eccentrically."),
        gettext_noop(
            "Longer accelerations, fly-ins, light resisted sprints (bands, sleds), unilateral strength, dosed eccentric loading, from linear to multi-directional."
        ),
        gettext_noop("Up to 85–90 %"),
        90,
        50,
        7,
        14,
        False,
    ),
    (
        4,
        gettext_noop("High speed and reactive"),
        gettext_noop("Near-maximal speed with reactive and variable-pace work."),
        gettext_noop(
            "Near-maximal blocks, reactive and variable-pace sprints, single-leg hops, proprioception."
        ),
        gettext_noop("Up to 95 %"),
        95,
        60,
        7,
        14,
        False,
    ),
    (
        5,
        gettext_noop("Full sprinting and sport tasks"),
        gettext_noop("Maximal sprinting and sport-specific demands under fatigue."),
        gettext_noop(
            "Maximal sprints, sport-specific starts and cues, repeated high-velocity efforts under fatigue."
        ),
        gettext_noop("100 %"),
        100,
        None,
        7,
        14,
        True,
    ),
    (
        6,
        gettext_noop("Maintenance and surveillance"),
        gettext_noop("Keep the gains after return to play."),
        gettext_noop("Maintenance strength, periodic re-testing, deload weeks."),
        gettext_noop("Normal training"),
        100,
        None,
        28,
        90,
        True,
    ),
]

_PAIN = ("pain", None, 2, 3, "Worst pain ≤ 2/10 over the last 3 sessions")
_SORENESS = (
    "no_next_day_soreness",
    None,
    None,
    3,
    "No rise in next-morning pain after the last 3 sessions",
)
_PALPATION = ("test_passed", "palpation", 1, None, "Palpation without pain")
_H_TEST = ("test_passed", "h_test", 1, None, "Askling H-test without insecurity")

# What an LSI gate's description calls its metric.
_LSI_NAMES = {
    "knee_flexor_strength": "Knee-flexor strength",
    "single_leg_hop": "Single-leg hop",
    "knee_to_wall": "Knee-to-wall",
    "calf_raises": "Calf-raise",
    "triple_hop": "Triple hop",
}


def _days(n):
    return ("min_days", None, n, None, f"At least {n} days in this phase")


def _confidence(n):
    return ("confidence", None, n, 3, f"Confidence ≥ {n}/10 in the last 3 check-ins")


def _lsi(metric, n, note=""):
    return ("lsi", metric, n, None, f"{_LSI_NAMES[metric]} LSI ≥ {n} %{note}")


def _split_30m(n):
    return ("vs_baseline", "split_30m", n, None, f"30 m time ≤ {n} % of pre-injury baseline")


def _peak_velocity(n):
    return (
        "vs_baseline",
        "peak_velocity",
        n,
        None,
        f"Peak velocity ≥ {n} % of pre-injury baseline",
    )


def _speed(pct, n=3):
    """Sprints near the top of the phase's own band before leaving it (the ladder: 75–80 %,
    85–90 %, up to 95 %), as a share of the athlete's own pre-injury top speed. Phase 1 is
    technique and tempo, and phase 5 already asks for near-maximal peak velocity."""
    return (
        "speed_exposures",
        None,
        pct,
        n,
        f"At least {n} sprints at ≥ {pct} % of pre-injury top speed",
    )


def _loaded(days, *tests):
    """The gates of a phase with running in it: pain and no next-day soreness over the last 3
    sessions, at least `days` days, then the phase's own tests."""
    return [_PAIN, _SORENESS, _days(days), *tests]


# Leaving phase 0 needs no sessions yet: pain, time and a pain-free palpation.
_PROTECT = [_PAIN, _days(5), _PALPATION]

_HAMSTRING_GATES = {
    0: _PROTECT,
    1: _loaded(14, _lsi("knee_flexor_strength", 80)),
    2: _loaded(7, _lsi("knee_flexor_strength", 85), _confidence(6), _speed(75)),
    3: _loaded(
        7,
        _lsi("knee_flexor_strength", 90),
        _lsi("single_leg_hop", 90),
        _split_30m(110),
        _speed(85),
    ),
    4: _loaded(7, _H_TEST, _split_30m(105), _peak_velocity(95), _confidence(7), _speed(90)),
    5: _loaded(
        7,
        _lsi("knee_flexor_strength", 90),
        _split_30m(103),
        _peak_velocity(97),
        _H_TEST,
        _confidence(8),
    ),
    6: [],
}

_CALF_RAISES_30 = (
    "metric_threshold",
    "calf_raises",
    30,
    None,
    "At least 30 single-leg calf raises on the injured side",
)

_CALF_GATES = {
    0: _PROTECT,
    1: _loaded(14, _lsi("knee_to_wall", 90), _lsi("calf_raises", 80)),
    2: _loaded(7, _lsi("calf_raises", 85), _confidence(6), _speed(75)),
    3: _loaded(
        7,
        _lsi("calf_raises", 90, " (≤ 10 % asymmetry)"),
        _lsi("single_leg_hop", 90),
        _split_30m(110),
        _speed(85),
    ),
    4: _loaded(7, _CALF_RAISES_30, _split_30m(105), _peak_velocity(95), _confidence(7), _speed(90)),
    5: _loaded(
        7,
        _lsi("calf_raises", 90),
        _lsi("triple_hop", 90),
        _split_30m(103),
        _peak_velocity(97),
        _confidence(8),
    ),
    6: [],
}

# The maintenance phase's surveillance: (metric code, every N days) by phase order.
_HAMSTRING_RETESTS = {6: [("knee_flexor_strength", 14)]}
_CALF_RETESTS = {6: [("calf_raises", 14)]}

TEMPLATES = [
    {
        "name": "Hamstring return to sprint",
        "muscle_group": "hamstring",
        "description": "Seven phases from protection to maintenance for hamstring strain injuries.",
        "phases": _PHASES,
        "gates": _HAMSTRING_GATES,
        "retests": _HAMSTRING_RETESTS,
    },
    {
        "name": "Calf return to sprint",
        "muscle_group": "calf",
        "description": "Seven phases from protection to maintenance for calf (gastrocnemius/soleus) strain injuries.",
        "phases": _PHASES,
        "gates": _CALF_GATES,
        "retests": _CALF_RETESTS,
    },
]


def load_templates(Protocol, Phase, GateCriterion, MetricKind):
    """Create the templates (idempotent: an existing template of the same name is left alone,
    but for `add_new_gates`). A migration passes its historical models: gates of a kind that
    model does not know yet are left out, and the migration that introduces the kind adds them
    (`add_new_gates`)."""
    metrics = {m.code: m for m in MetricKind.objects.all()}
    known_kinds = {value for value, _label in GateCriterion._meta.get_field("kind").choices}
    for spec in TEMPLATES:
        protocol, created = Protocol.objects.get_or_create(
            name=spec["name"],
            team=None,
            defaults={
                "muscle_group": spec["muscle_group"],
                "description": spec["description"],
                "is_template": True,
            },
        )
        if not created:
            continue
        for row in spec["phases"]:
            phase = Phase.objects.create(
                protocol=protocol, **dict(zip(PHASE_COLUMNS, row, strict=True))
            )
            for position, gate_row in enumerate(spec["gates"][phase.order]):
                gate = dict(zip(GATE_COLUMNS, gate_row, strict=True))
                if gate["kind"] not in known_kinds:
                    continue
                gate["metric"] = metrics[gate["metric"]] if gate["metric"] else None
                GateCriterion.objects.create(phase=phase, order=position, **gate)


def add_retests(Protocol, RetestSchedule, MetricKind):
    """Give the shipped templates their re-test schedules (idempotent: a phase that has its
    metric's schedule already is left alone)."""
    metrics = {m.code: m for m in MetricKind.objects.all()}
    for spec in TEMPLATES:
        protocol = Protocol.objects.filter(name=spec["name"], team=None).first()
        if protocol is None:
            continue
        for phase in protocol.phases.all():
            for code, every_days in spec["retests"].get(phase.order, []):
                RetestSchedule.objects.get_or_create(
                    phase=phase, metric=metrics[code], defaults={"every_days": every_days}
                )


def add_new_gates(Protocol, GateCriterion, kinds):
    """Add the shipped gates of `kinds` to the shipped templates that lack them (a template
    created before the kind existed), at their place in the phase's list. A template a
    maintainer renamed, or a phase that already has a gate of the kind, is left alone."""
    for spec in TEMPLATES:
        protocol = Protocol.objects.filter(name=spec["name"], team=None).first()
        if protocol is None:
            continue
        for phase in protocol.phases.all():
            if GateCriterion.objects.filter(phase=phase, kind__in=kinds).exists():
                continue
            for position, gate_row in enumerate(spec["gates"].get(phase.order, [])):
                gate = dict(zip(GATE_COLUMNS, gate_row, strict=True))
                if gate["kind"] in kinds:
                    GateCriterion.objects.create(phase=phase, order=position, **gate)


# --- where the numbers come from ----------------------------------------------------------------
# Each source below was looked up (its DOI resolves to the paper named); a number with no
# source found says so ("no_primary_source") rather than borrowing a citation that does not
# support it. Tuples: (doi, url, note, strength); the note is one line, in our own words.

_HICKEY_2020 = "10.2519/jospt.2020.8895"  # Hickey et al., JOSPT 2020;50(2):91-103 (RCT)
_POLLOCK_2022 = "10.1136/bjsports-2020-103791"  # Pollock et al., BJSM 2022;56:257-263
_ASKLING_2010 = "10.1007/s00167-010-1265-3"  # Askling et al., KSSTA 2010;18:1798-1803
_SHRIER_2015 = "10.1136/bjsports-2014-094569"  # Shrier, BJSM 2015;49:1311-1315 (StARRT)
_VAN_DER_HORST_2017 = "10.1136/bjsports-2016-097206"  # van der Horst et al., BJSM 2017 (Delphi)
_MANIAR_2016 = "10.1136/bjsports-2015-095311"  # Maniar et al., BJSM 2016 (systematic review)
_GREEN_2022 = "10.1186/s40798-021-00364-0"  # Green et al., Sports Med Open 2022;8:10
_SILBERNAGEL_2010 = "10.1007/s00167-009-0889-7"  # Silbernagel et al., KSSTA 2010;18:258-264

CITATION_COLUMNS = ("doi", "url", "note", "strength")

RULE_CITATIONS = {
    "pain_threshold": [
        (
            _HICKEY_2020,
            "",
            "Rehab allowed up to a pain threshold was no slower to return than pain-free rehab; "
            "the 3/10 flag line itself is this template's choice.",
            "rct",
        )
    ],
    "pain_persist_hours": [
        (
            "",
            "",
            "The 48 h rule is coaching guidance (the seed articles); no study testing it was "
            "found.",
            "no_primary_source",
        )
    ],
    "missed_checkin_days": [
        (
            "",
            "",
            "A follow-up default of this product, not drawn from a study.",
            "no_primary_source",
        )
    ],
}

_PALPATION_DELPHI = (
    _VAN_DER_HORST_2017,
    "",
    "No pain on palpation is among the return-to-play criteria 58 experts agreed on (Delphi).",
    "expert_consensus",
)
_CALF_CHECKLIST = "Experts' return-to-play checklist for calf strains:"

# By a gate's kind and metric code; a muscle group's own entry wins over the shared one.
GATE_CITATIONS = {
    ("pain", None): [
        (
            _HICKEY_2020,
            "",
            "Pain-free and pain-threshold rehab returned equally fast; ≤ 2/10 over 3 sessions "
            "is a cautious choice between the two.",
            "rct",
        )
    ],
    ("no_next_day_soreness", None): [
        (
            "",
            "",
            "Watching the next-day response to load is common practice; no study of this exact "
            "rule was found.",
            "no_primary_source",
        )
    ],
    ("min_days", None): [
        (
            _POLLOCK_2022,
            "",
            "70 injuries: mean 18.6 days to full training, longer when the tendon is involved; "
            "the minimum per phase is a choice.",
            "cohort",
        )
    ],
    ("test_passed", "palpation"): [_PALPATION_DELPHI],
    ("test_passed", "h_test"): [
        (
            _ASKLING_2010,
            "",
            "A reliable test that found insecurity after hamstring strain when the usual "
            "examination found nothing (11 athletes).",
            "cohort",
        )
    ],
    ("lsi", "knee_flexor_strength"): [
        (
            _MANIAR_2016,
            "",
            "Strength deficits can outlast return to play; the review sets no pass mark, so "
            "80–90 % is a convention.",
            "systematic_review",
        )
    ],
    ("lsi", "single_leg_hop"): [
        (
            "",
            "",
            "A 90 % hop symmetry comes from knee-ligament testing; no study of it after muscle "
            "strain was found.",
            "no_primary_source",
        )
    ],
    ("vs_baseline", "split_30m"): [
        (
            "",
            "",
            "Comparing sprint times to the athlete's own baseline is advised; no study sets "
            "103–110 %.",
            "no_primary_source",
        )
    ],
    ("vs_baseline", "peak_velocity"): [
        (
            "",
            "",
            "No primary source was found for ≥ 95 % of pre-injury top speed before return: "
            "a convention.",
            "no_primary_source",
        )
    ],
    ("speed_exposures", None): [
        (
            "",
            "",
            "The ladder of shares of top speed per phase is coaching guidance (the seed "
            "articles); no study setting these shares was found.",
            "no_primary_source",
        )
    ],
    ("confidence", None): [
        (
            _SHRIER_2015,
            "",
            "The StARRT framework weighs the athlete's own risk tolerance in the return "
            "decision; it sets no confidence score.",
            "expert_consensus",
        )
    ],
}

CALF_GATE_CITATIONS = {
    ("min_days", None): [
        (
            _GREEN_2022,
            "",
            "20 experts progress calf rehab by capacity and response to load, not by fixed "
            "days; the minimum per phase is a choice.",
            "expert_consensus",
        )
    ],
    ("test_passed", "palpation"): [
        (_GREEN_2022, "", f"{_CALF_CHECKLIST} no tenderness on palpation.", "expert_consensus")
    ],
    ("lsi", "knee_to_wall"): [
        (
            _GREEN_2022,
            "",
            f"{_CALF_CHECKLIST} knee-to-wall lunge asymmetry ≤ 10 %.",
            "expert_consensus",
        )
    ],
    ("lsi", "calf_raises"): [
        (
            _GREEN_2022,
            "",
            f"{_CALF_CHECKLIST} single-leg calf raise asymmetry ≤ 10 %.",
            "expert_consensus",
        ),
        (
            _SILBERNAGEL_2010,
            "",
            "Heel-rise symmetry as a measure of recovery, studied after Achilles rupture (not "
            "calf strain).",
            "cohort",
        ),
    ],
    ("metric_threshold", "calf_raises"): [
        (
            _GREEN_2022,
            "",
            f"{_CALF_CHECKLIST} at least 30 single-leg calf raises from the floor.",
            "expert_consensus",
        )
    ],
    ("lsi", "single_leg_hop"): [
        (_GREEN_2022, "", f"{_CALF_CHECKLIST} hop asymmetries ≤ 10 %.", "expert_consensus")
    ],
    ("lsi", "triple_hop"): [
        (_GREEN_2022, "", f"{_CALF_CHECKLIST} hop asymmetries ≤ 10 %.", "expert_consensus")
    ],
}


def citations_for_gate(muscle_group: str, kind: str, metric_code: str | None) -> list[dict]:
    """The shipped citations of a template's gate (dicts of CITATION_COLUMNS)."""
    own = CALF_GATE_CITATIONS if muscle_group == "calf" else {}
    rows = own.get((kind, metric_code)) or GATE_CITATIONS.get((kind, metric_code), [])
    return [dict(zip(CITATION_COLUMNS, row, strict=True)) for row in rows]


def load_citations(Protocol, GateCriterion, Citation):
    """Give the shipped templates their citations (idempotent: a template that has any is
    left alone, as an edited one would be)."""
    names = [spec["name"] for spec in TEMPLATES]
    for protocol in Protocol.objects.filter(team=None, name__in=names):
        if Citation.objects.filter(protocol=protocol).exists():
            continue
        rows = []
        for rule, cited in RULE_CITATIONS.items():
            for position, row in enumerate(cited):
                rows.append(
                    Citation(
                        protocol=protocol,
                        rule=rule,
                        order=position,
                        **dict(zip(CITATION_COLUMNS, row, strict=True)),
                    )
                )
        gates = GateCriterion.objects.filter(phase__protocol=protocol).select_related("metric")
        for gate in gates:
            code = gate.metric.code if gate.metric_id else None
            for position, cited in enumerate(
                citations_for_gate(protocol.muscle_group, gate.kind, code)
            ):
                rows.append(Citation(protocol=protocol, gate=gate, order=position, **cited))
        Citation.objects.bulk_create(rows)
