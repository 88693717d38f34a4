"""Recovery work in two taps, stored once per client key, validated at the field."""

import uuid

import pytest
from django.urls import reverse

from monitoring.models import RecoveryActivity
from monitoring.services import record_recovery

pytestmark = pytest.mark.django_db
RECOVERY = reverse("me:recovery")


def test_a_kind_and_a_minutes_chip_log_recovery_work(me_client, squad):
    page = me_client.get(RECOVERY)
    assert page.status_code == 200
    assert page.content.count(b'name="minutes"') >= 6
    response = me_client.post(
        RECOVERY, {"kind": "foam_rolling", "minutes": "10", "client_key": uuid.uuid4()}
    )
    assert response.status_code == 302
    activity = RecoveryActivity.objects.get()
    assert (activity.athlete, activity.kind, activity.minutes) == (squad["me"], "foam_rolling", 10)
    page = me_client.get(RECOVERY)
    assert b"Logged: Foam rolling, 10 min." in page.content
    assert page.context["today_minutes"] == 10


def test_the_same_client_key_twice_stores_one_entry(me_client):
    data = {"kind": "cold", "minutes": "15", "client_key": str(uuid.uuid4())}
    me_client.post(RECOVERY, data)
    me_client.post(RECOVERY, data)
    assert RecoveryActivity.objects.count() == 1


@pytest.mark.parametrize(
    "data,field",
    [
        ({"kind": "cold", "minutes": "0"}, "minutes"),
        ({"kind": "cold", "minutes": "2000"}, "minutes"),
        ({"kind": "cold", "minutes": "abc"}, "minutes"),
        ({"kind": "cold"}, "minutes"),
        ({"kind": "sauna", "minutes": "10"}, "kind"),
        ({"minutes": "10"}, "kind"),
    ],
)
def test_bad_recovery_input_gets_a_field_error_and_stores_nothing(me_client, data, field):
    response = me_client.post(RECOVERY, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'id="err-{field}"'.encode() in response.content
    assert not RecoveryActivity.objects.exists()


def test_recovery_for_another_athlete_is_refused(me_client, squad):
    data = {"kind": "cold", "minutes": "10", "athlete": squad["outsider"].pk}
    assert me_client.post(RECOVERY, data).status_code == 400
    assert not RecoveryActivity.objects.exists()


def test_record_recovery_refuses_a_future_day(squad):
    import datetime as dt

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    with pytest.raises(ValidationError) as error:
        record_recovery(
            squad["me"],
            kind="heat",
            minutes=10,
            performed_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "performed_on" in error.value.message_dict
