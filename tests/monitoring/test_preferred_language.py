"""The language of a page: the person's choice, else the browser's, else the site's; the page
says which in <html lang> (monitoring.middleware)."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from monitoring.models import NotificationPreference

pytestmark = pytest.mark.django_db

TWO_LANGUAGES = [("en-gb", "English"), ("es", "Español")]


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_pages_say_the_sites_language_by_default(client, world):
    assert html_lang(client.get(reverse("login"))) == "en-gb"
    client.force_login(world.coach)
    assert html_lang(client.get(reverse("coach:roster"))) == "en-gb"
    client.force_login(world.athlete.user)
    assert html_lang(client.get(reverse("me:today"))) == "en-gb"


@override_settings(LANGUAGES=TWO_LANGUAGES)
def test_the_browsers_language_is_used_until_the_person_chooses_one(client, world):
    assert html_lang(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es")) == "es"
    assert html_lang(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de")) == "en-gb"
    client.force_login(world.athlete.user)
    assert html_lang(client.get(reverse("me:today"), HTTP_ACCEPT_LANGUAGE="es")) == "es"


@override_settings(LANGUAGES=TWO_LANGUAGES)
def test_the_persons_choice_wins_over_the_browser_and_applies_from_the_next_page(client, world):
    user = world.athlete.user
    NotificationPreference.objects.create(user=user, language="es")
    client.force_login(user)
    assert html_lang(client.get(reverse("me:today"), HTTP_ACCEPT_LANGUAGE="en")) == "es"
    # Choosing again on the preferences page: English from the very next page.
    response = client.post(reverse("notifications:preferences"), {"language": "en-gb"})
    assert response.status_code == 302
    assert html_lang(client.get(reverse("me:today"), HTTP_ACCEPT_LANGUAGE="es")) == "en-gb"


@override_settings(LANGUAGES=TWO_LANGUAGES)
def test_a_stored_language_the_site_no_longer_offers_falls_back(client, world):
    user = world.coach
    NotificationPreference.objects.create(user=user, language="xx")
    client.force_login(user)
    assert html_lang(client.get(reverse("coach:roster"))) == "en-gb"
