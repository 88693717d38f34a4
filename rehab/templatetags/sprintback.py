"""Template filters for what people read: `{% load sprintback %}`."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.formats import date_format

from rehab import evidence_text, protocol_templates
from rehab.gates import GateStatus

register = template.Library()


@register.simple_tag
def short_month_names() -> str:
    """The twelve months as the active language writes them in a short date (its
    SHORT_DATE_FORMAT without the day: "Jan" in English, "ene" in Spanish), comma-separated,
    for the charts' axes."""
    names = []
    for month in range(1, 13):
        text = date_format(dt.date(2000, month, 1), "SHORT_DATE_FORMAT")
        names.append(" ".join(part for part in text.split() if not part.isdigit()))
    return ",".join(names)


@register.filter
def in_readers_language(value):
    """A phase's stored words in the reader's language where they are the shipped ones
    (rehab.protocol_templates.in_readers_language): `{{ phase.name|in_readers_language }}`."""
    return protocol_templates.in_readers_language(value)


@register.filter
def iso(value):
    """A date or time stored as ISO text (evidence snapshots, gate facts) as a date or a local
    datetime, for the `date` filter: `{{ s.date|iso|date:"DATE_FORMAT" }}`. Text that is no
    date is shown as it came."""
    parsed = evidence_text.parse_iso(value)
    return value if parsed is None else parsed


@register.filter
def gate_status(value):
    """`{{ g.status|gate_status }}`: a gate's verdict in the product's words ("Not met")."""
    return GateStatus.label_of(value)


@register.filter
def metric_value(value, metric):
    """`{{ m.value|metric_value:m.metric }}`: the value at the metric's precision with its
    unit ("354.89 N"), or "pass"/"fail" for a pass/fail test."""
    return evidence_text.metric_text(metric, value)
