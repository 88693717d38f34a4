"""/api/v1/ — the public REST API (names kept stable: PRODUCT.md §5)."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from athletes.api import AthleteViewSet, InjuryViewSet
from athletes.two_factor import MAX_CODE_LENGTH, verify_for_token
from monitoring.api import (
    CheckInViewSet,
    FlagViewSet,
    MeasurementViewSet,
    MetricViewSet,
    SessionViewSet,
)
from rehab.api import PlanViewSet, ProtocolViewSet, SignOffViewSet


class TokenRequestSerializer(AuthTokenSerializer):
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_CODE_LENGTH,
        write_only=True,
        help_text=(
            "For staff with two-factor sign-in: the 6-digit code from the authenticator app, "
            "or a backup code (which then stops working)."
        ),
    )


class TokenView(ObtainAuthToken):
    """Exchange a username and password (and, for staff with two-factor sign-in, a code) for
    an API token (throttled per client)."""

    serializer_class = TokenRequestSerializer
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
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # The second factor: the token must not be a way around it (athletes.two_factor).
        refused = verify_for_token(
            user, serializer.validated_data.get("otp"), request=self.request._request
        )
        if refused:
            raise serializers.ValidationError({"otp": [refused]})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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
