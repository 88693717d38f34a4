"""What Sprintback sends reads in the person's own language: a flag e-mail and the daily digest
in each recipient's (NotificationPreference.language, else the site's), the check-in reminder
by e-mail and by push in the athlete's, the check-in feedback and the check-in form's errors
in the athlete's. English stays as it was for everyone who chose nothing. They read the
committed catalogues (locale/<language>/LC_MESSAGES/django.mo)."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from athletes.models import Role
from monitoring import notify, reminders
from monitoring.models import (
    EmailDelivery,
    FlagKind,
    Notification,
    NotificationPreference,
    PushSubscription,
)
from monitoring.push import PushOutcome
from rehab.athlete_words import gate_sentence
from rehab.checkin_feedback import checkin_feedback
from rehab.reminders import send_due_reminders
from tests.factories import (
    AthleteFactory,
    CheckInFactory,
    FlagFactory,
    TeamFactory,
    staff,
    start_plan,
)

pytestmark = pytest.mark.django_db

LANGUAGES = [("en-gb", "English"), ("es", "Español"), ("fr", "Français")]
NOW = dt.datetime(2026, 4, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def three_languages(settings):
    settings.LANGUAGES = LANGUAGES


def speaks(user, language: str):
    NotificationPreference.objects.update_or_create(user=user, defaults={"language": language})
    return user


def day_in(language: str) -> str:
    """The flag's day (NOW) as that language writes it (config/formats)."""
    with translation.override(language):
        return date_format(NOW, "DATE_FORMAT")


def mail_to(user):
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    return message


# --- the flag e-mail --------------------------------------------------------------------------


@pytest.fixture
def flagged_team():
    """A team whose coach reads Spanish, whose clinician reads French and whose second coach
    chose nothing, with a persisting-pain flag not yet notified."""
    team = TeamFactory(name="Harriers")
    people = {
        "es": speaks(staff(team, Role.COACH), "es"),
        "fr": speaks(staff(team, Role.CLINICIAN), "fr"),
        "en": staff(team, Role.COACH),
    }
    athlete = AthleteFactory(team=team, first_name="Maya", last_name="Okafor")
    FlagFactory(
        athlete=athlete,
        kind=FlagKind.PAIN_PERSISTING,
        evidence={"threshold": 3, "hours": 52},
        opened_at=NOW - dt.timedelta(hours=2),
        summary="Pain 5/10 at 3 check-ins over 52 h",
    )
    return people


def test_a_flag_email_reaches_each_recipient_in_their_own_language(flagged_team):
    notify.notify_pending(NOW)
    assert len(mail.outbox) == 3

    spanish = mail_to(flagged_team["es"])
    assert spanish.subject.startswith("[Sprintback] Dolor por encima del umbral — Maya Okafor")
    assert "dolor ≥ 3/10" in spanish.body
    assert f"Alerta abierta el {day_in('es')} a las" in spanish.body
    assert "Revise los datos en la página de Maya" in spanish.body
    assert "Recibe este mensaje como entrenador o profesional sanitario de Harriers" in spanish.body

    french = mail_to(flagged_team["fr"])
    assert french.subject.startswith("[Sprintback] Douleur au-dessus du seuil — Maya Okafor")
    assert "douleur ≥ 3/10" in french.body
    assert f"Alerte ouverte le {day_in('fr')} à" in french.body
    assert "Examinez les données sur la page de Maya" in french.body

    english = mail_to(flagged_team["en"])
    assert english.subject.startswith(
        "[Sprintback] Pain above threshold — Maya Okafor: pain ≥ 3/10"
    )
    assert "Flag opened 20 Apr 2026 at" in english.body
    assert "Review the evidence on Maya's page" in english.body
    for other in (spanish, french):
        assert "Review the evidence" not in other.body
        # The summary stored when the flag opened is English: only the English e-mail quotes it.
        assert "Pain 5/10 at 3 check-ins" not in other.body
    assert "When it opened: Pain 5/10 at 3 check-ins over 52 h" in english.body
    # The flag's URL is the same in every language.
    assert {m.body.split("\n")[-4] for m in mail.outbox} == {english.body.split("\n")[-4]}


def test_the_in_app_notification_is_stored_in_the_recipients_language(flagged_team):
    notify.notify_pending(NOW)
    messages = {n.recipient_id: n.message for n in Notification.objects.all()}
    assert messages[flagged_team["es"].pk].startswith("Dolor por encima del umbral — Maya Okafor")
    assert messages[flagged_team["fr"].pk].startswith("Douleur au-dessus du seuil — Maya Okafor")
    assert messages[flagged_team["en"].pk].startswith("Pain above threshold — Maya Okafor")


def test_a_language_the_site_does_not_offer_falls_back_to_the_sites(flagged_team, settings):
    settings.LANGUAGES = [("en-gb", "English")]
    notify.notify_pending(NOW)
    assert all(m.subject.startswith("[Sprintback] Pain above threshold") for m in mail.outbox)


def test_the_daily_digest_is_in_the_recipients_language(flagged_team):
    coach = flagged_team["es"]
    NotificationPreference.objects.filter(user=coach).update(
        delivery=EmailDelivery.DIGEST, next_digest_at=NOW
    )
    notify.notify_pending(NOW)
    mail.outbox.clear()
    assert notify.send_due_digests(NOW)["sent"] == 1
    digest = mail_to(coach)
    assert digest.subject == "[Sprintback] 1 alerta nueva para revisar"
    assert digest.body.startswith("Alertas nuevas de sus atletas (1)")
    assert "— Dolor por encima del umbral: dolor ≥ 3/10" in digest.body
    assert "Todas sus notificaciones:" in digest.body


# --- the reminder -----------------------------------------------------------------------------


MADRID_0730 = dt.datetime(2026, 6, 1, 5, 30, tzinfo=dt.UTC)


@pytest.fixture
def reminded(world):
    """The world's athlete in an active plan, reminded at 07:30 Madrid time."""
    athlete = world.athlete
    start_plan(athlete, phase_order=1)
    early = MADRID_0730 - dt.timedelta(hours=2)
    reminders.set_time_zone(athlete.user, "Europe/Madrid", now=early)
    reminders.set_reminder_time(athlete, dt.time(7, 30), now=early)
    return athlete


def test_the_reminder_email_is_in_the_athletes_language(reminded):
    speaks(reminded.user, "es")
    assert send_due_reminders(now=MADRID_0730)["email"] == 1
    message = mail_to(reminded.user)
    assert message.subject == "[Sprintback] Hora de tu registro diario"
    assert message.body.startswith(
        "Dolor, sueño y disposición: tu registro diario lleva unos 15 segundos."
    )
    assert "Abre el registro diario de hoy: http" in message.body
    assert "Recibes este mensaje porque elegiste un recordatorio diario" in message.body
    assert reverse("me:reminders") in message.body


def test_the_reminder_push_is_in_the_athletes_language(reminded, monkeypatch):
    speaks(reminded.user, "fr")
    payloads = []

    def capture(subscription, payload):
        payloads.append(json.loads(payload))
        return PushOutcome.SENT

    monkeypatch.setattr(reminders, "send_push", capture)
    _subscribe(reminded.user)
    assert send_due_reminders(now=MADRID_0730)["push"] == 1
    assert payloads == [
        {
            "title": "C'est l'heure de votre suivi du jour",
            "body": "Douleur, sommeil et forme\u00a0: votre suivi du jour prend environ 15 secondes.",
            "url": reverse("me:today"),
        }
    ]
    assert mail.outbox == []


def _subscribe(user):
    PushSubscription.objects.get_or_create(
        user=user,
        endpoint="https://push.example.org/phone",
        defaults={"p256dh": "BKey", "auth": "secret"},
    )


def test_an_athlete_who_chose_nothing_is_reminded_in_english(reminded):
    send_due_reminders(now=MADRID_0730)
    assert mail_to(reminded.user).subject == "[Sprintback] Time for your check-in"


# --- on the athlete's pages -------------------------------------------------------------------


def test_the_check_in_feedback_reads_in_spanish(world):
    athlete = world.athlete
    start_plan(athlete, phase_order=2)
    now = dt.datetime.now(dt.UTC)
    for days_ago, pain in ((1, 2), (2, 1), (9, 5)):
        CheckInFactory(athlete=athlete, taken_at=now - dt.timedelta(days=days_ago), pain_rest=pain)
    with translation.override("es"):
        feedback = checkin_feedback(athlete, now=now)
    assert feedback.pain_text == "Dolor máximo en los últimos 7 días: 2/10, por debajo de 5/10."
    assert feedback.streak_text == "2 días seguidos con registro diario."
    assert feedback.next_phase.text.startswith("Antes de la fase 3 (")
    assert "Falta mostrar:" in feedback.next_phase.text
    assert all(line for line in feedback.lines)


def test_a_gate_sentence_has_the_locales_decimals():
    result = {
        "kind": "lsi",
        "metric": "knee_flexor_strength",
        "threshold": 90,
        "facts": {"injured": {"value": 380.1}, "uninjured": {"value": 424.2}, "lsi": 89.6},
    }
    with translation.override("es"):
        spanish = gate_sentence(result, kinds={})
    with translation.override("fr"):
        french = gate_sentence(result, kinds={})
    assert spanish == (
        "Fuerza de tu pierna lesionada: 89,6\u00a0% de la otra pierna — el objetivo es 90\u00a0%"
    )
    assert french == (
        "Force de votre jambe blessée\u00a0: 89,6\u00a0% de l'autre jambe — l'objectif est de "
        "90\u00a0%"
    )
    assert gate_sentence(result, kinds={}) == (
        "Strength of your injured leg: 89.6\u00a0% of the other leg — the target is 90\u00a0%"
    )


def test_the_check_in_form_speaks_the_athletes_language(client, world):
    speaks(world.athlete.user, "fr")
    client.force_login(world.athlete.user)
    page = client.post(reverse("me:today"), {})
    assert page.status_code == 400
    text = page.content.decode()
    assert "Touchez un nombre de 0 à 10." in text
    assert "Douleur au repos" in text
