"""The return to play, through rehab.signoff: each request snapshots the evidence of its
afternoon, and the clinician's decision moves the plan.

- requested (Jonas Weber): his coach asked yesterday afternoon; it waits for the clinician.
- cleared (Daniel Kim): asked the afternoon before the clinician approved it with restrictions;
  he has been in maintenance since.
- ready (Tomás Silva, and Jonas): every gate of phase 5 met, so asking is one click (the
  clinic's browser test asks for Tomás).
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError

from rehab.models import SignOffDecision
from rehab.signoff import decide_signoff, request_signoff

from .plans import DemoStoryError
from .timeline import Clock

ASKED_AT_HOUR = 16


def _ask(plan, *, coach, clock: Clock, day: date, note: str):
    try:
        return request_signoff(plan, by=coach, note=note, now=clock.at(day, ASKED_AT_HOUR))
    except ValidationError as error:
        raise DemoStoryError(f"{plan.athlete} cannot ask for sign-off on {day}: {error}") from error


def ask_yesterday(plan, *, coach, clock: Clock):
    """The request that waits for the clinician (requested)."""
    return _ask(
        plan,
        coach=coach,
        clock=clock,
        day=clock.today - timedelta(days=1),
        note="Gates of phase 5 met for over a week; asks for return-to-play review.",
    )


def ask_to_clear(plan, *, coach, clock: Clock, day: date):
    """The request the clinician approves the next morning (cleared)."""
    return _ask(plan, coach=coach, clock=clock, day=day, note="Every gate of phase 5 met.")


def approve(request, *, clinician, clock: Clock, day: date) -> None:
    decide_signoff(
        request,
        by=clinician,
        decision=SignOffDecision.Decision.APPROVE,
        rationale="Gates met with margin; pain-free maximal sprints for 10 days.",
        restrictions="No maximal sprints above 95 % for 7 days; re-test 30 m in 2 weeks.",
        now=clock.at(day, 10),
    )
