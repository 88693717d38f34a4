"""/api/v1/me/ — who the client is (athletes.api.me_payload) and the person's own settings:
language, time zone and, for athletes, the daily check-in reminder — and
/api/v1/me/push-subscriptions/, the Web Push subscriptions of the client's browsers."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from athletes.api import MeSerializer as WhoSerializer
from athletes.api import me_payload
from athletes.models import Athlete

from .. import push, reminders
from ..models import PushSubscription

HH_MM = "%H:%M"
ENDPOINT_MAX = PushSubscription._meta.get_field("endpoint").max_length


def _language_choices():
    return [("", _("The site's language")), *settings.LANGUAGES]


class MeSerializer(WhoSerializer):
    language = serializers.ChoiceField(
        choices=_language_choices(), help_text="Your language; blank for the site's language."
    )
    timezone = serializers.CharField(help_text="Your IANA time zone, e.g. Europe/Madrid.")
    reminder_time = serializers.TimeField(
        format=HH_MM,
        allow_null=True,
        help_text='Athletes: the daily check-in reminder, "HH:MM" in your time zone; null when '
        "off (and always null for staff).",
    )
    reminder_suggested_time = serializers.TimeField(
        format=HH_MM,
        allow_null=True,
        help_text='Athletes: the time your coach suggests, "HH:MM", or null.',
    )


class MeSettingsSerializer(serializers.Serializer):
    """What PATCH /api/v1/me/ may change; every field optional, nothing stored on any error."""

    language = serializers.ChoiceField(choices=_language_choices(), required=False)
    timezone = serializers.CharField(required=False, max_length=64)
    reminder_time = serializers.TimeField(
        format=HH_MM, input_formats=[HH_MM], required=False, allow_null=True
    )

    def validate_timezone(self, value):
        try:
            return reminders.clean_time_zone(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate_reminder_time(self, value):
        if self.context.get("athlete") is None:
            raise serializers.ValidationError(_("Only athletes have a check-in reminder."))
        return value


def _me(user) -> dict:
    athlete = Athlete.objects.filter(user=user).first()
    preference = reminders.NotificationPreference.objects.filter(user=user).first()
    reminder = reminders.reminder_of(athlete) if athlete is not None else None
    hhmm = serializers.TimeField(format=HH_MM)

    def time_or_none(value):
        return hhmm.to_representation(value) if value is not None else None

    return {
        **me_payload(user),
        "language": preference.language if preference else "",
        "timezone": reminders.zone_name_of(user),
        "reminder_time": time_or_none(reminder.time) if reminder else None,
        "reminder_suggested_time": time_or_none(reminder.suggested_time) if reminder else None,
    }


class MeView(APIView):
    """Who the client is: the user, their roles per team, their teams, their own athlete
    record's id (null for staff), and their settings: language, time zone and (athletes) the
    daily check-in reminder. PATCH changes the settings."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(_me(request.user))

    @extend_schema(request=MeSettingsSerializer, responses=MeSerializer)
    def patch(self, request):
        athlete = Athlete.objects.filter(user=request.user).first()
        settings_in = MeSettingsSerializer(data=request.data, context={"athlete": athlete})
        settings_in.is_valid(raise_exception=True)
        values = settings_in.validated_data
        reminders.save_personal_settings(
            request.user,
            athlete,
            language=values.get("language"),
            time_zone=values.get("timezone"),
            **({"reminder_time": values["reminder_time"]} if "reminder_time" in values else {}),
        )
        return Response(_me(request.user))


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=100, help_text="The browser's P-256 key, base64url.")
    auth = serializers.CharField(max_length=40, help_text="The 16-byte auth secret, base64url.")


class PushSubscriptionSerializer(serializers.Serializer):
    """A Web Push subscription as PushSubscription.toJSON() gives it (expirationTime ignored)."""

    endpoint = serializers.CharField(
        max_length=ENDPOINT_MAX, help_text="The push service's https address."
    )
    keys = PushKeysSerializer()

    def validate(self, attrs):
        try:
            return push.clean_subscription(
                attrs["endpoint"], attrs["keys"]["p256dh"], attrs["keys"]["auth"]
            )
        except DjangoValidationError as error:
            found = error.message_dict
            errors = {}
            if "endpoint" in found:
                errors["endpoint"] = found["endpoint"]
            keys = {name: found[name] for name in ("p256dh", "auth") if name in found}
            if keys:
                errors["keys"] = keys
            raise serializers.ValidationError(errors) from None


class EndpointSerializer(serializers.Serializer):
    endpoint = serializers.CharField(max_length=ENDPOINT_MAX)


class PushSubscriptionView(APIView):
    """The Web Push subscriptions of your browsers (athletes: check-in reminders). POST stores
    one (the same endpoint again updates it: 200); DELETE removes yours with that endpoint,
    given in the body or as ?endpoint=… (204 whether or not it was stored)."""

    def _athlete_only(self, request):
        if not Athlete.objects.filter(user=request.user).exists():
            raise exceptions.PermissionDenied(_("Only athletes receive check-in reminders."))

    @extend_schema(
        request=PushSubscriptionSerializer,
        responses={201: PushSubscriptionSerializer, 200: PushSubscriptionSerializer},
    )
    def post(self, request):
        self._athlete_only(request)
        incoming = PushSubscriptionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        existed = PushSubscription.objects.filter(
            user=request.user, endpoint=incoming.validated_data["endpoint"]
        ).exists()
        subscription = push.save_subscription(request.user, **incoming.validated_data)
        return Response(
            PushSubscriptionSerializer(subscription.info()).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=EndpointSerializer,
        parameters=[
            OpenApiParameter(
                "endpoint", OpenApiTypes.STR, description="The endpoint (instead of a body)."
            )
        ],
        responses={204: OpenApiResponse(description="Removed (or was not stored).")},
    )
    def delete(self, request):
        self._athlete_only(request)
        data = request.data if isinstance(request.data, dict) and request.data else None
        given = EndpointSerializer(data=data or {"endpoint": request.query_params.get("endpoint")})
        given.is_valid(raise_exception=True)
        push.delete_subscription(request.user, given.validated_data["endpoint"])
        return Response(status=status.HTTP_204_NO_CONTENT)
