"""Each injured athlete's plan, through rehab.services: the coach assigns the protocol on the
morning of the assessment and advances the athlete when every gate of the phase is met; entering
a phase that needs a clinician's review (full sprinting) waits for the team's clinician, who
approves it that afternoon. A move the gates do not allow fails the demo: it never overrides.
"""

from datetime import date

from django.core.exceptions import ValidationError

from rehab.models import SignOffDecision
from rehab.services import advance_phase, assign_protocol
from rehab.signoff import decide_signoff

from .timeline import Clock


class DemoStoryError(Exception):
    """The demo asked the services for something they refuse (its data does not tell the story
    it claims)."""


def start(injury, protocol, *, coach, clock: Clock, day: date):
    return assign_protocol(injury, protocol, by=coach, now=clock.at(day, 9))


def advance(plan, *, coach, clinician, clock: Clock, day: date) -> None:
    try:
        result = advance_phase(plan, by=coach, reason="All gates met.", now=clock.at(day, 10))
        if result.outcome == "review_requested":
            decide_signoff(
                result.signoff_request,
                by=clinician,
                decision=SignOffDecision.Decision.APPROVE,
                rationale="Approved on review.",
                now=clock.at(day, 15),
            )
    except ValidationError as error:
        raise DemoStoryError(f"{plan.athlete} cannot leave phase on {day}: {error}") from error
