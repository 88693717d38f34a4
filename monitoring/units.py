"""Units a device export may use, converted to the unit of the metric registry
(monitoring.metric_registry): one table, read by the CSV import's column maps.

A unit is named as exports spell it (case and spaces aside: "ms", "km/h", "kgf", "lbf"…);
`convert` turns a value in one unit into another, or raises UnitError when the two measure
different things (a time is no force).
"""

from django.utils.translation import gettext as _

# Spellings → the unit's one name.
SPELLINGS = {
    "s": "s",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "ms": "ms",
    "msec": "ms",
    "millisecond": "ms",
    "milliseconds": "ms",
    "m/s": "m/s",
    "mps": "m/s",
    "km/h": "km/h",
    "kmh": "km/h",
    "kph": "km/h",
    "n": "N",
    "newton": "N",
    "newtons": "N",
    "kgf": "kgf",
    "kp": "kgf",
    "lbf": "lbf",
    "m": "m",
    "cm": "cm",
    "mm": "mm",
    "hz": "Hz",
    "%": "%",
    "reps": "reps",
    "pass": "pass",
    "n/kg": "N/kg",
    "w/kg": "W/kg",
    "m/s²": "m/s²",
    "m/s2": "m/s²",
}

# Each unit as a multiple of its dimension's base unit (the registry's unit where there is one).
FACTORS = {
    "s": ("time", 1.0),
    "ms": ("time", 0.001),
    "m/s": ("speed", 1.0),
    "km/h": ("speed", 1 / 3.6),
    "N": ("force", 1.0),
    "kgf": ("force", 9.80665),
    "lbf": ("force", 4.4482216152605),
    "m": ("length", 1.0),
    "cm": ("length", 0.01),
    "mm": ("length", 0.001),
}

# Units offered in the mapping form: those that convert to something.
CHOICES = sorted(FACTORS)


class UnitError(ValueError):
    pass


def normalise(text: str) -> str | None:
    """The unit's one name, or None for a spelling this table does not know."""
    key = " ".join(str(text).split()).casefold().replace(" ", "")
    return SPELLINGS.get(key)


def convert(value: float, unit: str, to: str) -> float:
    """`value` in `unit` expressed in `to` (both as SPELLINGS spells them). UnitError when
    either is unknown or they measure different things."""
    source, target = normalise(unit), normalise(to)
    if source is None:
        raise UnitError(_("Unknown unit “%(unit)s”.") % {"unit": unit})
    if target is None:
        raise UnitError(_("Unknown unit “%(unit)s”.") % {"unit": to})
    if source == target:
        return value
    if source not in FACTORS or target not in FACTORS or FACTORS[source][0] != FACTORS[target][0]:
        raise UnitError(
            _("A value in %(unit)s cannot be converted to %(to)s.") % {"unit": source, "to": target}
        )
    return value * FACTORS[source][1] / FACTORS[target][1]


def convertible(unit: str, to: str) -> bool:
    try:
        convert(1.0, unit, to)
    except UnitError:
        return False
    return True
