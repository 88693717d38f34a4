"""/api/v1/ — the public REST API (names kept stable: PRODUCT.md §5)."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from athletes.api import AthleteViewSet, InjuryViewSet
from monitoring.api import (
    CheckInViewSet,
    FlagViewSet,
    MeasurementViewSet,
    MetricViewSet,
    SessionViewSet,
)
from rehab.api import PlanViewSet, ProtocolViewSet, SignOffViewSet


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled per client)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    # ObtainAuthToken names DRF's unbounded JSON parser; use the API's (config.parsers).
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    def get_serializer_context(self):
        # authenticate() gets Django's own request, not DRF's wrapper: django-axes marks a
        # lock-out on the request it is given, and AxesMiddleware reads it from Django's.
        return {**super().get_serializer_context(), "request": self.request._request}

    @extend_schema(
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


router = DefaultRouter()
router.register("athletes", AthleteViewSet, basename="athlete")
router.register("injuries", InjuryViewSet, basename="injury")
router.register("protocols", ProtocolViewSet, basename="protocol")
router.register("plans", PlanViewSet, basename="plan")
router.register("checkins", CheckInViewSet, basename="checkin")
router.register("sessions", SessionViewSet, basename="session")
router.register("measurements", MeasurementViewSet, basename="measurement")
router.register("metrics", MetricViewSet, basename="metric")
router.register("flags", FlagViewSet, basename="flag")
router.register("signoffs", SignOffViewSet, basename="signoff")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]
