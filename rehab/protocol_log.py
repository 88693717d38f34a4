"""A protocol's change log: what a change did, as entries {"what", "before", "after"}.

`snapshot` reads a protocol as it stands (five queries, whatever its size); `differences`
compares two snapshots; `record_change` keeps one ProtocolChange. The editor, the import, the
copy and the admin all record through here, inside the transaction of the change."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from .models import PHASE_FIELDS, Citation, GateCriterion, Protocol, ProtocolChange

PROTOCOL_FIELDS = (
    "name",
    "muscle_group",
    "description",
    "pain_threshold",
    "pain_persist_hours",
    "missed_checkin_days",
    "response_green_max",
    "response_amber_max",
)
GATE_FIELDS = ("kind", "metric", "threshold", "window", "description", "order")
CITATION_FIELDS = ("doi", "url", "note", "strength")


def _gate_name(gate) -> str:
    return gate.description or gate.kind


def snapshot(protocol_pk: int) -> dict:
    """The protocol's settings, phases, gates and citations, keyed by row id."""
    protocol = Protocol.objects.prefetch_related(
        "phases",
        Prefetch("phases__gates", queryset=GateCriterion.objects.select_related("metric")),
        Prefetch("citations", queryset=Citation.objects.select_related("gate__phase")),
    ).get(pk=protocol_pk)
    found = {
        "protocol": {f: getattr(protocol, f) for f in PROTOCOL_FIELDS},
        "phases": {},
        "gates": {},
        "citations": {},
    }
    for phase in protocol.phases.all():
        found["phases"][phase.pk] = {
            "label": f"Phase {phase.order}",
            **{f: getattr(phase, f) for f in PHASE_FIELDS},
        }
        for gate in phase.gates.all():
            found["gates"][gate.pk] = {
                "label": f"Phase {phase.order}, gate “{_gate_name(gate)}”",
                **{f: getattr(gate, f) for f in GATE_FIELDS if f != "metric"},
                "metric": gate.metric.code if gate.metric_id else None,
            }
    for citation in protocol.citations.all():
        target = (
            f"phase {citation.gate.phase.order}, gate “{_gate_name(citation.gate)}”"
            if citation.gate_id
            else citation.rule
        )
        found["citations"][citation.pk] = {
            "label": f"Citation of {target}",
            **{f: getattr(citation, f) for f in CITATION_FIELDS},
        }
    return found


def _shown(value):
    return None if value is None else str(value)


def _compare(rows_before: dict, rows_after: dict, fields, what: str) -> list[dict]:
    entries = []
    for pk, old in rows_before.items():
        new = rows_after.get(pk)
        if new is None:
            entries.append({"what": f"{old['label']} removed", "before": None, "after": None})
            continue
        for field in fields:
            if old[field] != new[field]:
                entries.append(
                    {
                        "what": f"{new['label']}: {field}",
                        "before": _shown(old[field]),
                        "after": _shown(new[field]),
                    }
                )
    for pk, new in rows_after.items():
        if pk not in rows_before:
            entries.append({"what": f"{new['label']} added", "before": None, "after": None})
    return entries


def differences(before: dict, after: dict) -> list[dict]:
    """What changed from `before` to `after` (two snapshots of one protocol)."""
    entries = [
        {"what": field, "before": _shown(old), "after": _shown(after["protocol"][field])}
        for field, old in before["protocol"].items()
        if after["protocol"][field] != old
    ]
    entries += _compare(before["phases"], after["phases"], PHASE_FIELDS, "phase")
    entries += _compare(before["gates"], after["gates"], GATE_FIELDS, "gate")
    entries += _compare(before["citations"], after["citations"], CITATION_FIELDS, "citation")
    return entries


def record_change(protocol, *, by, kind: str, changes: list[dict], at=None) -> ProtocolChange:
    """Keep one change of `protocol` (call it inside the change's transaction)."""
    return ProtocolChange.objects.create(
        protocol=protocol,
        kind=kind,
        changed_by=by if getattr(by, "pk", None) else None,
        changed_at=at or timezone.now(),
        changes=changes,
    )


def record_edit(protocol, before: dict, *, by, kind: str) -> ProtocolChange | None:
    """Compare the protocol with `before` (its snapshot before the change) and keep what
    changed; nothing when nothing did."""
    changes = differences(before, snapshot(protocol.pk))
    if not changes:
        return None
    return record_change(protocol, by=by, kind=kind, changes=changes)
