"""Check-ins, recovery work, training sessions, measurements, the metric registry, flags.

One module per subject; every model and name is importable from monitoring.models."""

from .base import SCORE, LiveManager, Voidable, VoidableQuerySet
from .checkins import (
    CheckIn,
    RecoveryActivity,
    RecoveryKind,
    worst_pain_expression,
)
from .flags import (
    UNRESOLVED_FLAG_STATUSES,
    Flag,
    FlagKind,
    FlagQuerySet,
    FlagStatus,
    JobRun,
    Notification,
)
from .metrics import MetricKind, ValueType
from .sessions import (
    MAX_SESSION_MINUTES,
    MAX_SPRINT_DISTANCE_M,
    MAX_TEMPERATURE_C,
    MIN_TEMPERATURE_C,
    ImportBatch,
    Measurement,
    SessionType,
    TrainingSession,
)

__all__ = [
    "SCORE",
    "VoidableQuerySet",
    "LiveManager",
    "Voidable",
    "ValueType",
    "MetricKind",
    "worst_pain_expression",
    "CheckIn",
    "RecoveryKind",
    "RecoveryActivity",
    "MAX_SESSION_MINUTES",
    "MAX_SPRINT_DISTANCE_M",
    "MIN_TEMPERATURE_C",
    "MAX_TEMPERATURE_C",
    "SessionType",
    "TrainingSession",
    "ImportBatch",
    "Measurement",
    "FlagKind",
    "FlagStatus",
    "UNRESOLVED_FLAG_STATUSES",
    "FlagQuerySet",
    "Flag",
    "Notification",
    "JobRun",
]
