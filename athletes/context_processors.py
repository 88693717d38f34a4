from .access import roles_of


def roles(request):
    """Expose the signed-in user's roles to templates (navigation differs by role)."""
    user_roles = roles_of(request.user) if hasattr(request, "user") else set()
    return {
        "user_roles": user_roles,
        "is_coach": "coach" in user_roles,
        "is_clinician": "clinician" in user_roles,
        "is_athlete": "athlete" in user_roles,
        "is_team_admin": "admin" in user_roles,
        # Who sees "People" (athletes.access.INVITES: team admins and coaches).
        "manages_people": bool({"admin", "coach"} & user_roles),
    }
