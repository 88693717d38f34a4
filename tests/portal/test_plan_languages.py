"""My plan in the athlete's language: the shipped phases' words come from the catalogue
(rehab.protocol_templates.in_readers_language); a phase a coach renamed reads as typed."""

import pytest
from django.urls import reverse

from monitoring.models import NotificationPreference

pytestmark = pytest.mark.django_db


def test_the_shipped_phase_reads_in_spanish_and_a_coachs_words_as_typed(me_client, squad):
    NotificationPreference.objects.create(user=squad["me"].user, language="es")
    me_client.force_login(squad["me"].user)  # the language is read at sign-in
    html = me_client.get(reverse("me:plan")).content.decode()
    assert "Longer accelerations and fly-ins" not in html
    assert "Aceleraciones más largas y lanzados" in html  # phase 3, where Maya is
    assert "Hasta el 85–90 %" in html

    phase = squad["me"].plans.get().current_phase
    phase.name = "Fase de Maya"
    phase.allowed_intensity = "Sin sprints en curva"
    phase.save()
    html = me_client.get(reverse("me:plan")).content.decode()
    assert "Fase de Maya" in html
    assert "Sin sprints en curva." in html


def test_in_english_the_stored_words_read_unchanged(me_client):
    html = me_client.get(reverse("me:plan")).content.decode()
    assert "Longer accelerations and fly-ins" in html
