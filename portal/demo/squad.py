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
    username: str | None = None
    sex: str = "X"
    # persisting_pain, regressed_30m, missed, no_today (warning_signs); ready, requested,
    # cleared (return_to_play)
    story: set = field(default_factory=set)


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
        plan_days=23,  # the shortest plan whose phases 0 and 1 each last their gated minimum
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
# Second roles of the staff above: Riverside's coach also administers the team's people.
TEAM_ADMINS = [("coach", "riverside")]
# A staff admin of the whole install (Django admin), in no team.
STAFF_ADMIN = ("staff", "Robin", "Hale")

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
