"""The metric registry: each kind of objective measurement with its unit, direction and plausible range."""

import math

from django.db import models
from django.db.models import F, Q


class ValueType(models.TextChoices):
    NUMBER = "number", "Number"
    PASS_FAIL = "pass_fail", "Pass (1) or fail (0)"


class MetricKind(models.Model):
    """The registry of objective measurements (PRODUCT.md §2.5)."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class Category(models.TextChoices):
        SPRINT = "sprint", "Sprint"
        STRENGTH = "strength", "Strength"
        HOP = "hop", "Hop and jump"
        MOBILITY = "mobility", "Mobility"
        CLINICAL = "clinical", "Clinical test"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    unit = models.CharField(max_length=16)
    direction = models.CharField(max_length=6, choices=Direction.choices)
    category = models.CharField(max_length=10, choices=Category.choices)
    bilateral = models.BooleanField(
        default=False, help_text="Measured per side, so a limb symmetry index can be computed."
    )
    swc_pct = models.FloatField(
        help_text="Smallest worthwhile change in % when an athlete has too few points for 0.2 × SD."
    )
    description = models.CharField(max_length=240, blank=True)
    # Plausibility (PRODUCT.md §2.9): a value outside [min_value, max_value] is a typing or
    # device error and is refused at the field, wherever it comes from (form, API, CSV).
    value_type = models.CharField(
        max_length=10, choices=ValueType.choices, default=ValueType.NUMBER
    )
    min_value = models.FloatField(help_text="Lowest plausible value, in the metric's unit.")
    max_value = models.FloatField(help_text="Highest plausible value, in the metric's unit.")
    decimals = models.PositiveSmallIntegerField(
        default=2, help_text="Decimals shown on pages and in reports."
    )

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(swc_pct__gt=0), name="metric_swc_positive"),
            models.CheckConstraint(
                condition=Q(direction__in=["higher", "lower"]), name="metric_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_value__lt=F("max_value")), name="metric_range_ordered"
            ),
            models.CheckConstraint(condition=Q(decimals__lte=4), name="metric_decimals_0_4"),
            models.CheckConstraint(
                condition=Q(value_type__in=ValueType.values), name="metric_value_type_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.unit})"

    @property
    def is_pass_fail(self) -> bool:
        return self.value_type == ValueType.PASS_FAIL

    def format_value(self, value) -> str:
        """The value as people read it: the metric's precision, pass/fail in words."""
        if value is None:
            return "–"
        if self.is_pass_fail:
            return "pass" if value == 1 else "fail"
        return f"{value:,.{self.decimals}f}"

    def value_errors(self, value, side: str = "") -> dict[str, str]:
        """Field-keyed messages for a value (and side) this metric cannot have; {} when fine.
        The one definition of a plausible measurement: services, forms, serializers, the CSV
        import and baselines all call it."""
        errors = {}
        if value is None or isinstance(value, bool) or not math.isfinite(value):
            errors["value"] = "Enter a number."
        elif self.is_pass_fail:
            if value not in (0, 1):
                errors["value"] = f"{self.name} is pass (1) or fail (0)."
        elif not self.min_value <= value <= self.max_value:
            low, high = self.format_value(self.min_value), self.format_value(self.max_value)
            errors["value"] = (
                f"{self.name} must be between {low} and {high} {self.unit}: "
                f"{self.format_value(value)} is not a plausible value."
            )
        if self.bilateral and side not in ("left", "right"):
            errors["side"] = f"{self.name} is measured per leg: choose left or right."
        elif not self.bilateral and side:
            errors["side"] = f"{self.name} is not measured per leg: leave the side empty."
        return errors

    def is_worse(self, value: float, reference: float) -> bool:
        return value < reference if self.direction == self.Direction.HIGHER else value > reference
