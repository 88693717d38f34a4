"""The language of each request: the person's own choice (their preferences, monitoring.
NotificationPreference.language), else the browser's (django.middleware.locale.LocaleMiddleware,
which runs before this one), else the site's (settings.LANGUAGE_CODE)."""

from django.conf import settings
from django.utils import translation

from .selectors import notification_preference

# Where a session keeps the person's choice once read, so a page costs no query for it; the
# preferences page writes it when the choice changes (remember_language).
SESSION_KEY = "preferred_language"


def remember_language(request, language: str) -> None:
    """The person chose `language` ("" for none): use it from this request on."""
    request.session[SESSION_KEY] = language
    activate(request, language)


def remember_on_login(sender, request, user, **kwargs) -> None:
    """At sign-in (django.contrib.auth's user_logged_in): keep the person's choice in the new
    session, so no page asks for it again."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = notification_preference(user).language or ""


def activate(request, language: str) -> None:
    if language and language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = request.session.get(SESSION_KEY)
            if language is None:
                language = notification_preference(user).language or ""
                request.session[SESSION_KEY] = language
            activate(request, language)
        return self.get_response(request)
