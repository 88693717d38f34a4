"""Reads for the coach workspace, shared by pages, the API and exports: one module per
subject (roster.py: the squad; athlete.py: one athlete's picture, audit, home). Import
them from here."""

from .athlete import (
    AUDIT_CSV_COLUMNS,
    AUDIT_TIMELINE_SIZE,
    athlete_overview,
    athlete_rows,
    audit_rows,
    home_summary,
)
from .roster import (
    ACTION_PRIORITY,
    ADVANCE,
    ASSIGN_PROTOCOL,
    CHASE_CHECKIN,
    COLLECT_EVIDENCE,
    DECLINED,
    NOTHING,
    PAIN_TREND_DAYS,
    READY_FOR_REVIEW,
    REVIEW_FLAG,
    ROSTER_PLAN_FIELDS,
    WAITING_FOR_CLINICIAN,
    RosterRow,
    attach_pain_trends,
    roster,
    roster_teams,
)

__all__ = [
    "PAIN_TREND_DAYS",
    "REVIEW_FLAG",
    "CHASE_CHECKIN",
    "DECLINED",
    "READY_FOR_REVIEW",
    "ADVANCE",
    "WAITING_FOR_CLINICIAN",
    "COLLECT_EVIDENCE",
    "ASSIGN_PROTOCOL",
    "NOTHING",
    "ACTION_PRIORITY",
    "ROSTER_PLAN_FIELDS",
    "RosterRow",
    "roster",
    "attach_pain_trends",
    "roster_teams",
    "AUDIT_TIMELINE_SIZE",
    "athlete_overview",
    "AUDIT_CSV_COLUMNS",
    "audit_rows",
    "athlete_rows",
    "home_summary",
]
