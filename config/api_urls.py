"""/api/v1/ — the public REST API (names kept stable: PRODUCT.md §5)."""

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from athletes import api as athletes_api
from athletes.tokens import NAME_MAX_LENGTH, clean_token_name, issue_token
from athletes.two_factor import MAX_CODE_LENGTH, verify_for_token
from monitoring import api as monitoring_api
from monitoring.api import MeView, PushSubscriptionView
from rehab import api as rehab_api


class TokenCredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(write_only=True)
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=NAME_MAX_LENGTH,
        help_text=(
            'The device or integration this token is for, e.g. "Maya\'s phone" or '
            '"timing-gate laptop": the person sees it in their list of tokens and can '
            "revoke it there."
        ),
    )
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

    def validate_name(self, value):
        try:
            return clean_token_name(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate(self, attrs):
        # django-axes refuses a locked-out username here (even with the right password) and
        # marks the request, which AxesMiddleware turns into its 429.
        user = authenticate(
            request=self.context["request"],
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None:  # wrong credentials, or an inactive account
            raise serializers.ValidationError(
                "Unable to log in with provided credentials.", code="authorization"
            )
        return {**attrs, "user": user}


class TokenView(APIView):
    """Exchange a username and password (and, for staff with two-factor sign-in, a code) for a
    new API token for one device (throttled per client). The token expires after
    API_TOKEN_TTL_DAYS and ends when the password changes."""

    # Credentials a client still sends (an expired token) must not stop it asking for a new one.
    authentication_classes = []
    permission_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    renderer_classes = [JSONRenderer]

    @extend_schema(
        request=TokenCredentialsSerializer,
        responses=inline_serializer(
            "Token",
            {
                "token": serializers.CharField(help_text="Send as `Authorization: Token …`."),
                "expiry": serializers.DateTimeField(help_text="When the token stops working."),
                "name": serializers.CharField(),
            },
        ),
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        # authenticate() gets Django's own request, not DRF's wrapper: django-axes marks a
        # lock-out on the request it is given, and AxesMiddleware reads it from Django's.
        serializer = TokenCredentialsSerializer(
            data=request.data, context={"request": request._request}
        )
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # The second factor: the token must not be a way around it (athletes.two_factor).
        refused = verify_for_token(
            user, serializer.validated_data.get("otp"), request=request._request
        )
        if refused:
            raise serializers.ValidationError({"otp": [refused]})
        token, plain = issue_token(user, name=serializer.validated_data.get("name", ""))
        expiry = serializers.DateTimeField().to_representation(token.expiry)
        # A credential: no cache (a proxy, the browser) may keep a copy.
        return Response(
            {"token": plain, "expiry": expiry, "name": token.name},
            headers={"Cache-Control": "no-store"},
        )


# Each app names its own viewsets (their ROUTES); this module only wires them in.
router = DefaultRouter()
for prefix, viewset, basename in [
    *athletes_api.ROUTES,
    *monitoring_api.ROUTES,
    *rehab_api.ROUTES,
]:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path(
        "me/push-subscriptions/", PushSubscriptionView.as_view(), name="api-me-push-subscriptions"
    ),
    path("", include(router.urls)),
]
