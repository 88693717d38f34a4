"""REST API v1 for check-ins, sessions, measurements, the metric registry and flags: the
viewsets config/api_urls.py registers, one module per resource group."""

from .checkins import CheckInSerializer, CheckInViewSet
from .entries import MeasurementViewSet, SessionViewSet
from .flags import FlagViewSet, MetricViewSet
from .me import MeView, PushSubscriptionView

__all__ = [
    "CheckInSerializer",
    "CheckInViewSet",
    "FlagViewSet",
    "MeasurementViewSet",
    "MeView",
    "MetricViewSet",
    "PushSubscriptionView",
    "SessionViewSet",
]
