"""Pre-injury baselines as one table: a row per metric of the registry and side (a bilateral
metric has a left and a right row, others one), with value, date and source.

The registry decides everything about a cell: which metrics are per leg
(`MetricKind.bilateral`) and which values are plausible (`MetricKind.value_errors`, the one
definition measurements use too); dates follow core.plausibility (never in the future).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from athletes.access import require_role
from athletes.evaluation import request_evaluation
from athletes.models import STAFF_ROLES, Athlete, Baseline
from core.plausibility import validate_log_date

from .models import MetricKind


@dataclass
class BaselineCell:
    """One row of the table: a metric and side, and what is typed in it (value None: empty)."""

    metric: MetricKind
    side: str
    value: float | None = None
    measured_on: dt.date | None = None
    source: str = ""
    existing: Baseline | None = None

    @property
    def key(self) -> str:
        """The row's name in the page's form and in error dicts: "split_30m.left"."""
        return f"{self.metric.code}.{self.side or 'none'}"

    @property
    def side_label(self) -> str:
        return dict(Baseline.BaselineSide.choices).get(self.side, "")


def baseline_table(athlete: Athlete) -> list[BaselineCell]:
    """Every metric of the registry, per side where it is bilateral, with the athlete's
    current baseline in it. Two queries whatever the registry's size."""
    saved = {(b.metric_id, b.side): b for b in Baseline.objects.filter(athlete=athlete)}
    cells = []
    for metric in MetricKind.objects.all():
        for side in ("left", "right") if metric.bilateral else ("",):
            found = saved.get((metric.pk, side))
            cells.append(
                BaselineCell(
                    metric,
                    side,
                    value=found.value if found else None,
                    measured_on=found.measured_on if found else None,
                    source=found.source if found else "",
                    existing=found,
                )
            )
    return cells


def cell_errors(cell: BaselineCell) -> dict[str, str]:
    """What is wrong with one filled-in cell, by column ("value", "measured_on")."""
    if cell.value is None:
        return {}
    errors = dict(cell.metric.value_errors(cell.value, cell.side))
    if cell.measured_on is None:
        errors["measured_on"] = _("Enter the date of this baseline.")
    else:
        try:
            validate_log_date(cell.measured_on)
        except ValidationError as error:
            errors["measured_on"] = " ".join(error.messages)
    return errors


def save_baselines(athlete: Athlete, cells: list[BaselineCell], *, by) -> int:
    """Save the whole table or nothing: a cell with a value is the baseline of its metric and
    side (made or changed), an emptied cell removes it. Refused with a ValidationError keyed
    "<row key>.<column>" for every wrong cell. The athlete is re-evaluated (gates compare
    with baselines). Returns the number of baselines the athlete has afterwards."""
    require_role(
        by, athlete, STAFF_ROLES, message=_("Only the athlete's coaches and clinicians can.")
    )
    errors = {}
    for cell in cells:
        for column, message in cell_errors(cell).items():
            errors[f"{cell.key}.{column}"] = message
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for cell in cells:
            if cell.value is None:
                if cell.existing is not None:
                    cell.existing.delete()
                continue
            Baseline.objects.update_or_create(
                athlete=athlete,
                metric=cell.metric,
                side=cell.side,
                defaults={
                    "value": cell.value,
                    "measured_on": cell.measured_on,
                    "source": cell.source[:80],
                },
            )
        request_evaluation([athlete.pk])
    return Baseline.objects.filter(athlete=athlete).count()
