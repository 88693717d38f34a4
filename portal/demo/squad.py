"""Who is in the demo: the staff, and each athlete's scenario (their injury, where they are in
rehab, and which story their data tells). Data only; the other modules build it."""

from dataclasses import dataclass, field

from athletes.models import Role

HISTORY_DAYS = 56  # eight weeks of logs
DEMO_TEAM_SLUGS = ("riverside", "northside")
TEAMS = {"riverside": "Riverside Sprint Squad", "northside": "Northside Track Club"}


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
    sex: str = "X"
    # persisting_pain, regressed_30m, missed, no_today (warning_signs); ready, requested,
    # cleared (return_to_play)
    story: set = field(default_factory=set)
    username: str | None = None  # the athlete's own login, where they have one


# One row per athlete, in the order of Scenario's fields: first, last, injured group (None: not
# injured), phase, plan days, days in phase, side, muscle, grade, sex, story, own login.
# A table, one athlete a line, so the formatter leaves it be.
# fmt: off
_RIVERSIDE_ROWS = [
    ("Maya", "Okafor", "hamstring", 3, 38, 6, "left", "bf_lh", 2, "F", {"no_today"}, "athlete"),
    ("Jonas", "Weber", "hamstring", 5, 54, 9, "right", "bf_lh", 2, "M", {"ready", "requested"}),
    ("Tomás", "Silva", "calf", 5, 50, 8, "left", "med_gastroc", 2, "M", {"ready"}),
    ("Aisha", "Bello", "hamstring", 2, 26, 7, "right", "semitendinosus", 2, "F", {"persisting_pain"}),
    ("Liam", "O'Connor", "hamstring", 4, 45, 8, "left", "bf_lh", 2, "M", {"regressed_30m"}),
    ("Chloe", "Martin", "calf", 0, 4, 4, "right", "soleus", 1, "F", set()),
    ("Ethan", "Brooks", "hamstring", 1, 14, 8, "left", "", 1, "M", set()),
    ("Nadia", "Haddad", "calf", 1, 12, 6, "left", "lat_gastroc", 2, "F", set()),
    ("Ruby", "Chen", "hamstring", 2, 24, 5, "right", "semimembranosus", 2, "F", set()),
    ("Kwame", "Mensah", "calf", 3, 33, 4, "right", "med_gastroc", 2, "M", set()),
    ("Sofia", "Rossi", "hamstring", 4, 42, 3, "left", "bf_lh", 3, "F", set()),
    ("Daniel", "Kim", "hamstring", 6, 56, 12, "right", "bf_lh", 2, "M", {"cleared"}),
    # 23 plan days: the shortest plan whose phases 0 and 1 each last their gated minimum.
    ("Grace", "Adeyemi", "calf", 2, 23, 6, "left", "soleus", 2, "F", {"missed"}),
    ("Omar", "Farouk", None, 0, 30, 5, "left", "", 2, "M", set()),
]
_NORTHSIDE_ROWS = [
    ("Lena", "Fischer", "hamstring", 2, 25, 6, "left", "", 2, "F", set()),
    ("Marco", "Bianchi", "calf", 3, 35, 5, "right", "", 2, "M", set()),
    ("Emma", "Novak", "hamstring", 1, 10, 5, "left", "", 1, "F", set()),
]
# fmt: on
RIVERSIDE = [Scenario(*row) for row in _RIVERSIDE_ROWS]
NORTHSIDE = [Scenario(*row) for row in _NORTHSIDE_ROWS]

STAFF = [
    # username, first, last, team slug, role
    ("coach", "Sam", "Carter", "riverside", Role.COACH),
    ("clinician", "Priya", "Nair", "riverside", Role.CLINICIAN),
    ("coach2", "Alex", "Byrne", "northside", Role.COACH),
]
# Second roles of the staff above: Riverside's coach also administers the team's people.
TEAM_ADMINS = [("coach", "riverside")]
# A staff admin of the whole install (Django admin), in no team.
STAFF_ADMIN = ("staff", "Robin", "Hale")

# Pre-injury baselines (uninjured values), scaled per athlete by a small factor.
BASELINES = {
    "split_10m": 1.80,
    "split_30m": 4.05,
    "peak_velocity": 10.2,
    "sprint_mss": 10.0,
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
