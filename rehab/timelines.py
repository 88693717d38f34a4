"""Expected time to full training by injury grade (issue 19, item 3): a band from published
outcomes, and where an athlete's injury stands against it.

The one published source the product uses: Pollock et al., "A 4-year study of hamstring injury
outcomes in elite track and field using the British Athletics rehabilitation approach", BJSM
2022;56:257-263 (doi:10.1136/bjsports-2020-103791): 70 hamstring injuries in elite track and field
athletes; mean time to return to full training 18.6 days for all of them, 34 ± 7 days for the
intratendinous grade 2 injuries (2c) and 48 ± 17 days for grade 3 (3c). The band is the mean ± one
standard deviation. Grades whose figures the paper does not give in its abstract, and calf
injuries, show no band: the product does not invent one.

What it says is where the athlete's day falls against other athletes' recoveries, never that
they are ready, safe or cleared (PRODUCT.md §2.8).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

POLLOCK_2022 = {
    "citation": "Pollock et al., Br J Sports Med 2022;56:257–263",
    "doi": "10.1136/bjsports-2020-103791",
    "cohort": _("70 hamstring injuries in elite track and field athletes"),
}


@dataclass(frozen=True)
class Band:
    """Days from injury to full training in a published cohort: mean ± one SD."""

    mean: int
    sd: int
    source: dict

    @property
    def low(self) -> int:
        return max(self.mean - self.sd, 0)

    @property
    def high(self) -> int:
        return self.mean + self.sd


# (muscle group, BAMIC grade, BAMIC class) → band.
BANDS = {
    ("hamstring", 2, "c"): Band(mean=34, sd=7, source=POLLOCK_2022),
    ("hamstring", 3, "c"): Band(mean=48, sd=17, source=POLLOCK_2022),
}


@dataclass(frozen=True)
class TimelinePosition:
    grade: str  # "2c"
    day: int  # days since the injury (the day of the injury is day 0)
    band: Band
    where: str  # "before", "inside" or "past" the band

    @property
    def link(self) -> str:
        return f"https://doi.org/{self.band.source['doi']}"


def band_for(injury) -> Band | None:
    """The published band of the injury's grade, or None where there is none."""
    if injury is None or not injury.bamic_class:
        return None
    return BANDS.get((injury.muscle_group, injury.grade, injury.bamic_class))


def timeline_position(injury, *, today: dt.date) -> TimelinePosition | None:
    """Where the injury's day stands against its grade's band (None without a band)."""
    band = band_for(injury)
    if band is None:
        return None
    day = max((today - injury.occurred_on).days, 0)
    where = "before" if day < band.low else "past" if day > band.high else "inside"
    return TimelinePosition(
        grade=f"{injury.grade}{injury.bamic_class}", day=day, band=band, where=where
    )
