"""REST API v1 for check-ins, sessions, measurements, sprint trials, the metric registry and
flags, one module per resource group; ROUTES are the viewsets config/api_urls.py registers (the
check-in endpoint is rehab's subclass, rehab.api)."""

from .checkins import CheckInSerializer, CheckInViewSet
from .entries import MeasurementViewSet, SessionViewSet
from .flags import FlagViewSet, MetricViewSet
from .me import MeView, PushSubscriptionView
from .sprints import SprintTrialViewSet

# What config/api_urls.py registers under /api/v1/: (prefix, viewset, basename).
ROUTES = [
    ("sessions", SessionViewSet, "session"),
    ("measurements", MeasurementViewSet, "measurement"),
    ("sprints", SprintTrialViewSet, "sprint"),
    ("metrics", MetricViewSet, "metric"),
    ("flags", FlagViewSet, "flag"),
]

__all__ = [
    "CheckInSerializer",
    "CheckInViewSet",
    "FlagViewSet",
    "MeasurementViewSet",
    "MeView",
    "MetricViewSet",
    "PushSubscriptionView",
    "ROUTES",
    "SessionViewSet",
    "SprintTrialViewSet",
]
