"""What the audit trail records of a plan (the trail itself: athletes.audit)."""


def phase_state(plan) -> dict:
    return {
        "phase": plan.current_phase.order,
        "phase_name": plan.current_phase.name,
        "plan_status": plan.status,
    }
