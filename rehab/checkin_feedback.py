"""Something back for every check-in: what the athlete's own data shows once they have saved
it (issue 17). Today's page (portal.me_views.today) and the check-in API's `feedback` both
read `checkin_feedback`, so the two say the same.

Four things, each from the one place that defines it: this week's worst pain against last
week's (monitoring.selectors.pain_weeks, on the pain series and `CheckIn.worst_pain`), the
streak of days logged (monitoring.selectors.checkin_streak), what still stands between the
athlete and the next phase (the gate engine through rehab.plan_summary, each gate in
rehab.athlete_words), and the open flags their coach and clinician have been told about
(monitoring.selectors.athlete_flag_messages). Evidence only: never advice, readiness or
clearance (PRODUCT.md §2.8).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from monitoring.models import FlagStatus
from monitoring.selectors import PainWeeks, athlete_flag_messages, checkin_streak, pain_weeks

from .gates import MET
from .plan_summary import PlanSummary, athlete_plan_summary
from .protocol_templates import in_readers_language


@dataclass(frozen=True)
class GateWords:
    gate_id: int | None
    kind: str | None
    status: str | None  # a GateStatus value, None when the engine gave no verdict
    text: str


@dataclass
class NextPhaseWords:
    order: int | None  # None in the plan's last phase
    name: str
    needs_clinical_review: bool
    met: int
    total: int
    text: str
    remaining: list[GateWords] = field(default_factory=list)  # gates not met yet, in order


@dataclass
class CheckinFeedback:
    pain: PainWeeks
    pain_text: str
    streak: int
    streak_text: str
    next_phase: NextPhaseWords | None  # None without an active plan
    flags: list[str] = field(default_factory=list)  # open flags, each saying who was told

    @property
    def lines(self) -> list[str]:
        """Every line in the order the page shows them (the remaining gates under the
        next-phase line)."""
        lines = [self.pain_text, self.streak_text]
        if self.next_phase is not None:
            lines.append(self.next_phase.text)
            lines += [g.text for g in self.next_phase.remaining]
        return lines + self.flags

    def as_dict(self) -> dict:
        """The API's `feedback` object (rehab.api.CheckInFeedbackSerializer)."""
        next_phase = self.next_phase
        return {
            "pain": {
                "this_week": self.pain.this_week,
                "last_week": self.pain.last_week,
                "text": self.pain_text,
            },
            "streak": {"days": self.streak, "text": self.streak_text},
            "next_phase": None
            if next_phase is None
            else {
                "order": next_phase.order,
                "name": next_phase.name,
                "needs_clinical_review": next_phase.needs_clinical_review,
                "met": next_phase.met,
                "total": next_phase.total,
                "text": next_phase.text,
                "remaining": [
                    {"gate_id": g.gate_id, "kind": g.kind, "status": g.status, "text": g.text}
                    for g in next_phase.remaining
                ],
            },
            "flags": list(self.flags),
            "lines": self.lines,
        }


def pain_text(pain: PainWeeks) -> str:
    """This week's worst pain against last week's, in one line."""
    now, before = pain.this_week, pain.last_week
    if now is None:
        return _("No check-in in the last 7 days.")
    if before is None:
        return _(
            "Worst pain in the last 7 days: %(now)s/10 (no check-in in the 7 days before "
            "to compare with)."
        ) % {"now": now}
    words = {"now": now, "before": before}
    if now < before:
        return _("Worst pain in the last 7 days: %(now)s/10, down from %(before)s/10.") % words
    if now > before:
        return _("Worst pain in the last 7 days: %(now)s/10, up from %(before)s/10.") % words
    return _("Worst pain in the last 7 days: %(now)s/10, the same as the 7 days before.") % words


def streak_text(days: int) -> str:
    if days == 0:
        return _("No check-in today or yesterday yet.")
    return ngettext(
        "%(days)s day in a row with a check-in.", "%(days)s days in a row with a check-in.", days
    ) % {"days": days}


def next_phase_words(summary: PlanSummary) -> NextPhaseWords:
    """What still stands between the athlete and the next phase, from the gate engine's
    verdicts on the current phase (rehab.plan_summary)."""
    gates = summary.gates
    met = sum(1 for g in gates if g.status == MET)
    remaining = [
        GateWords(gate_id=g.gate_id, kind=g.kind, status=g.status, text=g.sentence)
        for g in gates
        if g.status != MET
    ]
    nxt = summary.next_phase
    if nxt is None:
        return NextPhaseWords(
            order=None,
            name="",
            needs_clinical_review=False,
            met=met,
            total=len(gates),
            text=_("You are in the last phase of your plan."),
        )
    name = in_readers_language(nxt.name)
    words = {"order": nxt.order, "name": name, "met": met, "total": len(gates)}
    if not gates:
        text = _(
            "Phase %(order)s (%(name)s) has no criteria in your plan: your coach decides "
            "the next step."
        )
    elif not remaining:
        text = ngettext(
            "The %(total)s criterion for phase %(order)s (%(name)s) shows as met in your "
            "data: your coach decides the next step.",
            "All %(total)s criteria for phase %(order)s (%(name)s) show as met in your "
            "data: your coach decides the next step.",
            len(gates),
        )
    else:
        text = ngettext(
            "Before phase %(order)s (%(name)s): %(met)s of %(total)s criterion met. Still to show:",
            "Before phase %(order)s (%(name)s): %(met)s of %(total)s criteria met. Still to show:",
            len(gates),
        )
    text = text % words
    if nxt.needs_clinical_review:
        text += " " + _("Moving to phase %(order)s also needs your clinician's review.") % words
    return NextPhaseWords(
        order=nxt.order,
        name=name,
        needs_clinical_review=nxt.needs_clinical_review,
        met=met,
        total=len(gates),
        text=text,
        remaining=remaining,
    )


def checkin_feedback(athlete, *, now: dt.datetime | None = None) -> CheckinFeedback:
    """What the athlete's data shows after a check-in, in their words. A fixed number of
    queries whatever the length of the logs (the gate engine's, plus one each for pain,
    streak and flags)."""
    now = now or timezone.now()
    pain = pain_weeks(athlete, now=now)
    streak = checkin_streak(athlete, now=now)
    summary = athlete_plan_summary(athlete, now=now)
    return CheckinFeedback(
        pain=pain,
        pain_text=pain_text(pain),
        streak=streak,
        streak_text=streak_text(streak),
        next_phase=next_phase_words(summary) if summary is not None else None,
        flags=athlete_flag_messages(athlete, now=now, statuses=[FlagStatus.OPEN]),
    )
